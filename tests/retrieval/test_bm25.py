"""Okapi BM25."""

import numpy as np
import pytest

from bot.retrieval.bm25 import BM25
from bot.retrieval.tokenize import Tokenizer

DOCS = [
    "疫苗接种之后，免疫力和保护效果会随着时间推移下降。",
    "全程接种安徽智飞龙科马重组蛋白疫苗的人群，暂不用进行加强免疫。",
    "我市现有3种不同技术路线的新冠病毒疫苗。",
    "18岁以上人群完成全程接种后满半年尽快接种加强针。",
]


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer()


@pytest.fixture(scope="module")
def index(tokenizer):
    return BM25([tokenizer.tokenize(d) for d in DOCS])


def test_exact_keyword_passage_ranks_first(index, tokenizer):
    scores = index.scores(tokenizer.tokenize("智飞龙科马"))
    assert int(np.argmax(scores)) == 1
    assert scores[1] > 0
    assert scores[[0, 2, 3]].max() == 0


def test_partial_brand_name_still_matches(index, tokenizer):
    assert int(np.argmax(index.scores(tokenizer.tokenize("智飞")))) == 1


def test_empty_query_gives_zero_scores(index, tokenizer):
    for query in ([], tokenizer.tokenize(""), tokenizer.tokenize("？？ 的 吗")):
        scores = index.scores(query)
        assert scores.shape == (len(DOCS),)
        assert not scores.any()


def test_unknown_terms_score_zero(index):
    assert not index.scores(["股票", "天气"]).any()


def test_repeating_a_query_word_does_not_change_scores(index):
    assert np.allclose(index.scores(["加强针"]), index.scores(["加强针"] * 20))


def test_idf_is_never_negative():
    index = BM25([["疫苗"], ["疫苗"], ["疫苗", "加强针"]])
    assert index.idf("疫苗") > 0
    assert index.scores(["疫苗"]).min() > 0


def test_shorter_document_wins_on_equal_term_frequency():
    index = BM25([["加强针"], ["加强针", "a", "b", "c", "d", "e"]], k1=1.2, b=0.75)
    scores = index.scores(["加强针"])
    assert scores[0] > scores[1]


def test_empty_corpus_and_bad_parameters():
    assert BM25([]).scores(["疫苗"]).shape == (0,)
    assert not BM25([[], []]).scores(["疫苗"]).any()
    with pytest.raises(ValueError):
        BM25([["a"]], k1=0)
    with pytest.raises(ValueError):
        BM25([["a"]], b=1.5)
