"""The one custom action: a thin adapter from the Rasa tracker to
bot.answering.service, which holds all the logic and its tests."""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.reply_script import in_user_script
from bot.answering.buttons import (
    CHOOSE_FAQ_INTENT,
    FAQ_ID_ENTITY,
    NONE_OF_THESE_INTENT,
    SHOW_FULL_ANSWER_INTENT,
    parse_payload,
)
from bot.answering.decide import AnswerKind, Mode
from bot.answering.follow_up import Conversation
from bot.answering.service import AnsweringService, process_service
from bot.channels.options import last_bot_buttons, resolve_choice
from bot.dialogue.booster_form import offer_booster_check

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


def current_topic(tracker: Tracker) -> Optional[str]:
    """The FAQ the conversation is about: the topic slot when the dialogue
    sets it, else the FAQ of the last answer (a passage id is "<faq>#s3")."""
    topic = tracker.get_slot("topic_faq") if "topic_faq" in (tracker.slots or {}) else None
    if topic:
        return str(topic)
    answered = tracker.get_slot("answer_id")
    return str(answered).split("#", 1)[0] if answered else None


def conversation(tracker: Tracker) -> Conversation:
    """What a follow-up continues: the topic slot and the vaccine last named.
    Never the raw previous text, so a declined turn cannot leak into the next."""
    slots = tracker.slots or {}
    vaccine = tracker.get_slot("vaccine") if "vaccine" in slots else None
    offered = tracker.get_slot("offered_faq") if "offered_faq" in slots else None
    return Conversation(
        topic_faq=current_topic(tracker),
        vaccine=vaccine if isinstance(vaccine, str) else None,
        offered_faq=offered if isinstance(offered, str) else None,
    )


def entity_value(tracker: Tracker, entity: str) -> Optional[str]:
    value = next(tracker.get_latest_entity_values(entity), None)
    return value if isinstance(value, str) else None


def typed_choice(tracker: Tracker) -> Tuple[Optional[str], Dict]:
    """A typed "1" that no channel mapped (plain `rasa shell` uses Rasa's own
    cmdline channel): the button it names among the bot's previous buttons."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    payload = resolve_choice((tracker.latest_message or {}).get("text"), last_bot_buttons(events[:last_user]))
    return parse_payload(payload) if payload else (None, {})


class ActionAnswer(Action):
    def name(self) -> Text:
        return "action_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher = in_user_script(dispatcher, tracker)
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        faq_id = entity_value(tracker, FAQ_ID_ENTITY)
        chosen, entities = typed_choice(tracker)
        if chosen in (CHOOSE_FAQ_INTENT, NONE_OF_THESE_INTENT, SHOW_FULL_ANSWER_INTENT):
            intent, faq_id = chosen, entities.get(FAQ_ID_ENTITY)
        # Button payloads name their intent outright (Rasa parses /intent{...}
        # without NLU), so they are served directly, never re-decided.
        if intent == CHOOSE_FAQ_INTENT:
            reply = service().choose(faq_id)
        elif intent == NONE_OF_THESE_INTENT:
            reply = service().none_of_these()
        elif intent == SHOW_FULL_ANSWER_INTENT:
            reply = service().full_answer(current_topic(tracker))
        else:
            reply = service().answer(message.get("text") or "", message, conversation(tracker), MODE)
        # Booster answers offer the personal check (/booster_check, actions/booster_form.py).
        reply.buttons = offer_booster_check(reply.metadata, reply.buttons, (tracker.active_loop or {}).get("name"))
        payload = {"answer": reply.metadata}
        if reply.text is not None:
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons, json_message=payload)
        else:
            dispatcher.utter_message(response=reply.response, buttons=reply.buttons, json_message=payload)
        for notice in reply.notices:
            dispatcher.utter_message(response=notice)
        events = [SlotSet("answer_id", reply.metadata.get("answer_id"))]
        if reply.decision.answered:
            # The topic changes only when something was answered: declines and
            # clarifications leave it, so 那智飞的呢 still continues it.
            events += [SlotSet("topic_faq", reply.decision.faq_id), SlotSet("offered_faq", None)]
        elif reply.decision.kind is AnswerKind.CLARIFY and reply.decision.options:
            # A follow-up typed instead of a pick (智飞的呢 after 您是想问…?) narrows
            # the question the bot thinks most likely; 全文 still needs an answer.
            events.append(SlotSet("offered_faq", reply.decision.options[0]))
        elif intent == NONE_OF_THESE_INTENT:
            events.append(SlotSet("offered_faq", None))
        return events


if os.environ.get("BOT_ACTIONS_EAGER") == "1":
    # Set by the stack runner: load the model while the server starts, so its
    # health check passes only once the first user would be served promptly.
    try:
        service()
    except Exception:  # the action reports the problem per turn instead
        logger.exception("Answering service failed to start")
