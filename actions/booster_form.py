"""The personal booster check as a Rasa form: thin adapters from the tracker
to bot.dialogue.booster_form (turn logic), booster (rules) and booster_text
(wording), which hold the logic and its tests."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from datetime import date
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.reply_script import in_user_script
from bot.answering.buttons import feedback_buttons, parse_payload
from bot.channels.options import last_bot_buttons, resolve_choice
from bot.dialogue import booster_form, booster_text
from bot.dialogue.booster import Fact, assess, load_rules

# BOT_TODAY=YYYY-MM-DD pins "today" (demos, and tests whose dates must not age).
TODAY_ENV = "BOT_TODAY"


def today() -> date:
    pinned = os.environ.get(TODAY_ENV)
    return date.fromisoformat(pinned) if pinned else date.today()


def _message(tracker: Tracker):
    """The latest message's text, intent and entities; a number typed for one
    of the offered quick replies becomes that reply's payload (the REST and
    WeCom channels map it before Rasa; plain `rasa shell` does not)."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    entities = message.get("entities") or []
    events = list(tracker.events or [])
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    # The words as typed: the parse's text is the normaliser's output, which
    # rewrites 第三针 as 加强针 (a synonym for search, not for counting doses).
    typed = events[last_user].get("text") if last_user < len(events) else None
    text = typed or message.get("text") or ""
    payload = resolve_choice(text, last_bot_buttons(events[:last_user]))
    chosen, values = parse_payload(payload) if payload else (None, {})
    if chosen == booster_form.INFORM_INTENT:
        return payload, chosen, [{"entity": k, "value": v} for k, v in values.items()]
    return text, intent, entities


def _form_slots(tracker: Tracker) -> Dict[str, Any]:
    return {name: tracker.get_slot(name) for name in [*booster_form.ALL_SLOTS, "requested_slot"]}


class ActionBoosterStart(Action):
    def name(self) -> Text:
        return "action_booster_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher = in_user_script(dispatcher, tracker)
        text, intent, entities = _message(tracker)
        start = booster_form.start_turn(_form_slots(tracker), text, intent, entities, today())
        if start.text:
            payload = {"answer": start.answer} if start.answer else None
            dispatcher.utter_message(text=start.text, json_message=payload)
        events = [SlotSet(name, value) for name, value in start.updates.items()]
        if start.answer:
            events.append(SlotSet("answer_id", start.answer["answer_id"]))
        return events


class ValidateBoosterCheckForm(FormValidationAction):
    """Reads every message of the form once (all facts it states, in any
    order) instead of Rasa's per-slot extract/validate methods: one message
    often holds several facts, and their meaning depends on each other
    (第三针能打康希诺吗 says both the doses and the booster asked about)."""

    def name(self) -> Text:
        return "validate_booster_check_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher = in_user_script(dispatcher, tracker)
        text, intent, entities = _message(tracker)
        activating = (tracker.active_loop or {}).get("name") != booster_form.FORM
        turn = booster_form.form_turn(_form_slots(tracker), text, intent, entities, today(), activating)
        if turn.kind in (booster_form.TurnKind.INTERRUPT, booster_form.TurnKind.STOP):
            # No slot set: Rasa rejects the form's turn and the rules take the
            # message (answer it and resume, or leave the form).
            return []
        for line in turn.messages:
            dispatcher.utter_message(text=line)
        events = [SlotSet(name, value) for name, value in turn.updates.items()]
        return events + [SlotSet("requested_slot", turn.requested)]


class AskBoosterFact(Action, ABC):
    """The form's question for one fact, with quick-reply buttons where the
    answers are few (text channels number them: bot/channels/options.py)."""

    @property
    @abstractmethod
    def fact(self) -> Fact:
        """The fact this action asks for."""

    def name(self) -> Text:
        return f"action_ask_{booster_form.SLOTS[self.fact]}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher = in_user_script(dispatcher, tracker)
        slots = _form_slots(tracker)
        facts = booster_form.facts_from_slots(slots)
        question = booster_text.question(self.fact.value, facts, booster_form.addressee(slots))
        dispatcher.utter_message(text=question.text, buttons=question.buttons or None)
        return []


class AskBoosterVaccine(AskBoosterFact):
    fact = Fact.VACCINE


class AskBoosterDoses(AskBoosterFact):
    fact = Fact.DOSES


class AskBoosterAge(AskBoosterFact):
    fact = Fact.AGE


class AskBoosterLastDose(AskBoosterFact):
    fact = Fact.LAST_DOSE


class ActionBoosterVerdict(Action):
    def name(self) -> Text:
        return "action_booster_verdict"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher = in_user_script(dispatcher, tracker)
        rules = load_rules()
        slots = _form_slots(tracker)
        facts = booster_form.facts_from_slots(slots)
        who = booster_form.addressee(slots)
        assessment = assess(facts, today(), rules)
        if assessment.outcome is None:
            # Only reachable if the form was left early with facts missing.
            assert assessment.missing is not None  # an Assessment without an outcome names what is missing
            question = booster_text.question(assessment.missing.value, facts, who)
            dispatcher.utter_message(text=question.text, buttons=question.buttons or None)
            return []
        answer = booster_form.verdict_answer(facts, assessment, rules)
        dispatcher.utter_message(
            text=booster_text.verdict_text(facts, assessment.outcome, rules, who),
            buttons=feedback_buttons(),
            json_message={"answer": answer},
        )
        # The verdict is the conversation's topic now, not an FAQ answered before the check.
        topic = booster_form.verdict_topic(assessment)
        return [SlotSet("answer_id", answer["answer_id"]), SlotSet("topic_faq", topic), SlotSet("offered_faq", None)]
