"""The answering service the action server runs: one instance per process
(`process_service`), holding the knowledge base, the thresholds and (lazily)
the retrieval stack built over the same knowledge base."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from bot.answering import build_calibration
from bot.answering.buttons import (
    CHOOSE_FAQ_INTENT,
    NONE_OF_THESE,
    NONE_OF_THESE_INTENT,
    SHOW_FULL_ANSWER_INTENT,
    faq_buttons,
    feedback_buttons,
)
from bot.answering.citation import Source, source_line
from bot.answering.decide import AnswerKind, Decision, Mode, decide
from bot.answering.evidence import RetrievalView, RetrievedFaq
from bot.answering.follow_up import (
    Conversation,
    FollowUp,
    Reading,
    bridge_sentences,
    covers_focus,
    lead_markers,
    lead_sentences,
    plan_follow_up,
    render_lead,
    render_not_covered,
    subject,
    vaccine_names,
)
from bot.answering.intent_view import intent_view_from_parse
from bot.answering.rasa_parse import RasaParser
from bot.answering.render import (
    CLARIFY_TEXT,
    NO_TOPIC_TEXT,
    NONE_OF_THESE_TEXT,
    UNKNOWN_CHOICE_TEXT,
    faq_source,
    render_decline,
    render_faq_answer,
    render_passage_answer,
)
from bot.answering.settings import AnsweringSettings, load_answering_settings
from bot.answering.targeted import targeted_sentences
from bot.knowledge import KnowledgeBase, load_knowledge_base

if TYPE_CHECKING:  # imported on the first follow-up only (see _focus_reader)
    from bot.dialogue.focus import FocusReader

logger = logging.getLogger(__name__)

SEARCH_UNAVAILABLE = "utter_search_unavailable"


class FullAnswerMode(str, Enum):
    """How a text channel offers custom.answer.full_answer (CONTRACT.md)."""

    ON_REQUEST = "on_request"  # a hint line; 全文 sends it
    APPEND = "append"  # printed after the lead


@dataclass
class Reply:
    """`text` is rendered here; `response` names a domain response Rasa renders."""

    decision: Decision
    text: Optional[str] = None
    response: Optional[str] = None
    buttons: List[Dict[str, str]] = field(default_factory=list)  # Rasa buttons: {"title", "payload"}
    notices: List[str] = field(default_factory=list)  # further domain responses to utter after it
    metadata: Dict = field(default_factory=dict)


def build_retriever(knowledge: Optional[KnowledgeBase] = None, settings=None):
    """The retrieval stack over `knowledge`, with its index loaded or (re)built as needed."""
    from bot.retrieval.hybrid import build_retriever as build
    from bot.retrieval.settings import load_settings

    return build(settings or load_settings(), knowledge=knowledge)


@dataclass(frozen=True)
class SingledOut:
    """What one question singles out in the answers (targeted_sentences):
    `asked`, the marker words of each aspect it asks; `names`, the words naming
    the vaccines it names; `not_about`, the rule sentences written for another
    primary series than the one the asker says they had."""

    asked: Tuple[Tuple[str, ...], ...] = ()
    names: Tuple[str, ...] = ()
    not_about: FrozenSet[str] = frozenset()


def _shown_passage(hits: Sequence, best, not_about: FrozenSet[str]):
    """`best`, or when it is a sentence not about the asker, the FAQ's best other passage."""
    if best.passage.text not in not_about:
        return best
    others = (h for h in hits if h.passage.faq_id == best.passage.faq_id and h.passage.text not in not_about)
    return max(others, key=lambda h: h.score, default=best)


def retrieval_view(
    analysis, singled: SingledOut = SingledOut(), answers: Optional[Mapping[str, Sequence[str]]] = None
) -> RetrievalView:
    """Folds the question-bank similarity into each FAQ's score; the passage
    kept for display is the best passage from the article that is about the
    asker. `singled` and `answers`: for targeted quotes (targeted_sentences)."""
    bank = analysis.bank
    per_faq = bank.per_faq if bank else {}
    hits = getattr(analysis, "hits", ())
    targets = targeted_sentences(hits, singled.asked, singled.names, answers, singled.not_about)
    shown = {fs.faq_id: _shown_passage(hits, fs.best, singled.not_about) for fs in analysis.faqs}
    faqs = tuple(
        RetrievedFaq(
            faq_id=fs.faq_id,
            score=max(float(fs.score), per_faq.get(fs.faq_id, 0.0)),
            passage_id=shown[fs.faq_id].passage.id,
            passage_kind=shown[fs.faq_id].passage.kind,
            passage_text=shown[fs.faq_id].passage.text,
            passage_score=float(fs.score),
            question_score=per_faq.get(fs.faq_id, 0.0),
            target=targets.get(fs.faq_id),
        )
        for fs in analysis.faqs
    )
    lead = bank.out_of_scope - max(per_faq.values(), default=0.0) if bank else -1.0
    return RetrievalView(faqs, lead)


