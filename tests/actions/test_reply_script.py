"""Action texts in the user's script (actions/reply_script.py), with rasa_sdk's
real dispatcher and tracker."""

import ast
from pathlib import Path

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.reply_script import ScriptDispatcher, in_user_script
from bot.text.script import to_traditional


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


# ---------- every action that utters text is hooked ----------

ACTIONS = Path(__file__).resolve().parents[2] / "actions"


def _run_methods():
    for path in sorted(ACTIONS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "run":
                        if "dispatcher" in [a.arg for a in item.args.args]:
                            yield f"{path.name}:{node.name}", item


def _is_hook(statement) -> bool:
    return (
        isinstance(statement, ast.Assign)
        and isinstance(statement.value, ast.Call)
        and getattr(statement.value.func, "id", None) == "in_user_script"
        and [t.id for t in statement.targets if isinstance(t, ast.Name)] == ["dispatcher"]
    )


def test_every_actions_run_starts_with_the_script_hook():
    runs = dict(_run_methods())
    assert {"answer.py:ActionAnswer", "feedback.py:ActionFeedback", "booster_form.py:ActionBoosterVerdict"} <= set(runs)
    unhooked = [name for name, run in runs.items() if not _is_hook(run.body[0])]
    assert unhooked == [], "add `dispatcher = in_user_script(dispatcher, tracker)` as their first line"


def test_a_booster_question_in_a_traditional_conversation_comes_in_traditional():
    from actions.booster_form import AskBoosterVaccine
    from bot.dialogue.booster_form import ALL_SLOTS, FORM

    slots = {name: None for name in [*ALL_SLOTS, "requested_slot"]}
    events = [{"event": "user", "text": "我想查查能不能打加強針"}]
    traditional = Tracker(
        "u1", slots, {"text": "我想查查能不能打加强针"}, events, False, None, {"name": FORM}, "action_listen"
    )
    simplified = Tracker(
        "u2",
        slots,
        {"text": "我想查查能不能打加强针"},
        [{"event": "user", "text": "我想查查能不能打加强针"}],
        False,
        None,
        {"name": FORM},
        "action_listen",
    )
    shown = {}
    for name, t in [("traditional", traditional), ("simplified", simplified)]:
        dispatcher = CollectingDispatcher()
        AskBoosterVaccine().run(dispatcher, t, {})
        shown[name] = dispatcher.messages[0]
    assert shown["traditional"]["text"] == to_traditional(shown["simplified"]["text"])
    assert shown["traditional"]["text"] != shown["simplified"]["text"]
    assert [b["payload"] for b in shown["traditional"]["buttons"]] == [
        b["payload"] for b in shown["simplified"]["buttons"]
    ]
    assert [b["title"] for b in shown["traditional"]["buttons"]] == [
        to_traditional(b["title"]) for b in shown["simplified"]["buttons"]
    ]
