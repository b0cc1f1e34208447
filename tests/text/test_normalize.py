"""bot.text.normalize: one canonical form for whatever users type."""

import pytest

from bot.text.normalize import Normalizer, load_synonyms, normalize_query


def test_traditional_is_converted_to_simplified():
    assert normalize_query("加強針怎麼打？") == "加强针怎么打?"
    assert normalize_query("腺病毒載體疫苗只需要接種一劑") == "腺病毒载体疫苗只需要接种一剂"


def test_nfkc_folds_full_width_digits_and_letters():
    assert normalize_query("６０岁以上") == "60岁以上"
    assert normalize_query("ＣＯＶＩＤ－１９") == "covid-19"


def test_control_characters_are_removed_and_whitespace_collapsed():
    assert normalize_query("  加强针\x00怎么\u200b打 \t\n 吗  ") == "加强针怎么打 吗"


def test_colloquial_forms_map_to_canonical_terms():
    assert normalize_query("加强真咋打") == "加强针怎么打"
    assert normalize_query("康希偌是啥疫苗") == "康希诺是什么疫苗"
    assert normalize_query("第三针什么时候打") == "加强针什么时候打"
    assert normalize_query("Omicron会逃逸吗") == "奥密克戎会逃逸吗"


def test_longest_synonym_wins_and_outputs_are_not_rewritten():
    normalize = Normalizer({"啥": "什么", "啥子": "什么东西", "什么": "X"})
    # '啥子' is matched before '啥'; the inserted '什么' is not rewritten to 'X'.
    assert normalize("啥子") == "什么东西"
    assert normalize("啥") == "什么"


def test_normalisation_is_idempotent():
    for text in ["加強真咋打？", "科興是啥", "打针后能喝酒吗", "ＣＯＶＩＤ"]:
        once = normalize_query(text)
        assert normalize_query(once) == once


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\x01\x7f", "😀" * 50, "疫苗" * 5000, "\ud800broken", None, 123],
)
def test_any_input_is_safe(text):
    result = normalize_query(text)
    assert isinstance(result, str)


def test_shipped_synonym_file_is_well_formed():
    synonyms = load_synonyms()
    assert synonyms["加强真"] == "加强针"
    assert all(key and value for key, value in synonyms.items())


def test_bad_synonym_file_gives_clear_error(tmp_path):
    bad = tmp_path / "synonyms.yml"
    bad.write_text("synonyms:\n  加强真: [1, 2]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="synonym entries must be non-empty strings"):
        load_synonyms(bad)
