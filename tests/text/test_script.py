"""Detecting a user's script and converting replies to it (bot/text/script.py)."""

import pytest

from bot.text.script import (
    Script,
    conversation_script,
    detect_script,
    localize_message,
    to_traditional,
    user_texts_from_events,
)


@pytest.mark.parametrize(
    "text",
    [
        "加強針怎麼打",
        "打完疫苗發燒怎麼辦",
        "長輩可以打嗎",
        "謝謝",
        "哪些人可以接種",  # a single Traditional character, in a real sentence
        "我係香港人，可唔可以打針",
        "幾時打加強針？",
    ],
)
def test_traditional_questions_are_detected(text):
    assert detect_script(text) is Script.TRADITIONAL


@pytest.mark.parametrize("text", ["加强针怎么打", "老人能打吗", "打完疫苗发烧怎么办"])
def test_simplified_questions_are_detected(text):
    assert detect_script(text) is Script.SIMPLIFIED


@pytest.mark.parametrize(
    "text",
    [
        "著名",  # written the same in Simplified (著名专家)
        "皇后",
        "乾燥",  # one character that Simplified also keeps in some words
        "後面",  # one character in a two-character message
        "台湾",  # 台 is also Taiwan's own spelling
        "加强針",  # one of each: a typo, not a choice of script
        "打了两针科興",
        "有哪些疫苗？",  # the same in both scripts
        "1",
        "好的",
        "",
        None,
        '/inform{"vaccine":"科兴"}',  # a payload the bot wrote
    ],
)
def test_weak_or_mixed_evidence_decides_nothing(text):
    assert detect_script(text) is Script.UNDECIDED


def test_the_latest_decisive_message_sets_the_conversation_script():
    assert conversation_script(["1", "好的", "加強針怎麼打"]) is Script.TRADITIONAL
    assert conversation_script(["老人能打吗", "加強針怎麼打"]) is Script.SIMPLIFIED
    assert conversation_script(["有哪些疫苗？", "1"]) is Script.SIMPLIFIED
    assert conversation_script([]) is Script.SIMPLIFIED


def test_user_texts_come_raw_and_newest_first_from_tracker_events():
    events = [
        {"event": "user", "text": "加強針怎麼打", "parse_data": {"text": "加强针怎么打"}},
        {"event": "bot", "text": "加强免疫"},
        {"event": "user", "text": "1"},
        {"event": "action", "name": "action_listen"},
    ]
    assert user_texts_from_events(events) == ["1", "加強針怎麼打"]
    assert conversation_script(user_texts_from_events(events)) is Script.TRADITIONAL


def test_conversion_keeps_characters_not_vocabulary():
    # s2twp would rewrite words; a quoted source sentence must stay the same sentence.
    assert to_traditional("加强针怎么打？18岁以上人群间隔6个月。") == "加強針怎麼打？18歲以上人群間隔6個月。"
    assert to_traditional("信息") == "信息"
    assert to_traditional("拨打12320卫生健康热线") == "撥打12320衛生健康熱線"


def test_a_message_converts_display_text_but_never_payloads_or_ids():
    message = {
        "text": "新冠病毒疫苗加强免疫方式有两种\n"
        "【来源】大同日报《市疾控中心专家就新冠病毒疫苗接种再释疑》（2022年5月）",
        "buttons": [
            {"title": "科兴", "payload": '/inform{"vaccine":"科兴"}'},
            {"title": "有用", "payload": '/feedback{"value":"useful"}'},
        ],
        "custom": {
            "answer": {
                "kind": "faq",
                "answer_id": "booster_schedule",
                "search_query": "加强针",
                "full_answer": "加强免疫……",
                "lead": ["两种"],
                "sources": [
                    {
                        "article": "市疾控中心专家就新冠病毒疫苗接种再释疑",
                        "newspaper": "大同日报",
                        "question": "加强针怎么打？",
                        "quote": None,
                        "date": "2022-05",
                    }
                ],
            }
        },
    }
    out = localize_message(message, Script.TRADITIONAL)
    assert out["text"].startswith(
        "新冠病毒疫苗加強免疫方式有兩種\n【來源】大同日報《市疾控中心專家就新冠病毒疫苗接種再釋疑》"
    )
    assert [b["title"] for b in out["buttons"]] == ["科興", "有用"]
    assert [b["payload"] for b in out["buttons"]] == ['/inform{"vaccine":"科兴"}', '/feedback{"value":"useful"}']
    answer = out["custom"]["answer"]
    assert answer["full_answer"] == "加強免疫……" and answer["lead"] == ["兩種"]
    assert answer["sources"][0]["question"] == "加強針怎麼打？"
    assert answer["sources"][0]["newspaper"] == "大同日報"
    assert answer["sources"][0]["quote"] is None
    assert (answer["answer_id"], answer["kind"], answer["search_query"]) == ("booster_schedule", "faq", "加强针")
    # The original is untouched (Rasa may still hold it).
    assert message["custom"]["answer"]["lead"] == ["两种"]
    assert message["buttons"][0]["title"] == "科兴"


def test_simplified_script_leaves_a_message_as_it_is():
    message = {"text": "加强针", "buttons": [{"title": "科兴", "payload": "/x"}]}
    assert localize_message(message, Script.SIMPLIFIED) == message
