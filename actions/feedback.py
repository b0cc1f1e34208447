"""action_feedback: a thin adapter from the tracker to bot.feedback, which
holds the logic and its tests. The rating is recorded by the events
themselves (the /feedback user event and this action's bot event)."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import service
from actions.reply_script import in_user_script
from bot.answering.evidence import RetrievalView
from bot.feedback.rated import feedback_value, rated_answer
from bot.feedback.respond import respond

logger = logging.getLogger(__name__)

VALUE_ENTITY = "value"


def _search(query: str) -> Optional[RetrievalView]:
    if not query:
        return None
    try:
        return service().search(query)
    except Exception:  # related questions are a courtesy; never fail the turn over them
        logger.exception("Related-question search failed")
        return None


class ActionFeedback(Action):
    def name(self) -> Text:
        return "action_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher = in_user_script(dispatcher, tracker)
        message = tracker.latest_message or {}
        value = feedback_value(next(tracker.get_latest_entity_values(VALUE_ENTITY), None), message.get("text"))
        questions = {fid: faq.question for fid, faq in service().faqs.items()}
        reply = respond(rated_answer(tracker.events), value, questions, _search)
        dispatcher.utter_message(
            response=reply.response, buttons=reply.buttons or None, json_message={"answer": reply.metadata}
        )
        return []
