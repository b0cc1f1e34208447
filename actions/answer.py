"""The one custom action: a thin adapter from the Rasa tracker to
bot.answering.service, which holds all the logic and its tests."""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answering.decide import Mode
from bot.answering.service import AnsweringService, process_service

logger = logging.getLogger(__name__)

# hybrid in production; the benchmarks also run intent-only and retrieval-only servers.
MODE = Mode(os.environ.get("BOT_ANSWER_MODE", Mode.HYBRID.value))


def _start_service() -> AnsweringService:
    started = AnsweringService.from_project()
    if MODE is not Mode.INTENT:
        started.warm_up()  # load the model once, before the first user waits for it
    return started


def service() -> AnsweringService:
    return process_service(_start_service)


# Small talk between a question and its follow-up (加强针怎么打 → 谢谢 → 那智飞的呢)
# does not change what the follow-up continues.
SMALL_TALK = {"greet", "thank", "goodbye", "bot_challenge", "capabilities"}


def previous_user_text(tracker: Tracker) -> Optional[str]:
    """The user's previous question in this conversation, skipping small talk."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if not seen_latest:
            seen_latest = True
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in SMALL_TALK:
            return event.get("text")
    return None


class ActionAnswer(Action):
    def name(self) -> Text:
        return "action_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        reply = service().answer(message.get("text") or "", message, previous_user_text(tracker), MODE)
        payload = {"answer": reply.metadata}
        if reply.text is not None:
            dispatcher.utter_message(text=reply.text, json_message=payload)
        else:
            dispatcher.utter_message(response=reply.response, json_message=payload)
        for notice in reply.notices:
            dispatcher.utter_message(response=notice)
        return [SlotSet("answer_id", reply.metadata.get("answer_id"))]


if os.environ.get("BOT_ACTIONS_EAGER") == "1":
    # Set by the stack runner: load the model while the server starts, so its
    # health check passes only once the first user would be served promptly.
    try:
        service()
    except Exception:  # the action reports the problem per turn instead
        logger.exception("Answering service failed to start")
