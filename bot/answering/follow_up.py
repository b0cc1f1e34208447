"""Turns that continue the conversation's topic: 那智飞的呢, 它要打几针,
要隔多久, 那孕妇呢.

The topic is the last FAQ the bot answered (the `topic_faq` slot), never the
user's raw previous text: a declined or off-topic turn (政采贷是什么) changes
nothing, so it cannot leak into the next question.

A turn is read against the topic only when it cannot stand alone (its focus
is elliptical, bot/dialogue/focus.py). Then:

- it names something the explainer never mentions (孕妇, 政采贷): decline,
  whatever the topic — continuing would put the topic's answer next to a
  question it does not answer;
- otherwise the question is rewritten with the topic's own question
  (加强针怎么打？那智飞的呢) and decided by the same hybrid as any question:
  the intent layer's parse of the turn (its out-of-scope evidence included)
  and retrieval over the rewritten question go through the combiner and its
  bands; nothing is skipped. Two more rewrites are decided the same way when
  they apply: the topic's question with its subject swapped (为什么要积极接种
  新冠病毒疫苗 + 那加强针呢 → 为什么要积极接种加强针), or its subject with the
  asked aspect (加强免疫接种是怎么回事 + 怎么打 → 加强免疫怎么打); and the
  named vaccine with the aspect (康希诺 它要打几针), which may belong to another
  FAQ than the topic.

When the last turn was a clarification the user did not answer with a pick,
its first option is the topic a typed follow-up continues (offered_faq): the
user narrowed the question instead of tapping.

A self-contained turn (那疫苗加强针怎么打) is decided on its own; if that
declines and the turn is short, the topic reading gets a second chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import List, Optional, Sequence, Tuple

from bot.dialogue.focus import Focus, FocusReader, clauses, compact, sentences_about, without_cue
from bot.dialogue.numbers import bare_number
from bot.dialogue.vaccines import VaccineCatalog, VaccineMention


class Reading(str, Enum):
    """How a turn was read; travels in custom.answer.follow_up for reports."""

    STANDALONE = "standalone"  # decided on its own
    CONTINUED = "continued"  # decided with the topic's question
    NOT_COVERED = "not_covered"  # continues the topic with something the source never covers


@dataclass(frozen=True)
class Conversation:
    """What the dialogue knows before this turn (slots)."""

    topic_faq: Optional[str] = None  # the last FAQ answered
    vaccine: Optional[str] = None  # the last vaccine the user named (canonical value)
    offered_faq: Optional[str] = None  # the first option of a clarification left unanswered since

    @property
    def continued_faq(self) -> Optional[str]:
        """What a follow-up continues: the clarification's first option when the
        user typed on instead of picking, else the last FAQ answered."""
        return self.offered_faq or self.topic_faq


@dataclass(frozen=True)
class FollowUp:
    topic_faq: str
    focus: Focus
    query: str  # the rewritten question: the topic's question + the turn
    vaccines: Tuple[VaccineMention, ...]  # named in the turn, or the conversation's one for 它
    entity_query: Optional[str] = None  # the vaccine + the turn, when it asks an aspect of a vaccine
    subject_query: Optional[str] = None  # the topic's question with its subject swapped, or its subject + the aspect

    @property
    def queries(self) -> Tuple[str, ...]:
        """The rewrites to decide, the more specific reading first (ties go to it)."""
        return tuple(q for q in (self.subject_query, self.query, self.entity_query) if q)

    @property
    def uncovered(self) -> Tuple[str, ...]:
        return self.focus.uncovered

    @property
    def continues(self) -> bool:
        """Read with the topic first (the turn cannot stand alone)."""
        return self.focus.elliptical


def compact_length(text: str) -> int:
    return len(compact(text))


def plan_follow_up(
    text: str,
    conversation: Conversation,
    topic_question: Optional[str],
    reader: FocusReader,
    vaccines: VaccineCatalog,
    max_chars: int,
) -> Optional[FollowUp]:
    """The follow-up reading of `text`, or None when it has no topic to continue
    (no FAQ answered yet, or the turn is too long to be a follow-up)."""
    topic_faq = conversation.continued_faq
    if not topic_faq or not topic_question or not 0 < compact_length(text) <= max_chars:
        return None
    if bare_number(text) is not None:
        # "2" with no options on screen adds nothing to the topic; repeating
        # its answer would read as the meaning of "2".
        return None
    focus = reader.read(text)
    named = focus.vaccines
    parts = [topic_question]
    if not named and (focus.pronoun or (focus.aspects and not focus.terms)) and conversation.vaccine:
        # 它要打几针 / 要打几针 after 康希诺是哪种疫苗: the vaccine the user last named.
        # Not 加强针给谁打怎么打 after 那智飞的呢: a turn with words of its own
        # says what it is about; lending it the vaccine would answer with the
        # 智飞 sentence again instead of what was asked.
        mention = vaccines.canonicalise(conversation.vaccine)
        if mention is not None:
            named = (mention,)
            parts.append(mention.value)
    parts.append(text.strip())
    # An aspect of a vaccine (康希诺 + 要打几针) may belong to another FAQ than
    # the topic: that reading is tried too, without the topic's question.
    entity_query = (
        " ".join([*(m.value for m in named if m.value not in text), text.strip()]) if named and focus.aspects else None
    )
    return FollowUp(
        topic_faq,
        focus,
        " ".join(parts),
        tuple(named),
        entity_query,
        subject_query(text, focus, topic_question, reader.rules.subjects, bool(named)),
    )


def subject_query(
    text: str, focus: Focus, topic_question: str, subjects: Sequence[str], names_vaccine: bool
) -> Optional[str]:
    """The topic's question asked about the turn's subject instead (那加强针呢),
    or the topic's subject with the aspect the turn asks (怎么打); None when
    the turn is neither, or the topic's question has no subject to swap."""
    topic_subject = max((s for s in subjects if s in topic_question), key=len, default=None)
    if topic_subject is None:
        return None
    if focus.subject and (focus.ellipsis or not (focus.aspects or names_vaccine)):
        # Not 那打加强针要隔多久: swapping would drop the interval it asks.
        swapped = topic_question.replace(topic_subject, focus.subject, 1)
        return swapped if swapped != topic_question else None
    if focus.aspects and not focus.terms and not names_vaccine:
        return topic_subject + without_cue(text)
    return None


