"""The answering service the action server runs: one instance per process
(`process_service`), holding the knowledge base, the thresholds and (lazily)
the retrieval stack built over the same knowledge base."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from typing import Dict, List, Mapping, Optional

from bot.answering.citation import Source
from bot.answering.decide import AnswerKind, Decision, Mode, decide
from bot.answering.evidence import RetrievalView, RetrievedFaq
from bot.answering.follow_up import contextual_query
from bot.answering.intent_view import OUT_OF_SCOPE_INTENT, intent_view_from_parse
from bot.answering.render import faq_source, render_faq_answer, render_passage_answer
from bot.answering.settings import AnsweringSettings, load_answering_settings
from bot.knowledge import KnowledgeBase, load_knowledge_base

logger = logging.getLogger(__name__)

SEARCH_UNAVAILABLE = "utter_search_unavailable"


@dataclass
class Reply:
    """`text` is rendered here; `response` names a domain response Rasa renders."""

    decision: Decision
    text: Optional[str] = None
    response: Optional[str] = None
    notices: List[str] = field(default_factory=list)  # further domain responses to utter after it
    metadata: Dict = field(default_factory=dict)


def build_retriever(knowledge: Optional[KnowledgeBase] = None, settings=None):
    """The retrieval stack over `knowledge`, with its index loaded or (re)built as needed."""
    from bot.retrieval.hybrid import build_retriever as build
    from bot.retrieval.settings import load_settings

    return build(settings or load_settings(), knowledge=knowledge)


def retrieval_view(analysis) -> RetrievalView:
    """Folds the question-bank similarity into each FAQ's score; the passage
    kept for display is always the best passage from the article."""
    bank = analysis.bank
    per_faq = bank.per_faq if bank else {}
    faqs = tuple(
        RetrievedFaq(
            faq_id=fs.faq_id,
            score=max(float(fs.score), per_faq.get(fs.faq_id, 0.0)),
            passage_id=fs.best.passage.id,
            passage_kind=fs.best.passage.kind,
            passage_text=fs.best.passage.text,
            passage_score=float(fs.score),
            question_score=per_faq.get(fs.faq_id, 0.0),
        )
        for fs in analysis.faqs
    )
    lead = bank.out_of_scope - max(per_faq.values(), default=0.0) if bank else -1.0
    return RetrievalView(faqs, lead)


class AnsweringService:
    def __init__(self, knowledge: KnowledgeBase, settings: AnsweringSettings, retriever_factory=None):
        """`retriever_factory()` builds the retrieval stack; by default over this
        same knowledge base, so the FAQ files are read once."""
        self.knowledge = knowledge
        self.faqs = knowledge.by_id
        self.settings = settings
        self._retriever_factory = retriever_factory or (lambda: build_retriever(knowledge))
        self._retriever = None
        self.retriever_error: Optional[str] = None
        self._lock = threading.Lock()

    @classmethod
    def from_project(cls) -> "AnsweringService":
        from bot.retrieval.settings import load_settings

        retrieval_settings = load_settings()
        knowledge = load_knowledge_base(retrieval_settings)
        return cls(knowledge, load_answering_settings(),
                   retriever_factory=lambda: build_retriever(knowledge, retrieval_settings))

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
            return retrieval_view(retriever.analyse(query))
        except Exception as exc:
            logger.exception("Retrieval failed for one query; answering from the intent layer: %s", exc)
            return None

    def answer(self, text: str, parse: Optional[Mapping], previous_question: Optional[str] = None,
               mode: Mode = Mode.HYBRID) -> Reply:
        intent = intent_view_from_parse(parse)
        query = contextual_query(text or "", previous_question, self.settings.follow_up_max_chars)
        retrieved = self.search(query) if mode is not Mode.INTENT else None
        # The intent layer parsed only the fragment (那智飞的呢), not the question it
        # continues; for a follow-up only retrieval saw the whole question.
        effective = Mode.RETRIEVAL if mode is Mode.HYBRID and query != text and retrieved is not None else mode
        decision = decide(intent, retrieved, self.settings.calibration, effective)
        reply = self._render(decision, intent.intent)
        if mode is Mode.HYBRID and retrieved is None:
            reply.notices.append(SEARCH_UNAVAILABLE)
        reply.metadata = {
            "answer_id": decision.answer_id,
            "kind": decision.kind.value,
            "intent": intent.intent,
            "confidence": round(decision.score if decision.answered else intent.confidence, 4),
            "sources": [s.as_dict() for s in self._sources(decision)],
            "search_query": query if query != text else None,
            "retrieval": "ok" if retrieved is not None else ("off" if mode is Mode.INTENT else "unavailable"),
        }
        return reply

    def _render(self, decision: Decision, intent_name: Optional[str]) -> Reply:
        if decision.kind is AnswerKind.FAQ:
            return Reply(decision, text=render_faq_answer(self.faqs[decision.faq_id]))
        if decision.kind is AnswerKind.PASSAGE:
            return Reply(decision, text=render_passage_answer(decision.passage.passage_text,
                                                              self._sources(decision)[0]))
        response = "utter_out_of_scope" if intent_name == OUT_OF_SCOPE_INTENT else "utter_default"
        return Reply(decision, response=response)

    def _sources(self, decision: Decision) -> List[Source]:
        if not decision.answered or decision.faq_id not in self.faqs:
            return []
        quote = decision.passage.passage_text if decision.passage else None
        return [replace(faq_source(self.faqs[decision.faq_id]), quote=quote)]


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
