"""Jieba segmentation with the domain dictionary."""

import pytest

from bot.retrieval.tokenize import Tokenizer, load_stopwords


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer()


@pytest.mark.parametrize(
    "text, word",
    [
        ("安徽智飞龙科马重组蛋白疫苗", "智飞龙科马"),
        ("加强针怎么打", "加强针"),
        ("天津康希诺腺病毒载体疫苗", "腺病毒载体"),
        ("北京科兴中维的灭活疫苗", "科兴中维"),
        ("奥密克戎会逃逸疫苗吗", "奥密克戎"),
        ("突破感染的风险", "突破感染"),
    ],
)
def test_domain_terms_stay_whole(tokenizer, text, word):
    assert word in tokenizer.segment(text)
    assert word in tokenizer.tokenize(text)


def test_compounds_also_yield_their_dictionary_subwords(tokenizer):
    tokens = tokenizer.tokenize("安徽智飞龙科马重组蛋白疫苗")
    # A user saying only 智飞 must still match the full brand name.
    assert {"智飞", "龙科马", "智飞龙科马"} <= set(tokens)


def test_traditional_input_is_normalised_before_segmentation(tokenizer):
    assert tokenizer.tokenize("加強針怎麼打") == tokenizer.tokenize("加强针怎么打")
    assert "腺病毒载体" in tokenizer.tokenize("腺病毒載體疫苗")


def test_punctuation_whitespace_emoji_and_stopwords_are_dropped(tokenizer):
    tokens = tokenizer.tokenize("我 要 打 加强针 吗？！😀 ……")
    assert tokens == ["加强", "加强针"]


def test_private_instance_does_not_touch_global_jieba(tokenizer):
    import jieba

    tokenizer.tokenize("智飞龙科马")
    assert "智飞龙科马" not in jieba.dt.FREQ


@pytest.mark.parametrize("text", ["", "   ", "\x00", "！？。", "x" * 10_000, "疫苗" * 5000])
def test_odd_inputs_do_not_crash(tokenizer, text):
    assert isinstance(tokenizer.tokenize(text), list)


def test_stopword_file_is_plain_words():
    words = load_stopwords()
    assert {"的", "吗", "怎么"} <= words
    assert not any(w.startswith("#") or " " in w for w in words)
