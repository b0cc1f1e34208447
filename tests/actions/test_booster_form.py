"""The booster form's actions: thin adapters, run here on real rasa_sdk
trackers (the logic itself is tested in tests/dialogue/)."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booster_form import (
    TODAY_ENV,
    ActionBoosterStart,
    ActionBoosterVerdict,
    AskBoosterDoses,
    AskBoosterVaccine,
    ValidateBoosterCheckForm,
)
from bot.dialogue.booster_form import ALL_SLOTS, FORM


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2026-11-30")


def tracker(text, intent="inform", slots=None, active=True, entities=()):
    all_slots = {name: None for name in [*ALL_SLOTS, "requested_slot"]}
    all_slots.update(slots or {})
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": list(entities)}
    return Tracker("u1", all_slots, latest, [], False, None, {"name": FORM} if active else {}, "action_listen")


def events_of(result):
    return {e["name"]: e["value"] for e in result if e.get("event") == "slot"}


def validate(t):
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateBoosterCheckForm().run(dispatcher, t, {}))
    return dispatcher, result


def test_validation_fills_every_fact_of_the_opening_message():
    _, result = validate(tracker("我35岁，去年三月打完两针科兴，现在能打加强针吗", "booster_check", active=False))
    assert events_of(result) == {
        "booster_vaccine": "科兴",
        "booster_doses": 2,
        "booster_age": 35,
        "booster_last_dose": "2025-03-01/2025-03-31",
        "requested_slot": None,
    }


def test_validation_re_asks_an_impossible_age():
    dispatcher, result = validate(
        tracker("200", slots={"booster_vaccine": "科兴", "booster_doses": 2, "requested_slot": "booster_age"})
    )
    assert events_of(result) == {"booster_age": None, "requested_slot": "booster_age"}
    assert "年龄" in dispatcher.messages[0]["text"]


def test_validation_hands_a_faq_back_to_the_rules():
    dispatcher, result = validate(tracker("加强针怎么打", "faq", slots={"requested_slot": "booster_vaccine"}))
    assert result == [] and dispatcher.messages == []


def test_validation_hands_stop_back_to_the_rules():
    assert validate(tracker("算了", "stop_form", slots={"requested_slot": "booster_doses"}))[1] == []


def test_vaccine_question_offers_buttons_with_inform_payloads():
    dispatcher = CollectingDispatcher()
    AskBoosterVaccine().run(dispatcher, tracker(""), {})
    buttons = dispatcher.messages[0]["buttons"]
    assert {"title": "科兴", "payload": '/inform{"vaccine":"科兴"}'} in buttons
    assert buttons[-1]["title"] == "不记得了"


def test_dose_question_names_the_vaccine_given():
    dispatcher = CollectingDispatcher()
    AskBoosterDoses().run(dispatcher, tracker("", slots={"booster_vaccine": "康希诺"}), {})
    message = dispatcher.messages[0]
    assert message["text"].startswith("康希诺")
    assert [b["payload"] for b in message["buttons"]] == [
        '/inform{"dose_count":1}',
        '/inform{"dose_count":2}',
        '/inform{"dose_count":3}',
    ]


def test_verdict_carries_metadata_and_feedback_buttons_last():
    slots = {
        "booster_vaccine": "科兴",
        "booster_doses": 2,
        "booster_age": 35,
        "booster_last_dose": "2025-03-01/2025-03-31",
    }
    dispatcher = CollectingDispatcher()
    result = ActionBoosterVerdict().run(dispatcher, tracker("", slots=slots, active=False), {})
    message = dispatcher.messages[0]
    assert message["custom"]["answer"]["kind"] == "booster_check"
    assert message["custom"]["answer"]["verdict"] == "eligible_now"
    assert [b["payload"] for b in message["buttons"][-2:]] == [
        '/feedback{"value":"useful"}',
        '/feedback{"value":"useless"}',
    ]
    assert "2022年5月" in message["text"] and "12320" in message["text"]
    # Rated as the rule it states first; continued as the how it ends with (那我打哪个好).
    assert events_of(result) == {"answer_id": "booster_target", "topic_faq": "booster_schedule", "offered_faq": None}


def test_start_leads_with_the_rule_the_question_asks_about():
    dispatcher = CollectingDispatcher()
    result = ActionBoosterStart().run(
        dispatcher, tracker("我前两针是北京生物，第三针能打康希诺吗", "booster_check", active=False), {}
    )
    message = dispatcher.messages[0]
    assert message["custom"]["answer"]["answer_id"] == "booster_schedule"
    assert "混打" in message["text"]
    assert events_of(result)["answer_id"] == "booster_schedule"


def test_a_number_typed_in_plain_rasa_shell_picks_the_offered_vaccine():
    asked = CollectingDispatcher()
    AskBoosterVaccine().run(asked, tracker(""), {})
    events = [
        {"event": "bot", "text": asked.messages[0]["text"], "data": {"buttons": asked.messages[0]["buttons"]}},
        {"event": "user", "text": "2"},
    ]
    t = tracker("2", "nlu_fallback", slots={"requested_slot": "booster_vaccine"})
    t.events = events
    _, result = validate(t)
    assert events_of(result)["booster_vaccine"] == "北京生物"


def test_the_words_as_typed_are_read_not_the_normalised_parse():
    """Rasa's normaliser turns 第三针 into 加强针 in the parse; 第三针 says two doses were given."""
    t = tracker("帮我看看我能不能打加强针", "booster_check", active=False)
    t.events = [{"event": "user", "text": "帮我看看我能不能打第三针"}]
    _, result = validate(t)
    assert events_of(result)["booster_doses"] == 2
