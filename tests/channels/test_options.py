"""Numbered options on text channels (bot/channels/options.py)."""

import pytest

from bot.channels.options import (
    CHOICE_HINT,
    FEEDBACK_HINT,
    FULL_ANSWER_HINT,
    last_bot_buttons,
    numbered_text,
    resolve_choice,
    text_channel_replies,
)

CLARIFY = [
    {"title": "加强针怎么打？", "payload": '/choose_faq{"faq_id":"booster_schedule"}'},
    {"title": "加强针的接种对象有哪些人？", "payload": '/choose_faq{"faq_id":"booster_target"}'},
    {"title": "都不是", "payload": "/none_of_these"},
]
FEEDBACK = [
    {"title": "有用", "payload": '/feedback{"value":"useful"}'},
    {"title": "没用", "payload": '/feedback{"value":"useless"}'},
]


def test_numbered_text_lists_options_and_the_hint():
    text = numbered_text("您是想问：", CLARIFY)
    assert text.splitlines() == [
        "您是想问：",
        "1. 加强针怎么打？",
        "2. 加强针的接种对象有哪些人？",
        "3. 都不是",
        CHOICE_HINT,
    ]


def test_feedback_buttons_get_a_line_not_numbers():
    text = numbered_text("答案", FEEDBACK)
    assert text.splitlines() == ["答案", FEEDBACK_HINT]
    assert numbered_text("答案", []) == "答案"


@pytest.mark.parametrize(
    "typed, index",
    [
        ("1", 0),
        ("１", 0),
        ("一", 0),
        ("第1个", 0),
        ("第一个", 0),
        (" 2 ", 1),
        ("2.", 1),
        ("二", 1),
        ("第三项", 2),
        ("选3", 2),
        ("3。", 2),
    ],
)
def test_numbers_map_to_the_payload(typed, index):
    assert resolve_choice(typed, CLARIFY) == CLARIFY[index]["payload"]


@pytest.mark.parametrize("typed", ["4", "0", "第五个", "12", "加强针怎么打1", "1和2", "", None, "？"])
def test_other_text_is_not_a_choice(typed):
    assert resolve_choice(typed, CLARIFY) is None


def test_titles_map_back_and_numbers_skip_feedback():
    buttons = [CLARIFY[0], *FEEDBACK]
    assert resolve_choice("有用", buttons) == FEEDBACK[0]["payload"]
    assert resolve_choice("没用！", buttons) == FEEDBACK[1]["payload"]
    assert resolve_choice("都不是", CLARIFY) == "/none_of_these"
    assert resolve_choice("1", buttons) == CLARIFY[0]["payload"]
    assert resolve_choice("2", buttons) is None  # feedback buttons carry no number
    assert resolve_choice("1", []) is None and resolve_choice("1", None) is None


def test_last_bot_buttons_reads_the_latest_turn_only():
    events = [
        {"event": "user", "text": "加强针"},
        {"event": "bot", "text": "您是想问", "data": {"buttons": CLARIFY}},
        {"event": "bot", "text": "（详细检索暂时不可用）", "data": {}},
        {"event": "action", "name": "action_listen"},
    ]
    assert last_bot_buttons(events) == CLARIFY
    assert last_bot_buttons(events + [{"event": "user", "text": "1"}]) == []
    assert last_bot_buttons([]) == [] and last_bot_buttons(None) == []
    assert last_bot_buttons([{"event": "bot", "data": None}, "junk", {"event": "bot"}]) == []


def test_text_channel_replies_offer_or_append_the_full_answer():
    on_request = [
        {"text": "“科兴是灭活疫苗。”", "buttons": FEEDBACK},
        {"custom": {"answer": {"full_answer": "全文……", "full_answer_mode": "on_request"}}},
    ]
    assert text_channel_replies(on_request) == [f"“科兴是灭活疫苗。”\n{FULL_ANSWER_HINT}\n{FEEDBACK_HINT}"]
    append = [{"text": "引文"}, {"custom": {"answer": {"full_answer": "全文……", "full_answer_mode": "append"}}}]
    assert text_channel_replies(append) == ["引文\n全文……"]
    plain = [
        {"text": "您是想问："} | {"buttons": CLARIFY},
        {"custom": {"answer": {"kind": "clarify"}}},
        {"text": "（详细检索暂时不可用）"},
    ]
    replies = text_channel_replies(plain)
    assert len(replies) == 2 and "3. 都不是" in replies[0] and replies[1] == "（详细检索暂时不可用）"
