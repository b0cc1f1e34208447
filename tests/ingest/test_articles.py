"""How the real newspaper page splits into articles."""

import pytest

from bot.ingest.pipeline import ingest_all
from bot.paths import PROJECT_ROOT

REPO = PROJECT_ROOT
MANIFEST = REPO / "data" / "sources" / "sources.yml"
CDC_TITLE = "市疾控中心专家就新冠病毒疫苗接种再释疑"


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    out = tmp_path_factory.mktemp("articles")
    return ingest_all(MANIFEST, out / "articles.yml", out / "faq.yml")[0]


def test_titles_in_page_order(articles):
    assert [a.title for a in articles] == [
        "市委常委会召开会议",
        "全市首笔『政采贷』在左云落地",
        "我市金融机构全面启动入企进村帮扶活动",
        "2022年大同市职业教育活动周启动",
        "市中院扎实开展司法作风突出问题集中整治",
        CDC_TITLE,
    ]


def test_cdc_article_metadata(articles):
    cdc = next(a for a in articles if a.title == CDC_TITLE)
    assert cdc.headings == ("慎终如始做好常态化疫情防控", "主动接种疫苗 加速构建免疫屏障", CDC_TITLE)
    assert cdc.byline == "记者 高燕"
    assert cdc.text.startswith("当前全球疫情形势依然严峻")
    assert cdc.partial and cdc.has_qa
    assert (cdc.newspaper, cdc.date, cdc.source_id) == ("大同日报", "2022-05", "datong_daily_2022_05_p1")


def test_bylines_and_partial_flags(articles):
    assert [(a.byline, a.partial, a.has_qa) for a in articles] == [
        ("记者 李明璇", False, False),
        ("记者 张世敬", False, False),
        ("记者 张世敬", False, False),
        ("记者 丁亚琴", True, False),
        ("记者 郑苗苗", False, False),
        ("记者 高燕", True, True),
    ]


def test_multi_line_headings_are_kept(articles):
    assert articles[0].headings == ("市委常委会召开会议", "卢东亮主持")
    assert articles[2].headings == ("助企纾困 应变克难·大同在行动", "我市金融机构全面启动入企进村帮扶活动")


def test_article_ids_are_unique_and_stable(articles):
    assert [a.id for a in articles] == [f"datong_daily_2022_05_p1/{n:02d}" for n in range(1, 7)]


def test_datelines_are_moved_out_of_the_text(articles):
    for article in articles:
        assert "本报讯" not in article.text
