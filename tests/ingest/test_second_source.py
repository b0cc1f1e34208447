"""A second, made-up page in the same 问/答 format ingests with no code change."""

import hashlib

import pytest

from bot.ingest.jump_markers import contains_jump_marker
from bot.ingest.pipeline import ingest_all
from bot.paths import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
MANIFEST = FIXTURES / "flu_sources.yml"
FLU_TITLE = "流感疫苗接种问答"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    out = tmp_path_factory.mktemp("flu")
    return ingest_all(MANIFEST, out / "articles.yml", out / "faq.yml")


def test_articles_and_headings(ingested):
    articles, _ = ingested
    assert [(a.title, a.byline, a.partial, a.has_qa) for a in articles] == [
        ("校园开展春季运动会", "记者 王晓", False, False),
        (FLU_TITLE, "通讯员 李青", True, True),
        ("城区新增三处口袋公园", "记者 孙悦", False, False),
    ]
    assert articles[1].headings == ("秋冬季健康提示", FLU_TITLE)


def test_layout_damage_is_repaired(ingested):
    articles, faqs = ingested
    assert "现场气氛热烈。" in articles[0].text
    assert faqs[0].answer.endswith("所以建议每年接种一次。")
    assert faqs[2].answer.endswith("如出现持续高热，请及时就医。")


def test_pairs_get_hash_ids(ingested):
    _, faqs = ingested
    assert len(faqs) == 4
    for pair in faqs:
        expected = "faq_" + hashlib.sha1(pair.question.encode("utf-8")).hexdigest()[:8]
        assert pair.id == expected
    assert faqs[0].question == "为什么每年都要接种流感疫苗？"
    assert (faqs[0].newspaper, faqs[0].date) == ("测试晚报", "2023-10")


def test_cut_answer_and_photo_credit(ingested):
    articles, faqs = ingested
    last = faqs[-1]
    assert last.partial and not any(pair.partial for pair in faqs[:-1])
    assert last.answer.endswith("具体安排请咨询接种门诊")
    assert last.display_answer == "两种疫苗的接种间隔应按照当地最新的接种指引执行。……"
    for article in articles:
        assert not contains_jump_marker(article.text)
        assert "赵峰" not in article.text


def test_spans_round_trip(ingested):
    articles, faqs = ingested
    by_id = {a.id: a for a in articles}
    for pair in faqs:
        text = by_id[pair.article_id].text
        assert text[slice(*pair.answer_span)] == pair.answer
        assert text[slice(*pair.question_span)] == pair.question
