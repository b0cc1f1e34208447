"""Answer or decline, in three configurations:

- intent: the Rasa intent layer alone (answer when it chose a FAQ);
- retrieval: retrieval alone (answer its top FAQ above a score threshold);
- hybrid: both, weighed by the Combiner (bot/answering/combiner.py), which
  estimates for each FAQ the probability that answering it is right.

All numbers live in settings/answering.yml and are fitted on eval/dev.yml
(`python -m bot calibrate --write`), never on eval/test.yml.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Dict, Optional, Tuple

import numpy as np

from bot.answering.combiner import Combiner, feature_rows
from bot.answering.evidence import RetrievalView, RetrievedFaq, best_hits
from bot.answering.intent_view import IntentView
from bot.retrieval.passages import SENTENCE

# Retrieved passages quoted as they are (single sentences and 2-sentence windows);
# question and whole-answer passages are answered with the FAQ answer instead.
PASSAGE_KINDS = (SENTENCE,)


class Mode(str, Enum):
    INTENT = "intent"
    RETRIEVAL = "retrieval"
    HYBRID = "hybrid"


@dataclass(frozen=True)
class Calibration:
    retrieval_only_threshold: float  # on the retrieval score (higher = more similar), for Mode.RETRIEVAL
    combiner: Combiner  # for Mode.HYBRID


@dataclass(frozen=True)
class Decision:
    kind: str  # "faq" | "passage" | "decline"
    faq_id: Optional[str] = None
    passage: Optional[RetrievedFaq] = None
    score: float = 0.0
    reason: str = ""
    scores: Tuple[Tuple[str, float], ...] = field(default_factory=tuple)  # per FAQ, best first

    @property
    def answered(self) -> bool:
        return self.kind != "decline"


def answer_with(faq_id: str, score: float, intent: IntentView, hits: Dict[str, RetrievedFaq],
                reason: str, ranked=()) -> Decision:
    hit = hits.get(faq_id)
    # Quote the sentence retrieval found only when the intent layer would not have
    # chosen this FAQ itself: then the sentence, not the headline answer, is what matched.
    if hit is not None and hit.passage_kind in PASSAGE_KINDS and intent.faq_choice != faq_id:
        return Decision("passage", faq_id, hit, score, reason, tuple(ranked))
    return Decision("faq", faq_id, None, score, reason, tuple(ranked))


def decide(
    intent: IntentView,
    retrieval: Optional[RetrievalView],
    calibration: Calibration,
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

    hits = best_hits(retrieval)
    if mode is Mode.RETRIEVAL:
        ranked = sorted(((fid, h.score) for fid, h in hits.items()), key=lambda item: item[1], reverse=True)
        if not ranked or ranked[0][1] < calibration.retrieval_only_threshold:
            return Decision("decline", reason="retrieval below threshold", scores=tuple(ranked))
        fid, score = ranked[0]
        hit = hits[fid]
        kind = "passage" if hit.passage_kind in PASSAGE_KINDS else "faq"
        return Decision(kind, fid, hit if kind == "passage" else None, score, "retrieval", tuple(ranked))

    faq_ids, rows = feature_rows(intent, retrieval)
    if not faq_ids:
        return Decision("decline", reason="no candidates")
    probabilities = calibration.combiner.probabilities(rows)
    order = np.argsort(-probabilities, kind="stable")
    ranked = tuple((faq_ids[i], float(probabilities[i])) for i in order)
    fid, p = ranked[0]
    if p < calibration.combiner.threshold:
        return Decision("decline", reason=f"best {fid} P(right)={p:.2f} below threshold", score=p, scores=ranked)
    return answer_with(fid, p, intent, hits, "hybrid", ranked)
