"""The reply to a rating and the metadata the report reads."""

import json

from bot.feedback.rated import FeedbackValue, Rated, RatingStatus
from bot.feedback.respond import choose_faq_payload, respond
from tests.feedback.test_related import view

QUESTIONS = {
    "booster_schedule": "加强针怎么打？",
    "booster_target": "加强针的接种对象？",
    "booster_concept": "加强免疫是怎么回事？",
    "vaccine_types": "有哪些疫苗？",
}
ANSWER = {"answer_id": "booster_schedule", "kind": "faq", "search_query": None}


class Searches:
    def __init__(self, result):
        self.result, self.queries = result, []

    def __call__(self, query):
        self.queries.append(query)
        return self.result


def test_useless_offers_related_questions_as_choose_faq_buttons():
    search = Searches(view(("booster_schedule", 0.9), ("booster_target", 0.8), ("vaccine_types", 0.5)))
    reply = respond(Rated(RatingStatus.RECORDED, ANSWER, "加强针咋打"), FeedbackValue.USELESS, QUESTIONS, search)
    assert reply.response == "utter_feedback_useless"
    assert search.queries == ["加强针咋打"]
    assert [b["title"] for b in reply.buttons] == ["加强针的接种对象？", "有哪些疫苗？"]
    payload = reply.buttons[0]["payload"]
    assert payload.startswith("/choose_faq") and json.loads(payload[len("/choose_faq") :]) == {
        "faq_id": "booster_target"
    }
    assert reply.metadata == {
        "answer_id": None,
        "kind": "feedback",
        "status": "recorded",
        "feedback": "useless",
        "rated": {"answer_id": "booster_schedule", "kind": "faq"},
        "options": ["booster_target", "vaccine_types"],
    }


def test_useless_on_a_passage_excludes_its_faq_and_searches_the_follow_up_query():
    answer = {"answer_id": "booster_schedule#s2", "kind": "passage", "search_query": "加强针怎么打 那智飞的呢"}
    search = Searches(view(("booster_schedule", 0.9), ("booster_concept", 0.7)))
    reply = respond(Rated(RatingStatus.RECORDED, answer, "那智飞的呢"), FeedbackValue.USELESS, QUESTIONS, search)
    assert search.queries == ["加强针怎么打 那智飞的呢"]
    assert reply.metadata["options"] == ["booster_concept"]


def test_useless_after_a_tapped_button_searches_the_faq_question():
    search = Searches(None)  # retrieval down, and no parse: only 12320 remains
    reply = respond(
        Rated(RatingStatus.RECORDED, ANSWER, choose_faq_payload("booster_schedule")),
        FeedbackValue.USELESS,
        QUESTIONS,
        search,
    )
    assert search.queries == ["加强针怎么打？"]
    assert reply.buttons == [] and reply.response == "utter_feedback_useless"


def test_useful_is_thanked_without_buttons_or_search():
    search = Searches(None)
    reply = respond(Rated(RatingStatus.RECORDED, ANSWER, "加强针怎么打"), FeedbackValue.USEFUL, QUESTIONS, search)
    assert (reply.response, reply.buttons, search.queries) == ("utter_feedback_useful", [], [])
    assert reply.metadata["feedback"] == "useful" and reply.metadata["rated"]["answer_id"] == "booster_schedule"


def test_not_recorded_cases_get_a_note_and_record_no_value():
    for status, response in [
        (RatingStatus.NOTHING_TO_RATE, "utter_feedback_nothing_to_rate"),
        (RatingStatus.ALREADY_RATED, "utter_feedback_already_rated"),
    ]:
        reply = respond(Rated(status), FeedbackValue.USELESS, QUESTIONS, Searches(None))
        assert reply.response == response and reply.metadata["feedback"] is None
        assert reply.metadata["status"] == status.value and reply.buttons == []


def test_unreadable_value_right_after_an_answer_asks_again():
    reply = respond(Rated(RatingStatus.RECORDED, ANSWER, "加强针怎么打"), None, QUESTIONS, Searches(None))
    assert reply.response == "utter_feedback_unclear" and reply.metadata["status"] == "unclear"
    assert reply.metadata["rated"] is None


def test_every_reply_is_a_domain_response_and_points_to_12320_after_useless():
    import yaml

    from bot.feedback.respond import RESPONSES
    from bot.paths import PROJECT_ROOT

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name in RESPONSES.values():
        assert domain["responses"][name][0]["text"], name
    assert "12320" in domain["responses"]["utter_feedback_useless"][0]["text"]
    assert "action_feedback" in domain["actions"] and "feedback" in domain["intents"]