def not_about_the_asker(query: str) -> FrozenSet[str]:
    """The booster rules' sentences written for other primary series than the
    one `query` says the asker had (data/booster_rules.yml). 打过康希诺
    加强能打智飞吗 must not be answered with the 混打 sentence: it names both
    vaccines, but is about two inactivated doses, and the article never says
    what may follow one 康希诺 dose but 康希诺 again."""
    from datetime import date

    from bot.dialogue.booster import load_rules
    from bot.dialogue.booster_message import read_message
    from bot.dialogue.vaccines import catalog

    # Most questions name no vaccine: the alias scan spares them the whole
    # message reading (dates, numbers, Traditional folding) on every search.
    named = {m.value for m in catalog().mentions_in(query)[1]}
    if not named:
        return frozenset()
    reading = read_message(query, date.today())
    had = reading.vaccine
    # Two vaccines and no role read for either: ruling sentences out on a guess
    # could hide the one the question is about.
    if had is None or (reading.wanted is None and len(named) > 1):
        return frozenset()
    rules = load_rules()
    return frozenset(rules.quotes[q].text for q in rules.quotes_not_about(had.route))


class AnsweringService:
    def __init__(self, knowledge: KnowledgeBase, settings: AnsweringSettings, retriever_factory=None, parser=None):
        """`retriever_factory()` builds the retrieval stack; by default over this
        same knowledge base, so the FAQ files are read once."""
        self.knowledge = knowledge
        self.faqs = knowledge.by_id
        self.settings = settings
        self._retriever_factory = retriever_factory or (lambda: build_retriever(knowledge))
        self._retriever = None
        self._reader: Optional[FocusReader] = None  # the follow-up focus reader, built on the first follow-up
        self._sentences: Optional[Dict[str, List[str]]] = None  # each whole answer's sentences, split on first need
        # text -> Rasa parse dict (bot/answering/rasa_parse.py), for rewritten follow-ups; None: not available
        self.parser = parser
        self.retriever_error: Optional[str] = None
        self._lock = threading.Lock()

    @classmethod
    def from_project(cls) -> "AnsweringService":
        from bot.retrieval.settings import load_settings

        retrieval_settings = load_settings()
        knowledge = load_knowledge_base(retrieval_settings)
        return cls(
            knowledge,
            build_calibration.overlay(load_answering_settings(), index_dir=Path(retrieval_settings.index_dir)),
            retriever_factory=lambda: build_retriever(knowledge, retrieval_settings),
            parser=RasaParser.from_env(),
        )

    def retriever(self):
        """The retriever, or None when it cannot be loaded (the reason is logged once
        and kept in `retriever_error`; the next call tries again)."""
        with self._lock:
            if self._retriever is None:
                try:
                    self._retriever = self._retriever_factory()
                    self.retriever_error = None
                except Exception as exc:  # any failure here must degrade, not end the conversation
                    if str(exc) != self.retriever_error:
                        logger.error("Retrieval unavailable, answering from the intent layer only: %s", exc)
                    self.retriever_error = str(exc)
            return self._retriever

    def warm_up(self) -> None:
        retriever = self.retriever()
        if retriever is not None:
            retriever.analyse("加强针怎么打")

    def search(self, query: str) -> Optional[RetrievalView]:
        retriever = self.retriever()
        if retriever is None:
            return None
        try:
            return retrieval_view(retriever.analyse(query), self._singled_out(query), self._answer_sentences())
        except Exception as exc:
            logger.exception("Retrieval failed for one query; answering from the intent layer: %s", exc)
            return None

    def answer(
        self, text: str, parse: Optional[Mapping], conversation: Optional[Conversation] = None, mode: Mode = Mode.HYBRID
    ) -> Reply:
        intent = intent_view_from_parse(parse)
        text = text or ""
        follow_up = self._plan_follow_up(text, conversation) if mode is not Mode.INTENT else None
        unstated = self._uncovered(follow_up) if follow_up is not None and follow_up.continues else ()
        decision, retrieved, query, reading = self._decide_turn(text, intent, follow_up, unstated, mode)
        uncovered = unstated if reading is Reading.NOT_COVERED else ()
        if not uncovered and mode is not Mode.INTENT:
            # Also when the turn was read with the topic: 我去年阳过了 还能打吗
            # after a booster answer is about infection, which no topic covers.
            uncovered = self.not_covered_terms(text)
            if uncovered:
                decision = not_covered_decision(uncovered[0])
        reply = self._render(decision)
        if uncovered:
            reply = Reply(decision, text=render_not_covered(uncovered[0]))
            reply.metadata = self._metadata(decision)
        elif follow_up is not None and decision.answered:
            # 智飛是什麼疫苗 after a question stands alone, yet it names what it is about.
            reply = self._lead_with_focus(reply, decision, follow_up)
        if mode is Mode.HYBRID and retrieved is None:
            reply.notices.append(SEARCH_UNAVAILABLE)
        reply.metadata.update(
            {
                "intent": intent.intent,
                "confidence": round(decision.score if decision.answered else intent.confidence, 4),
                "search_query": query if query != text else None,
                "retrieval": "ok" if retrieved is not None else ("off" if mode is Mode.INTENT else "unavailable"),
            }
        )
        if follow_up is not None:
            reply.metadata["follow_up"] = reading.value
        return reply

    def guard_not_covered(self, text: str, decision: Decision) -> Decision:
        """孕妇能打吗, 打完发烧怎么办: whatever the scores say, a question about a
        subject the explainer never covers is declined plainly. Offering
        哪些人群可以接种 as 您是想问 would read as an answer to it. The evaluation
        applies it too, so its figures are what users get."""
        uncovered = self.not_covered_terms(text)
        return not_covered_decision(uncovered[0]) if uncovered else decision

    def _singled_out(self, query: str) -> SingledOut:
        """What `query` singles out in an answer: the marker words of each aspect
        it asks (间隔 → 个月/间隔/满半年), the words naming the vaccines it
        names, their technology routes included (科兴 → 灭活疫苗), and the rule
        sentences not about the primary series it says the asker had."""
        from bot.dialogue.vaccines import catalog
        from bot.text.normalize import normalize_query

        focus = self._focus_reader().read(normalize_query(query))
        asked = tuple(a.sentences_with for a in focus.aspects if a.sentences_with)
        return SingledOut(asked, tuple(vaccine_names(focus.vaccines, catalog())), not_about_the_asker(query))

    def not_covered_terms(self, text: str) -> Tuple[str, ...]:
        """The curated subjects the explainer never covers (data/dictionary/follow_up.yml
        `not_covered`: pregnancy, side effects, cost, booking, a fourth dose…, and
        `uncounted`: figures for groups) named in `text`."""
        from bot.text.normalize import normalize_query

        return self._focus_reader().rules.never_covered(normalize_query(text))

    # -- follow-ups (bot/answering/follow_up.py) -------------------------------------------

    def _focus_reader(self):
        if self._reader is None:
            from bot.dialogue.focus import FocusReader

            source = " ".join(f"{faq.question} {faq.answer}" for faq in self.faqs.values())
            self._reader = FocusReader(source)
        return self._reader

    def _plan_follow_up(self, text: str, conversation: Optional[Conversation]) -> Optional[FollowUp]:
        topic = conversation.continued_faq if conversation is not None else None
        if conversation is None or topic not in self.faqs:
            return None
        from bot.dialogue.vaccines import catalog

        return plan_follow_up(
            text,
            conversation,
            self.faqs[topic].question,
            self._focus_reader(),
            catalog(),
            self.settings.follow_up_max_chars,
        )

    def _decide_turn(self, text: str, intent, follow_up: Optional[FollowUp], unstated: Tuple[str, ...], mode: Mode):
        """(decision, retrieval view, query searched, reading) for one turn;
        `unstated` is what a continuing follow-up asks that the source never states."""
        calibration = self.settings.calibration
        if follow_up is not None and follow_up.continues:
            if unstated:
                decision = Decision(
                    AnswerKind.DECLINE,
                    reason=f"follow-up about {unstated[0]!r}, which the source never states",
                )
                return decision, self.search(text), text, Reading.NOT_COVERED
            return (*self._read_with_topic(intent, follow_up, mode), Reading.CONTINUED)
        retrieved = self.search(text)
        decision = decide(intent, retrieved, calibration, mode)
        if follow_up is not None and decision.answered and self._misses_focus(decision.faq_id, follow_up):
            # 那她加强能打哪几种 after a booster check stands alone, but its answer
            # (who may get a booster) never says which vaccine the booster may be.
            decision = self._stating_focus(decision, [decision], follow_up)
        if follow_up is not None and not decision.answered and not follow_up.uncovered and follow_up.focus.anchored:
            # 那他能打加强针嘛 stands alone but may only make sense with the topic;
            # 顺便问一下 明天大同下雨不, declined on its own, has nothing the topic could be about.
            second, continued, query = self._read_with_topic(intent, follow_up, mode)
            # A turn that asks something of its own (打完加强还会得新冠吗 after
            # 加强针怎么打) keeps its clarification unless the topic's reading
            # is one of the options it offered.
            if second.answered and (decision.kind is not AnswerKind.CLARIFY or second.faq_id in decision.options):
                return second, continued, query, Reading.CONTINUED
        return decision, retrieved, text, Reading.STANDALONE

    def _read_with_topic(self, intent, follow_up: FollowUp, mode: Mode):
        """(decision, retrieval view, query) of the turn read with the topic.

        Both layers see each whole rewritten question: the intent layer parses it
        too (when the Rasa server can be asked), so the combiner weighs the usual
        evidence, out-of-scope included."""
        readings = []
        focus = follow_up.focus
        # Nothing but an aspect (怎么打, 要隔多久), no word of its own.
        bare_aspect = bool(focus.aspects) and not (focus.terms or focus.subject or follow_up.vaccines)
        for order, query in enumerate(follow_up.queries):
            retrieved = self.search(query)
            decision = self._within_topic(
                decide(self._continued_intent(query, intent), retrieved, self.settings.calibration, mode), follow_up
            )
            covers = decision.answered and self._covers_focus(decision.faq_id, follow_up)
            moves_on = bare_aspect and decision.answered and decision.faq_id != follow_up.topic_faq
            rank = (decision.answered, covers, moves_on, decision.score if decision.answered else 0.0, -order)
            readings.append((rank, (decision, retrieved, query)))
        # Answered first; then the answer that holds sentences about what was
        # asked (康希诺 + 几针); for a bare aspect, one that is not the answer
        # just given (怎么打 after 那加强针呢 reads 加强针怎么打, not the booster
        # target again: the topic's own question in the rewrite pulls toward
        # repeating it; 那打了加强针还会感染不 asks its own thing and may stay);
        # then the surer one; ties to the more specific rewrite.
        (_, covers, *_), (decision, retrieved, query) = max(readings, key=lambda r: r[0])
        if not covers:
            decision = self._stating_focus(decision, [r[1][0] for r in readings], follow_up)
        return decision, retrieved, query

    def _uncovered(self, follow_up: FollowUp) -> Tuple[str, ...]:
        """What a continuing follow-up asks that the explainer never states: a
        thing it never names (那孕妇呢), or an aspect of a vaccine no sentence
        gives (智飞龙科马 + 要打几针: the explainer counts doses only for the
        inactivated and adenovirus-vector vaccines)."""
        if follow_up.uncovered:
            return follow_up.uncovered
        checked = [a for a in follow_up.focus.aspects if a.sentences_with]
        if not follow_up.vaccines or not checked or any(self._covers_focus(fid, follow_up) for fid in self.faqs):
            return ()
        return (f"{subject(follow_up)}的{checked[0].label}",)

    def _within_topic(self, decision: Decision, follow_up: FollowUp) -> Decision:
        """A clarification whose first option is the conversation's topic, or an
        FAQ that states what the turn asks about its vaccine (康希诺 + 几针), is
        answered with that FAQ: the topic is evidence the combiner cannot see,
        and the reply quotes only the sentences about what was asked."""
        if decision.kind is not AnswerKind.CLARIFY or not decision.options:
            return decision
        first = decision.options[0]
        on_topic = first == follow_up.topic_faq and bool(follow_up.vaccines or follow_up.focus.aspects)
        if not on_topic and not self._covers_focus(first, follow_up):
            return decision
        why = "the conversation's topic" if on_topic else "states what was asked about the vaccine"
        return Decision(AnswerKind.FAQ, first, None, decision.score, f"{decision.reason}; {why}", decision.scores)

    def _stating_focus(self, decision: Decision, decided: List[Decision], follow_up: FollowUp) -> Decision:
        """这种要打几针 after 灭活疫苗有哪几种: the topic's answer names the vaccine
        but not the doses, while other answers state both. Of those, the one the
        readings rank highest is answered (its sentences about them lead)."""
        stating = {fid for fid in self.faqs if self._covers_focus(fid, follow_up)}
        floor = self.settings.calibration.bands.suggest  # at least as likely as a 猜你想问 suggestion
        ranked = sorted(
            ((p, fid) for d in decided for fid, p in d.scores if fid in stating and p >= floor),
            reverse=True,
            key=lambda x: x[0],
        )
        if not ranked:
            return decision
        p, fid = ranked[0]
        return Decision(
            AnswerKind.FAQ, fid, None, p, f"states what was asked about the vaccine (P={p:.2f})", decision.scores
        )

    def _misses_focus(self, faq_id: Optional[str], follow_up: FollowUp) -> bool:
        """True when the turn asks an aspect the explainer marks (剂次, 加强免疫…)
        and no sentence of this FAQ's answer states it."""
        return bool(follow_up.focus.lead_markers) and not self._covers_focus(faq_id, follow_up)

    def _covers_focus(self, faq_id: Optional[str], follow_up: FollowUp) -> bool:
        """True when the FAQ's answer has a sentence marking the aspect the turn
        asks, naming its vaccine too if it names one (康希诺 + 剂次)."""
        from bot.dialogue.vaccines import catalog

        sentences = self._answer_sentences().get(faq_id) if faq_id is not None else None
        return sentences is not None and covers_focus(sentences, follow_up, catalog())

    def _answer_sentences(self) -> Dict[str, List[str]]:
        """The sentences of every whole (not partial) answer, by FAQ id, in source order."""
        if self._sentences is None:
            from bot.ingest.sentences import split_sentences

            self._sentences = {fid: list(split_sentences(f.answer)) for fid, f in self.faqs.items() if not f.partial}
        return self._sentences

    def _continued_intent(self, query: str, typed):
        """The intent layer's view of the rewritten question, or of the typed
        turn when the Rasa server cannot be asked."""
        parse = self.parser(query) if self.parser is not None else None
        return intent_view_from_parse(parse) if parse else typed

    def _lead_with_focus(self, reply: Reply, decision: Decision, follow_up: FollowUp) -> Reply:
        """那智飞的呢: the answer leads with the sentences about 智飞, quoted with
        their source; the whole answer follows on text channels and is folded
        away in the widget (full_answer_mode=append)."""
        from bot.dialogue.focus import sentences_about
        from bot.dialogue.vaccines import catalog

        answers = self._answer_sentences()
        if decision.faq_id not in answers:  # no FAQ, or a partial one
            return reply
        faq = self.faqs[decision.faq_id]
        vaccines = catalog()
        sentences = answers[faq.id]
        candidates = [(fid, sentence) for fid, split in answers.items() for sentence in split]
        lead = lead_sentences(sentences, follow_up, vaccines)
        if not lead:
            # 打国药的算不算 after 加强针哪些人可以打: the whole answer is about the
            # vaccine's route (灭活疫苗) without naming it; it leads after the
            # sentence that names the vaccine with its route, or not at all.
            about = sentences_about(sentences, lead_markers(follow_up, vaccines)[0])
            if about != sentences or not bridge_sentences(follow_up, about, vaccines, candidates):
                return reply
            lead = about
        bridge = bridge_sentences(follow_up, lead, vaccines, candidates)
        quoted = [([sentence], self.faqs[fid]) for fid, sentence in bridge] + [(lead, faq)]
        sources = [replace(faq_source(f), quote="".join(sentences)) for sentences, f in quoted]
        text = render_lead(
            subject(follow_up),
            [(sentences, source_line(src)) for (sentences, _), src in zip(quoted, sources, strict=True)],
        )
        led = Reply(
            Decision(
                AnswerKind.FAQ, faq.id, None, decision.score, decision.reason + "; led with the focus", decision.scores
            ),
            text=text,
            buttons=reply.buttons,
        )
        led.metadata = self._metadata(led.decision)
        led.metadata.update(
            {
                "sources": [s.as_dict() for s in sources],
                "lead": [*(sentence for _, sentence in bridge), *lead],
                "full_answer": render_faq_answer(faq),
                "full_answer_mode": FullAnswerMode.APPEND.value,
            }
        )
        return led

    def choose(self, faq_id: Optional[str]) -> Reply:
        """The user picked a FAQ (a clarification or 猜你想问 button): answer it
        as it is, with no NLU and no threshold."""
        if faq_id not in self.faqs:
            reply = Reply(Decision(AnswerKind.DECLINE, reason=f"unknown choice {faq_id!r}"), text=UNKNOWN_CHOICE_TEXT)
            reply.metadata = self._metadata(reply.decision)
        else:
            reply = self._render(Decision(AnswerKind.FAQ, faq_id, score=1.0, reason="chosen by the user"))
        reply.metadata.update({"intent": CHOOSE_FAQ_INTENT, "confidence": 1.0})
        return reply

    def none_of_these(self) -> Reply:
        """都不是: the decline with 12320, offering nothing more."""
        decision = Decision(AnswerKind.DECLINE, reason="none of the offered questions")
        reply = Reply(decision, text=NONE_OF_THESE_TEXT)
        reply.metadata.update(self._metadata(decision), intent=NONE_OF_THESE_INTENT, confidence=1.0)
        return reply

    def full_answer(self, faq_id: Optional[str]) -> Reply:
        """全文: the whole answer of the conversation's current topic."""
        if faq_id not in self.faqs:
            reply = Reply(Decision(AnswerKind.DECLINE, reason="no topic yet"), text=NO_TOPIC_TEXT)
            reply.metadata.update(self._metadata(reply.decision))
        else:
            reply = self._render(Decision(AnswerKind.FAQ, faq_id, score=1.0, reason="full answer requested"))
        reply.metadata.update({"intent": SHOW_FULL_ANSWER_INTENT, "confidence": 1.0})
        return reply

    def _render(self, decision: Decision) -> Reply:
        questions = {fid: faq.question for fid, faq in self.faqs.items()}
        if decision.kind is AnswerKind.FAQ:
            assert decision.faq_id is not None  # a FAQ decision names its FAQ
            reply = Reply(decision, text=render_faq_answer(self.faqs[decision.faq_id]), buttons=feedback_buttons())
        elif decision.kind is AnswerKind.PASSAGE:
            assert decision.passage is not None  # a passage decision carries the quoted passage
            reply = Reply(
                decision,
                text=render_passage_answer(decision.passage.passage_text, self._sources(decision)[0]),
                buttons=feedback_buttons(),
            )
        elif decision.kind is AnswerKind.CLARIFY:
            reply = Reply(
                decision, text=CLARIFY_TEXT, buttons=faq_buttons(decision.options, questions) + [dict(NONE_OF_THESE)]
            )
        else:
            suggestions = faq_buttons(decision.options, questions)
            reply = Reply(decision, text=render_decline(bool(suggestions)), buttons=suggestions)
        reply.metadata = self._metadata(decision)
        return reply

    def _metadata(self, decision: Decision) -> Dict:
        metadata: Dict[str, Any] = {
            "answer_id": decision.answer_id,
            "kind": decision.kind.value,
            "sources": [s.as_dict() for s in self._sources(decision)],
        }
        if decision.options:
            metadata["options"] = list(decision.options)
        if decision.kind is AnswerKind.PASSAGE and decision.faq_id in self.faqs:
            # The quote leads; the whole answer stays one tap (or 全文) away.
            assert decision.passage is not None and decision.faq_id is not None  # a passage decision carries both
            metadata["lead"] = [decision.passage.passage_text]
            metadata["full_answer"] = render_faq_answer(self.faqs[decision.faq_id])
            metadata["full_answer_mode"] = FullAnswerMode.ON_REQUEST.value
        return metadata

    def _sources(self, decision: Decision) -> List[Source]:
        if not decision.answered or decision.faq_id not in self.faqs:
            return []
        quote = decision.passage.passage_text if decision.passage else None
        return [replace(faq_source(self.faqs[decision.faq_id]), quote=quote)]


def not_covered_decision(term: str) -> Decision:
    """The plain decline of a question about a subject the explainer never covers."""
    return Decision(AnswerKind.DECLINE, reason=f"asks about {term!r}, which the source never mentions")


# The one process-wide cache: the action server builds its service once, and the
# service loads the knowledge base once and the retrieval stack on first need.
_process_service: Optional[AnsweringService] = None
_process_lock = threading.Lock()


def process_service(factory=AnsweringService.from_project) -> AnsweringService:
    """This process's AnsweringService, built on first call. A failed build is
    not cached: the next call tries again."""
    global _process_service
    with _process_lock:
        if _process_service is None:
            _process_service = factory()
        return _process_service
