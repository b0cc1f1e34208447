"""Counts outcomes of answering decisions against expected answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Dict, List, Mapping, Sequence

from bot.answering.decide import AnswerKind, Decision
from bot.evaluation.dataset import EvalQuestion


def answer_text(decision: Decision, faqs: Mapping) -> str:
    """What the user would read as the answer (without the source line)."""
    if decision.kind is AnswerKind.PASSAGE:
        assert decision.passage is not None  # a passage decision carries the quoted passage
        return decision.passage.passage_text
    if decision.kind is AnswerKind.FAQ:
        return faqs[decision.faq_id].display_answer
    return ""


class Outcome(str, Enum):
    """How one question fared (the evaluation vocabulary of CONTRACT.md)."""

    CORRECT = "correct"  # in scope, answered directly with the right FAQ
    ONE_TAP = "one_tap"  # in scope, clarified with the right FAQ among the buttons
    WRONG = "wrong"  # in scope, answered directly with a wrong FAQ (or a quote that misses)
    DECLINED = "declined"  # in scope, declined, or clarified without the right option
    ANSWERED_OOS = "answered_oos"  # out of scope but answered directly: the error that matters
    CLARIFIED_OOS = "clarified_oos"  # out of scope, asked 您是想问…? (states nothing, but wastes a tap)
    DECLINED_OOS = "declined_oos"  # out of scope and declined: right


IN_SCOPE_OUTCOMES = (Outcome.CORRECT, Outcome.ONE_TAP, Outcome.WRONG, Outcome.DECLINED)
OUT_OF_SCOPE_OUTCOMES = (Outcome.ANSWERED_OOS, Outcome.CLARIFIED_OOS, Outcome.DECLINED_OOS)


def outcome(question: EvalQuestion, decision: Decision, faqs: Mapping) -> Outcome:
    if not question.in_scope:
        if decision.answered:
            return Outcome.ANSWERED_OOS
        return Outcome.CLARIFIED_OOS if decision.kind is AnswerKind.CLARIFY else Outcome.DECLINED_OOS
    if decision.kind is AnswerKind.CLARIFY:
        # Picking the right button answers it with the whole FAQ answer.
        right = {question.expect, *question.also}
        return Outcome.ONE_TAP if right & set(decision.options) else Outcome.DECLINED
    if not decision.answered:
        return Outcome.DECLINED
    if decision.faq_id in question.also:
        return Outcome.CORRECT
    if decision.faq_id != question.expect:
        return Outcome.WRONG
    if question.evidence and question.evidence not in answer_text(decision, faqs):
        return Outcome.WRONG  # the right FAQ, but a quote that does not say what was asked
    return Outcome.CORRECT


@dataclass
class Scorecard:
    name: str
    counts: Dict[str, int] = field(default_factory=dict)
    misses: List[tuple] = field(default_factory=list)  # (question, outcome, decision)

    def add(self, question: EvalQuestion, decision: Decision, faqs: Mapping) -> None:
        result = outcome(question, decision, faqs)
        self.counts[result.value] = self.counts.get(result.value, 0) + 1
        if result not in (Outcome.CORRECT, Outcome.DECLINED_OOS):
            self.misses.append((question, result, decision))

    def _n(self, *keys: str) -> int:
        return sum(self.counts.get(Outcome(k).value, 0) for k in keys)

    @property
    def in_scope(self) -> int:
        return self._n(*IN_SCOPE_OUTCOMES)

    @property
    def out_of_scope(self) -> int:
        return self._n(*OUT_OF_SCOPE_OUTCOMES)

    def rate(self, key: str) -> float:
        total = self.out_of_scope if Outcome(key) in OUT_OF_SCOPE_OUTCOMES else self.in_scope
        return self._n(key) / total if total else 0.0

    def reach(self) -> float:
        """In-scope questions that reach the right answer directly or with one tap."""
        return self.rate("correct") + self.rate("one_tap")

    def wrong_answer_rate(self) -> float:
        """Wrong answers of all answers given to anyone: in scope wrong + out of scope answered."""
        answered = self._n("correct", "wrong", "answered_oos")
        return self._n("wrong", "answered_oos") / answered if answered else 0.0


def scorecard(name: str, questions: Sequence[EvalQuestion], decisions: Sequence[Decision], faqs: Mapping) -> Scorecard:
    card = Scorecard(name)
    for question, decision in zip(questions, decisions, strict=True):
        card.add(question, decision, faqs)
    return card
