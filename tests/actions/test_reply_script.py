"""Action texts in the user's script (actions/reply_script.py), with rasa_sdk's
real dispatcher and tracker."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.reply_script import ScriptDispatcher, in_user_script


def tracker(*user_texts):
    events = [{"event": "user", "text": t} for t in user_texts]
    # Rasa's parse data carries the normalised, Simplified text: it must not decide.
    latest = {"text": "加强针怎么打"}
    return Tracker("u1", {}, latest, events, False, None, {}, "action_listen")


FEEDBACK = [
    {"title": "有用", "payload": '/feedback{"value":"useful"}'},
    {"title": "没用", "payload": '/feedback{"value":"useless"}'},
]


def test_a_traditional_conversation_gets_text_buttons_and_display_fields_converted():
    real = CollectingDispatcher()
    dispatcher = in_user_script(real, tracker("加強針怎麼打"))
    dispatcher.utter_message(
        text="加强免疫方式有两种\n【来源】大同日报",
        buttons=FEEDBACK,
        json_message={"answer": {"kind": "faq", "answer_id": "booster_schedule", "full_answer": "加强针怎么打"}},
    )
    dispatcher.utter_message(response="utter_search_unavailable")
    assert len(real.messages) == 2
    first = real.messages[0]
    assert first["text"] == "加強免疫方式有兩種\n【來源】大同日報"
    assert [b["title"] for b in first["buttons"]] == ["有用", "沒用"]
    assert [b["payload"] for b in first["buttons"]] == [b["payload"] for b in FEEDBACK]
    assert first["custom"] == {
        "answer": {"kind": "faq", "answer_id": "booster_schedule", "full_answer": "加強針怎麼打"}
    }
    # Domain responses are rendered (and converted) by the Rasa server.
    assert real.messages[1]["response"] == "utter_search_unavailable"


def test_a_number_reply_keeps_the_conversation_in_traditional():
    real = CollectingDispatcher()
    in_user_script(real, tracker("加強針怎麼打", "1")).utter_message(text="两种")
    assert real.messages[0]["text"] == "兩種"


def test_a_simplified_conversation_gets_the_dispatcher_untouched():
    real = CollectingDispatcher()
    assert in_user_script(real, tracker("加強針怎麼打", "老人能打吗")) is real
    assert in_user_script(real, tracker()) is real


def test_hooking_twice_converts_once():
    real = CollectingDispatcher()
    once = in_user_script(real, tracker("加強針怎麼打"))
    assert isinstance(once, ScriptDispatcher)
    assert in_user_script(once, tracker("加強針怎麼打")) is once
