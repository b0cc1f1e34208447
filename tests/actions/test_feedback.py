"""action_feedback with rasa_sdk's real Tracker and dispatcher and the real
answering service, its retrieval made unavailable (the degraded mode the
action must handle): the related questions then come from the intent
layer's ranking stored with the question."""

import json

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.feedback as feedback_module
from actions.feedback import ActionFeedback
from bot.answering.service import AnsweringService
from bot.answering.settings import load_answering_settings
from bot.knowledge import KnowledgeBase


def no_retrieval():
    raise RuntimeError("embedding model missing (test)")


@pytest.fixture
def real_service(monkeypatch, faqs):
    service = AnsweringService(KnowledgeBase(tuple(faqs)), load_answering_settings(), retriever_factory=no_retrieval)
    # The action's own reference: however actions.answer caches its service.
    monkeypatch.setattr(feedback_module, "service", lambda: service)
    return service


RANKING = {
    "response_selector": {
        "faq": {
            "ranking": [
                {"intent_response_key": "faq/booster_schedule", "confidence": 0.7},
                {"intent_response_key": "faq/booster_target", "confidence": 0.2},
                {"intent_response_key": "faq/booster_concept", "confidence": 0.1},
            ]
        }
    }
}


def tracker_after(value, answer_kind="faq"):
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "加强针咋打", "parse_data": {"intent": {"name": "faq"}, **RANKING}},
        {"event": "action", "name": "action_answer"},
        {
            "event": "bot",
            "text": "新冠病毒疫苗加强免疫方式有两种……",
            "data": {"custom": {"answer": {"answer_id": "booster_schedule", "kind": answer_kind}}},
        },
        {"event": "action", "name": "action_listen"},
    ]
    text = f'/feedback{{"value":"{value}"}}'
    latest = {"text": text, "intent": {"name": "feedback"}, "entities": [{"entity": "value", "value": value}]}
    events.append({"event": "user", "text": text, "parse_data": latest})
    return Tracker("u1", {}, latest, events, False, None, {}, "action_listen")


def test_useless_offers_related_faqs_and_records_the_rated_answer(real_service):
    dispatcher = CollectingDispatcher()
    assert ActionFeedback().run(dispatcher, tracker_after("useless"), {}) == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_feedback_useless"
    assert [b["title"] for b in message["buttons"]] == [
        real_service.faqs["booster_target"].question,
        real_service.faqs["booster_concept"].question,
    ]
    assert json.loads(message["buttons"][0]["payload"][len("/choose_faq") :]) == {"faq_id": "booster_target"}
    meta = message["custom"]["answer"]
    assert (meta["kind"], meta["feedback"], meta["rated"]["answer_id"]) == ("feedback", "useless", "booster_schedule")


def test_useful_is_thanked(real_service):
    dispatcher = CollectingDispatcher()
    ActionFeedback().run(dispatcher, tracker_after("useful"), {})
    assert dispatcher.messages[0]["response"] == "utter_feedback_useful"
    assert dispatcher.messages[0]["buttons"] == []


def test_rating_a_decline_gets_a_polite_note(real_service):
    dispatcher = CollectingDispatcher()
    ActionFeedback().run(dispatcher, tracker_after("useless", answer_kind="decline"), {})
    assert dispatcher.messages[0]["response"] == "utter_feedback_nothing_to_rate"
    assert dispatcher.messages[0]["custom"]["answer"]["feedback"] is None
