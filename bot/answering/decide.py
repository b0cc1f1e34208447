"""Answer or decline: weighs the intent layer's view against retrieval scores.

Both views become one score per FAQ id:
    combined = w * P(faq) * P(answer | faq)  +  (1 - w) * stretched retrieval score
               - out_of_scope_weight * P(out_of_scope)
               - bank_out_of_scope_weight   (when the nearest training question is an out-of-scope one)
and the best FAQ is answered only when its combined score clears a threshold
and beats the runner-up by a margin. All numbers live in settings/answering.yml
and are calibrated on eval/dev.yml (`python -m bot calibrate`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Dict, Optional, Sequence, Tuple

from bot.answering.intent_view import IntentView

PASSAGE_KINDS = ("sentence", "window", "intro")


class Mode(str, Enum):
    INTENT = "intent"
    RETRIEVAL = "retrieval"
    HYBRID = "hybrid"


@dataclass(frozen=True)
class RetrievedFaq:
    """Retrieval's view of one FAQ: its score and the passage that earned it."""

    faq_id: Optional[str]  # None for passages outside every answer (article intro)
    score: float  # best of passage and question-bank similarity; higher means more similar
    passage_id: str
    passage_kind: str
    passage_text: str


@dataclass(frozen=True)
class RetrievalView:
    faqs: Tuple[RetrievedFaq, ...]
    # Cosine to the nearest out-of-scope training question, minus the cosine to
    # the nearest FAQ paraphrase: > 0 means "more like what we decline".
    out_of_scope_lead: float = -1.0


@dataclass(frozen=True)
class Thresholds:
    intent_weight: float
    retrieval_floor: float  # retrieval scores at or below this count as 0
    retrieval_ceiling: float  # ... at or above this as 1
    out_of_scope_weight: float  # how much the intent layer's out_of_scope belief counts against answering
    bank_out_of_scope_weight: float  # penalty when the nearest training question is out of scope ...
    bank_out_of_scope_margin: float  # ... by at least this much cosine
    answer_threshold: float
    margin: float
    retrieval_only_threshold: float  # on the raw retrieval score, for Mode.RETRIEVAL

    def stretch(self, score: float) -> float:
        span = self.retrieval_ceiling - self.retrieval_floor
        return min(1.0, max(0.0, (score - self.retrieval_floor) / span)) if span > 0 else 0.0


@dataclass(frozen=True)
class Decision:
    kind: str  # "faq" | "passage" | "decline"
    faq_id: Optional[str] = None
    passage: Optional[RetrievedFaq] = None
    score: float = 0.0
    reason: str = ""
    scores: Tuple[Tuple[str, float], ...] = field(default_factory=tuple)  # combined, best first

    @property
    def answered(self) -> bool:
        return self.kind != "decline"


def _best_two(scores: Dict[str, float]) -> Tuple[Tuple[str, float], ...]:
    return tuple(sorted(scores.items(), key=lambda item: item[1], reverse=True))


def _answer(faq_id: str, score: float, intent: IntentView, hits: Dict[str, RetrievedFaq],
            reason: str, ranked) -> Decision:
    hit = hits.get(faq_id)
    # Quote the sentence retrieval found only when the intent layer would not have
    # chosen this FAQ itself: then the sentence, not the headline answer, is what matched.
    if hit is not None and hit.passage_kind in PASSAGE_KINDS and intent.faq_choice != faq_id:
        return Decision("passage", faq_id, hit, score, reason, ranked)
    return Decision("faq", faq_id, None, score, reason, ranked)


def decide(
    intent: IntentView,
    retrieval: Optional[RetrievalView],
    thresholds: Thresholds,
    mode: Mode = Mode.HYBRID,
) -> Decision:
    """`retrieval` is None when retrieval is unavailable; hybrid then falls back
    to the intent layer alone rather than failing."""
    if mode is Mode.INTENT or (mode is Mode.HYBRID and retrieval is None):
        choice = intent.faq_choice
        if choice is None:
            return Decision("decline", reason=f"intent layer: {intent.intent}")
        conf = dict(intent.faq_ranking)[choice]
        return Decision("faq", choice, None, intent.faq_confidence * conf, "intent layer")

    hits: Dict[str, RetrievedFaq] = {}
    for hit in retrieval.faqs if retrieval else ():
        if hit.faq_id is not None and (hit.faq_id not in hits or hit.score > hits[hit.faq_id].score):
            hits[hit.faq_id] = hit

    if mode is Mode.RETRIEVAL:
        ranked = _best_two({fid: h.score for fid, h in hits.items()})
        if not ranked or ranked[0][1] < thresholds.retrieval_only_threshold:
            return Decision("decline", reason="retrieval below threshold", scores=ranked)
        fid, score = ranked[0]
        hit = hits[fid]
        kind = "passage" if hit.passage_kind in PASSAGE_KINDS else "faq"
        return Decision(kind, fid, hit if kind == "passage" else None, score, "retrieval", ranked)

    w = thresholds.intent_weight
    intent_scores = intent.faq_scores()
    penalty = thresholds.out_of_scope_weight * intent.out_of_scope_confidence
    if retrieval.out_of_scope_lead >= thresholds.bank_out_of_scope_margin:
        penalty += thresholds.bank_out_of_scope_weight
    combined = {
        fid: w * intent_scores.get(fid, 0.0)
        + (1 - w) * thresholds.stretch(hits[fid].score if fid in hits else 0.0)
        - penalty
        for fid in set(intent_scores) | set(hits)
    }
    ranked = _best_two(combined)
    if not ranked:
        return Decision("decline", reason="no candidates")
    fid, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if score < thresholds.answer_threshold:
        return Decision("decline", reason=f"best {fid} {score:.3f} below threshold", score=score, scores=ranked)
    if score - runner_up < thresholds.margin:
        return Decision("decline", reason=f"{fid} vs {ranked[1][0]} too close", score=score, scores=ranked)
    return _answer(fid, score, intent, hits, "hybrid", ranked)
