"""The CDC expert Q&A: ids, spans, repairs and the cut-off last answer."""

import pytest

from bot.ingest.pipeline import ingest_all
from bot.paths import PROJECT_ROOT

REPO = PROJECT_ROOT
MANIFEST = REPO / "data" / "sources" / "sources.yml"
IDS = [
    "why_vaccinate",
    "eligibility",
    "vaccine_types",
    "booster_concept",
    "booster_target",
    "booster_schedule",
    "vaccination_progress",
]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    out = tmp_path_factory.mktemp("faq")
    return ingest_all(MANIFEST, out / "articles.yml", out / "faq.yml")


@pytest.fixture(scope="module")
def faqs(ingested):
    return {pair.id: pair for pair in ingested[1]}


def test_seven_pairs_with_manifest_ids_in_order(ingested):
    assert [pair.id for pair in ingested[1]] == IDS


def test_spans_round_trip(ingested):
    articles = {a.id: a for a in ingested[0]}
    for pair in ingested[1]:
        text = articles[pair.article_id].text
        assert text[slice(*pair.question_span)] == pair.question
        assert text[slice(*pair.answer_span)] == pair.answer


def test_questions_keep_full_width_question_mark(ingested):
    for pair in ingested[1]:
        assert pair.question.endswith("？")
        assert not pair.question.startswith("问")
        assert not pair.answer.startswith("答")


def test_repair_inside_answers(faqs):
    assert faqs["why_vaccinate"].answer.endswith("有效降低奥密克戎变异株引起的突破感染的风险。")
    assert "技术路线的新冠病毒疫苗" in faqs["vaccine_types"].answer
    assert "重组蛋白疫苗；" in faqs["vaccine_types"].answer


def test_only_the_last_pair_is_partial(ingested):
    assert [pair.partial for pair in ingested[1]] == [False] * 6 + [True]


def test_whole_answers_are_displayed_as_printed(ingested):
    for pair in ingested[1][:-1]:
        assert pair.display_answer == pair.answer


def test_cut_answer_keeps_full_text_but_shows_clean_ending(faqs):
    last = faqs["vaccination_progress"]
    assert last.answer == (
        "截至5月21日24时，我市累计接种新冠病毒疫苗超675万剂次，"
        "其中超256万人完成了新冠病毒疫苗全程接种，覆盖率达到了84.5%；"
    )
    assert last.display_answer == (
        "截至5月21日24时，我市累计接种新冠病毒疫苗超675万剂次，"
        "其中超256万人完成了新冠病毒疫苗全程接种，覆盖率达到了84.5%……"
    )
    assert "版" not in last.display_answer


def test_pairs_carry_their_provenance(faqs):
    pair = faqs["booster_schedule"]
    assert pair.article_title == "市疾控中心专家就新冠病毒疫苗接种再释疑"
    assert pair.article_id == "datong_daily_2022_05_p1/06"
    assert (pair.newspaper, pair.date) == ("大同日报", "2022-05")
