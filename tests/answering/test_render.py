import pytest

from bot.answering.citation import Source, chinese_date, source_line
from bot.answering.render import render_faq_answer
from bot.text.validate import MAX_QUESTION_CHARS, check_question


def test_chinese_date():
    assert chinese_date("2022-05") == "2022年5月"
    assert chinese_date("2022-05-24") == "2022年5月24日"
    assert chinese_date("May 2022") == "May 2022"


def test_every_faq_answer_ends_with_its_source(faqs):
    for faq in faqs:
        text = render_faq_answer(faq)
        last = text.splitlines()[-1]
        assert last.startswith("【来源】大同日报《市疾控中心专家就新冠病毒疫苗接种再释疑》（2022年5月）")
        assert "\n\n" not in text  # the REST channel would split the source line off
        assert "下转" not in text


def test_partial_answer_is_marked(faqs):
    progress = next(f for f in faqs if f.id == "vaccination_progress")
    assert progress.partial
    assert "后续内容未收录" in render_faq_answer(progress)


def test_source_line_names_the_question():
    line = source_line(Source("标题", "报纸", "2022-05", question="加强针怎么打？"))
    assert line == "【来源】报纸《标题》（2022年5月），答问“加强针怎么打”"


@pytest.mark.parametrize(
    "raw, error",
    [
        (b"", "empty"),
        ("   \t ", "empty"),
        ("\x01\x02", "empty"),
        (b"\xff\xfe\xfa", "invalid_utf8"),
        ("a\x00b", "binary"),
        ("问" * (MAX_QUESTION_CHARS + 1), "too_long"),
        (12, "wrong_type"),
        (None, "wrong_type"),
    ],
)
def test_bad_questions_get_clear_errors(raw, error):
    checked = check_question(raw)
    assert checked.error == error and checked.message


def test_control_characters_are_dropped_not_refused():
    assert check_question("加强针\u200b怎么\x07打\r\n").text == "加强针怎么打"
    assert check_question("加强针怎么打".encode()).text == "加强针怎么打"
