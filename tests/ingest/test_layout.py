"""Layout repair and jump markers, on small inputs and on the real page."""

import pytest

from bot.ingest.headings import choose_title, looks_like_heading
from bot.ingest.jump_markers import Jump, contains_jump_marker, split_jump_markers
from bot.ingest.layout import repair_layout
from bot.ingest.pipeline import ingest_all
from bot.paths import PROJECT_ROOT

REPO = PROJECT_ROOT
MANIFEST = REPO / "data" / "sources" / "sources.yml"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    out = tmp_path_factory.mktemp("layout")
    return ingest_all(MANIFEST, out / "articles.yml", out / "faq.yml")


def _paragraphs(articles):
    return [p for article in articles for p in article.text.split("\n")]


@pytest.mark.parametrize(
    "repaired",
    ["有力支撑经济社会", "突破感染的风险", "技术路线的新冠病毒疫苗", "重组蛋白疫苗；", "重点领域", "拿出更多实招"],
)
def test_split_words_are_rejoined(ingested, repaired):
    articles, _ = ingested
    assert any(repaired in article.text for article in articles)


@pytest.mark.parametrize("fragment_start", ["撑经济社会", "的风险", "冠病毒疫苗", "苗；", "点领域", "多实招"])
def test_fragments_do_not_survive_as_paragraphs(ingested, fragment_start):
    assert not any(p.startswith(fragment_start) for p in _paragraphs(ingested[0]))


def test_headings_stay_out_of_body_text(ingested):
    articles, _ = ingested
    headings = [h for article in articles for h in article.headings]
    for paragraph in _paragraphs(articles):
        assert not any(paragraph.startswith(h) for h in headings), paragraph


def test_jump_markers_never_reach_output(ingested):
    articles, faqs = ingested
    texts = [a.text for a in articles] + [a.title for a in articles]
    texts += [f.question for f in faqs] + [f.answer for f in faqs] + [f.display_answer for f in faqs]
    for text in texts:
        assert not contains_jump_marker(text)
        assert "下转" not in text and "上接" not in text


def test_text_after_a_jump_marker_is_not_glued_to_the_cut_article(ingested):
    articles, _ = ingested
    vocational = next(a for a in articles if a.title == "2022年大同市职业教育活动周启动")
    assert vocational.partial
    assert vocational.text.endswith("航空专业学生们带来的《客舱安全演示》，")
    for article in articles:
        assert "污水处理厂" not in article.text
        assert "戎禹仁" not in article.text


def test_caption_after_jump_is_reported_as_skipped(tmp_path):
    ingest_all(MANIFEST, tmp_path / "a.yml", tmp_path / "f.yml")
    written = (tmp_path / "a.yml").read_text(encoding="utf-8")
    assert "follows a jump marker" in written
    assert "西部污水处理厂" in written


@pytest.mark.parametrize(
    "marker, jump",
    [
        ("（下转第二版）", Jump.CONTINUES_ELSEWHERE),
        ("(下转第3版)", Jump.CONTINUES_ELSEWHERE),
        ("（下转第１２版）", Jump.CONTINUES_ELSEWHERE),
        ("(转第A3版)", Jump.CONTINUES_ELSEWHERE),
        ("（上接第一版）", Jump.CONTINUED_FROM_ELSEWHERE),
        ("（ 上接 第十一版 ）", Jump.CONTINUED_FROM_ELSEWHERE),
    ],
)
def test_jump_marker_forms(marker, jump):
    assert split_jump_markers(f"前文；{marker}后文") == ["前文；", jump, "后文"]


def test_brackets_that_are_not_markers_are_kept():
    line = "国药中生集团（北京生物、长春生物）和第二版（修订）"
    assert split_jump_markers(line) == [line]


def test_marker_on_its_own_line_cuts_the_paragraph_above():
    paragraphs = repair_layout("正文写到这里。\n\n（下转第二版）\n\n图片说明文字。")
    assert [p.text for p in paragraphs] == ["正文写到这里。", "图片说明文字。"]
    assert paragraphs[0].continues_elsewhere and not paragraphs[1].continues_elsewhere


def test_cut_paragraph_is_not_joined_even_when_it_ends_mid_sentence():
    paragraphs = repair_layout("学生们带来的表演，（下转第二版）\n\n\n\n5月23日，记者在现场看到。")
    assert [p.text for p in paragraphs] == ["学生们带来的表演，", "5月23日，记者在现场看到。"]


def test_continued_marker_flags_the_next_paragraph():
    paragraphs = repair_layout("某某标题\n\n（上接第一版）接着上文继续说明。")
    assert paragraphs[1].text == "接着上文继续说明。"
    assert paragraphs[1].continued_from_elsewhere


def test_broken_line_before_a_new_article_is_not_glued_to_its_heading():
    text = "正文第一段写到一半，没有\n\n新的标题\n\n本报讯（记者 甲）新文章正文。"
    assert [p.text for p in repair_layout(text)] == [
        "正文第一段写到一半，没有",
        "新的标题",
        "本报讯（记者 甲）新文章正文。",
    ]


def test_questions_are_never_glued_to_a_broken_line():
    paragraphs = repair_layout("答：回答写到一半，\n问：下一个问题？")
    assert [p.text for p in paragraphs] == ["答：回答写到一半，", "问：下一个问题？"]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("助企纾困 应变克难·大同在行动", True),
        ("市疾控中心专家就新冠病毒疫苗接种再释疑", True),
        ("卢东亮主持", True),
        ("撑经济社会高质量发展。", False),
        ("本报记者 戎禹仁摄", False),
        ("本报讯（记者 高燕）当前", False),
    ],
)
def test_heading_recognition(line, expected):
    assert looks_like_heading(line) is expected


@pytest.mark.parametrize(
    "headings, title",
    [
        (
            ["慎终如始做好常态化疫情防控", "主动接种疫苗 加速构建免疫屏障", "市疾控中心专家就新冠病毒疫苗接种再释疑"],
            "市疾控中心专家就新冠病毒疫苗接种再释疑",
        ),
        (["市委常委会召开会议", "卢东亮主持"], "市委常委会召开会议"),
        (
            ["助企纾困 应变克难·大同在行动", "我市金融机构全面启动入企进村帮扶活动"],
            "我市金融机构全面启动入企进村帮扶活动",
        ),
        (["只有一行标题"], "只有一行标题"),
    ],
)
def test_title_choice(headings, title):
    assert choose_title(headings) == title