def vaccine_names(mentions: Sequence[VaccineMention], vaccines: VaccineCatalog) -> List[str]:
    """Every word naming the mentioned vaccines, their technology routes included."""
    names: List[str] = []
    for mention in mentions:
        if mention.vaccine is not None:
            names += [mention.vaccine.name, *mention.vaccine.aliases]
        # The explainer states its rules per technology route (灭活疫苗…), so the
        # route's sentences are about the vaccine too.
        names += list(vaccines.route(mention.route).aliases)
    return names


def lead_markers(follow_up: FollowUp, vaccines: VaccineCatalog) -> Tuple[List[str], List[str]]:
    """(words naming the focus vaccines, words marking the focus aspects) that
    pick the sentences a reply leads with."""
    return vaccine_names(follow_up.vaccines, vaccines), list(follow_up.focus.lead_markers)


def lead_sentences(sentences: Sequence[str], follow_up: FollowUp, vaccines: VaccineCatalog) -> List[str]:
    """The sentences of the answer about what the follow-up names, or [] when
    nothing narrower than the whole answer fits."""
    names, aspect_markers = lead_markers(follow_up, vaccines)
    if names:
        chosen = sentences_about(sentences, names)
        if chosen and aspect_markers:
            # 智飞要隔多久: the vaccine's sentences that also say when, if any do.
            narrower = sentences_about(chosen, aspect_markers)
            chosen = narrower or chosen
    else:
        chosen = sentences_about(sentences, aspect_markers)
    return chosen if 0 < len(chosen) < len(sentences) else []


def covers_focus(sentences: Sequence[str], follow_up: FollowUp, vaccines: VaccineCatalog) -> bool:
    """True when some sentence marks the aspect the turn asks, and names its
    vaccine if it names one (康希诺 + 几针 → "1剂次腺病毒载体疫苗"; 要打几剂 →
    "1剂次加强免疫"). A turn that names a vaccine and asks no marked aspect
    (那智飞的呢) is covered by an answer with a sentence naming the vaccine or
    its route; one that names neither is never covered."""
    names, _ = lead_markers(follow_up, vaccines)
    if names and not any(aspect.sentences_with for aspect in follow_up.focus.aspects):
        return bool(sentences_about(sentences, names))
    for aspect in follow_up.focus.aspects:
        units = clauses(sentences) if aspect.same_clause and names else sentences
        about = sentences_about(units, names) if names else list(units)
        if aspect.sentences_with and sentences_about(about, aspect.sentences_with):
            return True
    return False


def bridge_sentences(
    follow_up: FollowUp, lead: Sequence[str], vaccines: VaccineCatalog, candidates: Sequence[Tuple[str, str]]
) -> List[Tuple[str, str]]:
    """When the lead names a vaccine only by its route (灭活疫苗 for 科兴): the
    explainer's first sentence naming the vaccine together with its route, as
    (faq id, sentence), so the reply never asks the reader to know which is which.
    `candidates` are (faq id, sentence) pairs in source order."""
    bridges: List[Tuple[str, str]] = []
    for mention in follow_up.vaccines:
        if mention.vaccine is None:
            continue
        names = [mention.vaccine.name, *mention.vaccine.aliases]
        if any(name in sentence for sentence in lead for name in names):
            continue
        route_names = vaccines.route(mention.route).aliases
        for faq_id, sentence in candidates:
            if any(n in sentence for n in names) and any(r in sentence for r in route_names):
                if (faq_id, sentence) not in bridges:
                    bridges.append((faq_id, sentence))
                break
    return bridges


def subject(follow_up: FollowUp) -> Optional[str]:
    """What the lead is about, in the user's terms: the vaccine's canonical name."""
    return "、".join(m.value for m in follow_up.vaccines) or None


# The bot's own words around the quotes; everything between quotes is the source's.
LEAD_INTRO = "关于“{subject}”，资料原文是这样说的："
LEAD_INTRO_PLAIN = "资料原文中与您的问题最相关的内容是："
NOT_COVERED_FOLLOW_UP = (
    "抱歉，我依据的市疾控中心专家答问没有提到“{term}”的情况。为避免误导，我不作回答。"
    "请咨询接种单位、当地疾控中心，或拨打12320卫生健康热线。"
)


def render_lead(subject_name: Optional[str], quotes: Sequence[Tuple[Sequence[str], str]]) -> str:
    """The intro, then each group of quoted sentences followed by its source line."""
    lines = [LEAD_INTRO.format(subject=subject_name) if subject_name else LEAD_INTRO_PLAIN]
    for sentences, source in quotes:
        lines.append("“" + "".join(sentences) + "”")
        lines.append(source)
    return "\n".join(lines)


def render_not_covered(term: str) -> str:
    return NOT_COVERED_FOLLOW_UP.format(term=term)
