"""Counts outcomes of answering decisions against expected answers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Sequence

from bot.answering.decide import AnswerKind, Decision
from bot.evaluation.dataset import EvalQuestion


def answer_text(decision: Decision, faqs: Mapping) -> str:
    """What the user would read as the answer (without the source line)."""
    if decision.kind is AnswerKind.PASSAGE:
        return decision.passage.passage_text
    if decision.kind is AnswerKind.FAQ:
        return faqs[decision.faq_id].display_answer
    return ""


def outcome(question: EvalQuestion, decision: Decision, faqs: Mapping) -> str:
    """One of: correct, wrong, declined (in scope), answered_oos, declined_oos."""
    if not question.in_scope:
        return "answered_oos" if decision.answered else "declined_oos"
    if not decision.answered:
        return "declined"
    if decision.faq_id in question.also:
        return "correct"
    if decision.faq_id != question.expect:
        return "wrong"
    if question.evidence and question.evidence not in answer_text(decision, faqs):
        return "wrong"  # the right FAQ, but a quote that does not say what was asked
    return "correct"


@dataclass
class Scorecard:
    name: str
    counts: Dict[str, int] = field(default_factory=dict)
    misses: List[tuple] = field(default_factory=list)  # (question, outcome, decision)

    def add(self, question: EvalQuestion, decision: Decision, faqs: Mapping) -> None:
        result = outcome(question, decision, faqs)
        self.counts[result] = self.counts.get(result, 0) + 1
        if result not in ("correct", "declined_oos"):
            self.misses.append((question, result, decision))

    def _n(self, *keys: str) -> int:
        return sum(self.counts.get(k, 0) for k in keys)

    @property
    def in_scope(self) -> int:
        return self._n("correct", "wrong", "declined")

    @property
    def out_of_scope(self) -> int:
        return self._n("answered_oos", "declined_oos")

    def rate(self, key: str) -> float:
        total = self.out_of_scope if key in ("answered_oos", "declined_oos") else self.in_scope
        return self._n(key) / total if total else 0.0

    def wrong_answer_rate(self) -> float:
        """Wrong answers of all answers given to anyone: in scope wrong + out of scope answered."""
        answered = self._n("correct", "wrong", "answered_oos")
        return self._n("wrong", "answered_oos") / answered if answered else 0.0


def scorecard(name: str, questions: Sequence[EvalQuestion], decisions: Sequence[Decision],
              faqs: Mapping) -> Scorecard:
    card = Scorecard(name)
    for question, decision in zip(questions, decisions):
        card.add(question, decision, faqs)
    return card
