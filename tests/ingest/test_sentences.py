"""Sentence splitting and the display rule for cut-off answers."""

import pytest

from bot.ingest.sentences import complete_sentences, display_text, split_sentences


def test_split_keeps_punctuation_and_closing_quotes():
    text = "“这238万元来得太及时了！”近日，负责人感叹道。这是首笔业务"
    assert split_sentences(text) == ["“这238万元来得太及时了！”", "近日，负责人感叹道。", "这是首笔业务"]


def test_semicolons_stay_inside_a_sentence():
    text = "一是灭活疫苗；二是重组蛋白疫苗；三是腺病毒载体疫苗。"
    assert split_sentences(text) == [text]


def test_decimal_points_do_not_split():
    assert split_sentences("利率为3.7%，覆盖率84.5%。") == ["利率为3.7%，覆盖率84.5%。"]


def test_ellipsis_before_a_closing_quote_ends_a_sentence():
    text = "“及时截屏记录……”工作人员正在督查。"
    assert split_sentences(text) == ["“及时截屏记录……”", "工作人员正在督查。"]


def test_line_breaks_end_sentences():
    assert split_sentences("第一段没有句号\n第二段。") == ["第一段没有句号", "第二段。"]


def test_repeated_end_marks_stay_together():
    assert split_sentences("真的吗？！是的。") == ["真的吗？！", "是的。"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("第一句。第二句写到一半", "第一句。"),
        ("第一句。第二句；第三句写到一半", "第一句。"),
        ("只有一个分句；后面断了", "只有一个分句；"),
        ("覆盖率达到了84.5%；", "覆盖率达到了84.5%；"),
        ("没有任何完整单位", ""),
        ("完整的一句。", "完整的一句。"),
    ],
)
def test_complete_sentences(text, expected):
    assert complete_sentences(text) == expected


def test_display_of_whole_answer_is_unchanged():
    assert display_text("最后一段没有句号", partial=False) == "最后一段没有句号"


@pytest.mark.parametrize(
    "answer, shown",
    [
        ("覆盖率达到了84.5%；", "覆盖率达到了84.5%……"),
        ("第一句。第二句写到一半", "第一句。……"),
        ("一个片段，", "一个片段……"),
    ],
)
def test_display_of_partial_answer(answer, shown):
    assert display_text(answer, partial=True) == shown
