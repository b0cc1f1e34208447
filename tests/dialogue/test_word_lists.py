"""The word-list check every data/dictionary loader uses."""

import pytest

from bot.dialogue.word_lists import word_list


def test_words_are_stripped():
    assert word_list([" 我 ", "俺"], "self", "persons.yml") == ("我", "俺")


@pytest.mark.parametrize("value", [None, "我", [], ["我", ""], ["我", 3]])
def test_a_broken_list_names_the_file_and_key(value):
    with pytest.raises(ValueError, match=r"persons\.yml: 'self' must be a non-empty list of words"):
        word_list(value, "self", "persons.yml")


def test_an_empty_list_where_allowed():
    assert word_list([], "subjects", "follow_up.yml", allow_empty=True) == ()
    with pytest.raises(ValueError, match="must be a list of words"):
        word_list([""], "subjects", "follow_up.yml", allow_empty=True)
