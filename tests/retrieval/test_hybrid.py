"""Retriever behaviour with a model-free encoder (fast)."""

import numpy as np
import pytest

from bot.embedding.hashing_encoder import HashingEncoder
from bot.retrieval.fusion import FusionWeights, fuse, saturate_bm25
from bot.retrieval.hybrid import FaqScore, Hit, build_retriever
from bot.retrieval.settings import load_settings

ODD_INPUTS = [
    "",
    "   ",
    "\x00\x01\x02\x1b[31m",
    "😀😷💉",
    "疫苗" * 5000,
    "a" * 10_000,
    "加强针\u200b怎么\ufeff打",
    "\ud800",
    "？？？！！！",
    "的 了 吗",
    "SELECT * FROM faq; --",
    "\n\n\t",
]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    settings = load_settings().model_copy(update={"index_dir": tmp_path_factory.mktemp("index")})
    return build_retriever(settings, encoder=HashingEncoder())


def test_search_returns_ranked_hits_with_all_scores(retriever):
    hits = retriever.search("加强针怎么打", top_k=5)
    assert len(hits) == 5 and all(isinstance(h, Hit) for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    top = hits[0]
    assert top.passage.faq_id == "booster_schedule"
    assert top.bm25_score > 0 and 0 < top.bm25_norm < 1
    w = retriever.fusion
    assert top.score == pytest.approx(w.vector_weight * top.vector_score + w.bm25_weight * top.bm25_norm)


def test_top_k_defaults_to_settings(retriever):
    assert len(retriever.search("疫苗")) == retriever.top_k


def test_search_faq_aggregates_by_max_over_passages(retriever):
    query = "智飞龙科马打完还要加强吗"
    ranked = retriever.search_faq(query)
    assert all(isinstance(r, FaqScore) for r in ranked)
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    assert len({r.faq_id for r in ranked}) == len(ranked) == 7
    all_hits = retriever.search(query, top_k=1000)
    for r in ranked:
        own = [h.score for h in all_hits if h.passage.faq_id == r.faq_id]
        assert r.score == pytest.approx(max(own))
        assert r.best.passage.faq_id == r.faq_id and r.best.score == pytest.approx(r.score)


def test_intro_passages_are_searchable_but_not_faqs(retriever):
    hits = retriever.search("当前全球疫情形势依然严峻", top_k=1)
    assert hits[0].passage.faq_id is None
    assert all(r.faq_id is not None for r in retriever.search_faq("当前全球疫情形势依然严峻"))


def test_traditional_and_colloquial_queries_match_like_canonical(retriever):
    canonical = retriever.search("加强针怎么打", top_k=3)
    variant = retriever.search("加強真咋打", top_k=3)
    assert [h.passage.id for h in variant] == [h.passage.id for h in canonical]


@pytest.mark.parametrize("query", ODD_INPUTS)
def test_any_input_is_safe(retriever, query):
    hits = retriever.search(query)
    faqs = retriever.search_faq(query)
    assert isinstance(hits, list) and isinstance(faqs, list)
    for h in hits:
        assert np.isfinite(h.score) and np.isfinite(h.vector_score)


@pytest.mark.parametrize("query", ["", "   ", "\x00\x01", "\n\t", None])
def test_empty_queries_give_no_hits(retriever, query):
    assert retriever.search(query) == []
    assert retriever.search_faq(query) == []


def test_long_query_is_cut_before_embedding(retriever):
    seen = []

    class Spy(HashingEncoder):
        def encode_queries(self, texts):
            seen.extend(texts)
            return super().encode_queries(texts)

    original = retriever.encoder
    retriever.encoder = Spy()
    try:
        retriever.search("疫苗" * 50_000)
    finally:
        retriever.encoder = original
    assert len(seen) == 1 and len(seen[0]) <= retriever.max_query_chars


def test_describe_mentions_counts_and_index(retriever):
    text = retriever.describe()
    assert "passages" in text and "7 FAQs" in text and "index" in text


def test_fusion_is_absolute_not_per_query_scaled():
    # A weak lexical match stays weak: it is not stretched to 1.0 because it
    # is the best of the candidates.
    norm = saturate_bm25(np.array([0.0, 0.5, 6.0, 600.0]), saturation=6.0)
    assert norm[0] == 0 and norm[1] < 0.1 and norm[2] == pytest.approx(0.5) and norm[3] < 1
    fused = fuse(np.array([0.9]), np.array([0.5]), FusionWeights(0.85, 0.15, 6.0))
    assert fused[0] == pytest.approx(0.85 * 0.9 + 0.15 * 0.5)
