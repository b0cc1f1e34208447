"""One turn of the booster check form, as pure functions of the slots and the
user's message: what to store, what to say, what to ask next, or that the
message is not an answer at all (a FAQ, 算了) and Rasa's rules should take it.

actions/booster_form.py only translates these results into Rasa events.

The form keeps its own slots (booster_*), filled only by this module: the
general `vaccine` slot is also set by follow-ups such as 那智飞的呢, which are
questions about a vaccine, not facts about the person asking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bot.dialogue import booster_text, persons
from bot.dialogue.booster import Assessment, BoosterRules, Fact, Facts, assess, booster_choice, load_rules
from bot.dialogue.booster_message import UNKNOWN_VACCINE, Reading, has_cjk, read_message
from bot.dialogue.dates import DoseDate
from bot.dialogue.vaccines import catalog

FORM = "booster_check_form"
SLOTS: Dict[Fact, str] = {
    Fact.VACCINE: "booster_vaccine",
    Fact.DOSES: "booster_doses",
    Fact.AGE: "booster_age",
    Fact.LAST_DOSE: "booster_last_dose",
}
WANTED_SLOT = "booster_wanted"
# Whom the check is for, as its questions and verdict word it (她, 您老伴);
# None for the asker, who is addressed as 您.
PERSON_SLOT = "booster_person"
ALL_SLOTS = [*SLOTS.values(), WANTED_SLOT, PERSON_SLOT]
# Looked up with Rasa's requested_slot, which is None outside the form.
FACT_OF_SLOT: Dict[Optional[str], Fact] = {slot: fact for fact, slot in SLOTS.items()}

STOP_INTENT = "stop_form"
TRIGGER_INTENT = "booster_check"
INFORM_INTENT = "inform"  # the form's quick replies: /inform{"vaccine":"科兴"}
GENERAL_LEAD = ("booster_target",)
# Intents whose message, when it fills nothing, is a question for the FAQ side
# (answered, then the form resumes) rather than a bad answer to re-ask.
INTERRUPTING_INTENTS = {"faq", "out_of_scope", "nlu_fallback", "choose_faq", "show_full_answer"}
_QUESTION = re.compile(r"吗|呢|么|嘛|什么|怎么|怎样|咋|哪|几|多少|多久|能不能|可不可以|是否|为啥|为什么|[？?]")


class TurnKind(str, Enum):
    ANSWER = "answer"  # facts stored; ask the next one or give the verdict
    REASK = "reask"  # nothing usable: say why and ask again
    INTERRUPT = "interrupt"  # a question of its own: let the rules answer it, then resume
    STOP = "stop"  # 算了 / 不问了: leave the form


@dataclass
class FormTurn:
    kind: TurnKind
    updates: Dict[str, Any] = field(default_factory=dict)
    messages: List[str] = field(default_factory=list)
    requested: Optional[str] = None  # the slot to ask next; None when the verdict is ready
    assessment: Optional[Assessment] = None


def facts_from_slots(slots: Mapping[str, Any]) -> Facts:
    """The check's facts from the form's slot values (as stored by `slot_values`)."""
    vaccine = slots.get(SLOTS[Fact.VACCINE])
    name = route = None
    known = False
    if vaccine:
        known = True
        mention = catalog().canonicalise(str(vaccine)) if vaccine != UNKNOWN_VACCINE else None
        if mention is not None:
            route = mention.route.value
            name = mention.vaccine.name if mention.vaccine else None
        elif vaccine != UNKNOWN_VACCINE:
            name = catalog().unnamed_in(str(vaccine))  # 辉瑞: named, with no route of the article's
    wanted = slots.get(WANTED_SLOT)
    wanted_mention = catalog().canonicalise(str(wanted)) if wanted else None
    last = slots.get(SLOTS[Fact.LAST_DOSE])
    return Facts(
        vaccine=name,
        route=route,
        vaccine_known=known,
        doses=_int(slots.get(SLOTS[Fact.DOSES])),
        age=_int(slots.get(SLOTS[Fact.AGE])),
        last_dose=DoseDate.from_slot(last) if last else None,
        wanted=(wanted_mention.vaccine.name if wanted_mention and wanted_mention.vaccine else None),
        wanted_route=wanted_mention.route.value if wanted_mention else None,
    )


def addressee(slots: Mapping[str, Any]) -> str:
    """How the check speaks of the person it is for (see PERSON_SLOT)."""
    return str(slots.get(PERSON_SLOT) or booster_text.ASKER)


def _int(value) -> Optional[int]:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def slot_values(reading: Reading) -> Dict[str, Any]:
    """The slots a message fills; plain JSON values, as Rasa stores slots."""
    values: Dict[str, Any] = {}
    if reading.vaccine is not None:
        values[SLOTS[Fact.VACCINE]] = reading.vaccine.value
    elif reading.vaccine_unnamed is not None:
        values[SLOTS[Fact.VACCINE]] = reading.vaccine_unnamed
    elif reading.vaccine_unknown:
        values[SLOTS[Fact.VACCINE]] = UNKNOWN_VACCINE
    if reading.wanted is not None:
        values[WANTED_SLOT] = reading.wanted.value
    if reading.doses is not None:
        values[SLOTS[Fact.DOSES]] = reading.doses
    if reading.age is not None:
        values[SLOTS[Fact.AGE]] = reading.age
    if reading.last_dose is not None:
        values[SLOTS[Fact.LAST_DOSE]] = reading.last_dose.as_slot()
    return values


def _reask_key(fact: Fact, reading: Reading) -> str:
    if fact is Fact.LAST_DOSE and reading.dont_know:
        return "date_unknown"
    return {
        Fact.VACCINE: "vaccine_missing",
        Fact.DOSES: "doses_missing",
        Fact.AGE: "age_missing",
        Fact.LAST_DOSE: "date_missing",
    }[fact]


def looks_like_question(text: str) -> bool:
    return has_cjk(text) and (bool(_QUESTION.search(text)) or len(text.strip()) >= 8)


def form_turn(
    slots: Mapping[str, Any],
    text: str,
    intent: Optional[str],
    entities: Sequence[Mapping],
    today: date,
    activating: bool = False,
    rules: Optional[BoosterRules] = None,
) -> FormTurn:
    """Reads one message inside the form (or the one that opened it)."""
    requested_slot = slots.get("requested_slot")
    requested = FACT_OF_SLOT.get(requested_slot)
    current = facts_from_slots(slots)
    reading = read_message(
        text, today, requested.value if requested else None, entities, primary_known=current.vaccine_known
    )
    if not activating and not reading.found_anything():
        if intent == STOP_INTENT:
            return FormTurn(TurnKind.STOP)
        if intent in INTERRUPTING_INTENTS and looks_like_question(text or ""):
            return FormTurn(TurnKind.INTERRUPT)
    if (
        not activating
        and not reading.personal()
        and intent in INTERRUPTING_INTENTS
        and looks_like_question(text or "")
        and "我" not in (text or "")
    ):
        # 科兴是灭活疫苗吗 in the middle names a vaccine but asks a general
        # question: answer it rather than take 科兴 as the user's vaccine.
        return FormTurn(TurnKind.INTERRUPT)

    updates = slot_values(reading)
    if (
        reading.vaccine is not None
        and current.route
        and reading.vaccine.route.value != current.route
        and reading.doses is None
    ):
        # 不对，我是康希诺: a dose count given for another kind of vaccine says
        # nothing about this one, so it is asked again.
        updates[SLOTS[Fact.DOSES]] = None
    who = addressee(slots)
    messages = [booster_text.reask(p, who) for p in reading.problems]
    assessment = assess(facts_from_slots({**slots, **updates}), today, rules)
    following = SLOTS[assessment.missing] if assessment.missing else None
    if not activating and requested and not updates:
        if not reading.problems:
            asked = FACT_OF_SLOT.get(following, requested)
            messages.append(booster_text.reask(_reask_key(asked, reading), who))
        # Rasa rejects a form turn that sets no slot; storing "still unknown"
        # keeps the form in charge of this message.
        assert requested_slot is not None  # `requested` was found under it
        updates[requested_slot] = None
    return FormTurn(TurnKind.REASK if messages else TurnKind.ANSWER, updates, messages, following, assessment)


@dataclass
class Start:
    """What the check says when it opens, and the slots it clears first."""

    updates: Dict[str, Any]
    text: Optional[str] = None
    answer: Optional[dict] = None  # custom.answer metadata when the opening quotes the article


def start_turn(
    slots: Mapping[str, Any],
    text: str,
    intent: Optional[str],
    entities: Sequence[Mapping],
    today: date,
    rules: Optional[BoosterRules] = None,
) -> Start:
    """A new check (intent booster_check) starts from nothing; a statement of
    facts (intent inform: 不对，我是康希诺) corrects the facts already given.

    When the opening message already asks something the article answers
    (第三针能打康希诺吗), the reply leads with the article's sentence(s) before
    the first question; when the message holds every fact, the verdict follows
    at once and needs no preface."""
    rules = rules or load_rules()
    if intent == TRIGGER_INTENT and (text or "").startswith("/"):
        # The quick reply under a booster answer: the user has just read the
        # general rule, so the check starts without repeating it.
        return Start({s: None for s in ALL_SLOTS}, booster_text.INTRO)
    kept = {} if intent == TRIGGER_INTENT else {s: slots.get(s) for s in ALL_SLOTS}
    updates: Dict[str, Any] = {s: None for s in ALL_SLOTS} if intent == TRIGGER_INTENT else {}
    if intent == TRIGGER_INTENT:
        updates[PERSON_SLOT] = persons.addressee(text)
    reading = read_message(text, today, None, entities, primary_known=bool(kept.get(SLOTS[Fact.VACCINE])))
    merged = {**kept, **slot_values(reading)}
    assessment = assess(facts_from_slots(merged), today, rules)
    if assessment.outcome is not None or intent != TRIGGER_INTENT:
        return Start(updates)
    # "Can I get a booster?" is itself answered in general by the article (who
    # and when); a named booster vaccine by its own rule sentence.
    quotes = lead_quotes(facts_from_slots(merged), rules) or rules.quote(*GENERAL_LEAD)
    answer = {
        "kind": "faq",
        "answer_id": quotes[0].faq_id,
        "intent": intent,
        "lead": [q.text for q in quotes],
        "sources": [
            {**booster_text.article_source(rules).as_dict(), "question": q.question, "quote": q.text} for q in quotes
        ],
    }
    return Start(updates, booster_text.lead_text(quotes, rules, addressee(updates)), answer)


def lead_quotes(facts: Facts, rules: BoosterRules):
    """The rule sentences about the booster vaccine the user asks about, if any."""
    if not facts.wanted and not facts.wanted_route:
        return ()
    routes = [facts.route] if facts.route in rules.boosters else list(rules.boosters)
    ids: List[str] = []
    for route in routes:
        probe = Facts(
            vaccine=facts.vaccine, route=route, vaccine_known=True, wanted=facts.wanted, wanted_route=facts.wanted_route
        )
        choice, quote_ids = booster_choice(probe, rules.boosters[route])
        if choice is not None and quote_ids:
            ids += [q for q in quote_ids if q not in ids]
    return rules.quote(*ids)


def verdict_answer(facts: Facts, assessment: Assessment, rules: BoosterRules) -> dict:
    """custom.answer metadata of a verdict (CONTRACT.md: kind booster_check)."""
    outcome = assessment.outcome
    assert outcome is not None, "verdict_answer needs a finished assessment"
    return {
        "kind": "booster_check",
        "answer_id": outcome.quotes[0].faq_id if outcome.quotes else None,
        "intent": TRIGGER_INTENT,
        "verdict": outcome.verdict.value,
        "reason": outcome.reason.value,
        "facts": {
            "vaccine": facts.vaccine or facts.route,
            "doses": facts.doses,
            "age": facts.age,
            "last_dose": facts.last_dose.as_slot() if facts.last_dose is not None else None,
            "wanted": facts.wanted or facts.wanted_route,
        },
        "earliest_date": outcome.possible_from.isoformat() if outcome.possible_from else None,
        "certain_date": outcome.certain_from.isoformat() if outcome.certain_from else None,
        "lead": [q.text for q in outcome.quotes],
        "sources": [
            {**booster_text.article_source(rules).as_dict(), "question": q.question, "quote": q.text}
            for q in outcome.quotes
        ],
    }


def verdict_topic(assessment: Assessment) -> Optional[str]:
    """The FAQ a follow-up to the verdict continues: that of its last quote.
    A verdict quotes who may get a booster first and how to get it last, and
    what people ask next (那我打哪个好, 要隔多久) is about the how; a verdict
    that only quotes who (under 18) keeps that."""
    outcome = assessment.outcome
    return outcome.quotes[-1].faq_id if outcome is not None and outcome.quotes else None


# Answers about boosters offer the personal check as a quick reply, before the
# feedback buttons (which stay last, CONTRACT.md).
BOOSTER_CHECK_BUTTON = {"title": "帮我看看我能不能打加强针", "payload": f"/{TRIGGER_INTENT}"}
OFFER_AFTER = ("booster_target", "booster_schedule", "booster_concept")


def offer_booster_check(
    answer: Mapping[str, Any], buttons: Sequence[Mapping[str, str]], active_loop: Optional[str] = None
) -> List[Dict[str, str]]:
    plain = [dict(b) for b in buttons or ()]
    faq = str((answer or {}).get("answer_id") or "").split("#", 1)[0]
    if active_loop == FORM or faq not in OFFER_AFTER or (answer or {}).get("kind") not in ("faq", "passage"):
        return plain
    feedback = [b for b in plain if str(b.get("payload", "")).startswith("/feedback")]
    others = [b for b in plain if b not in feedback]
    return others + [dict(BOOSTER_CHECK_BUTTON)] + feedback
