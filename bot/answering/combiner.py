"""The hybrid's judge: a small logistic model over both layers' evidence.

For every (question, FAQ) pair it estimates P(answering this FAQ is right)
from a handful of features of the intent layer and of retrieval. The bot
answers the FAQ with the highest probability if that clears a threshold, and
declines otherwise. Weights and threshold are fitted on eval/dev.yml by
`python -m bot calibrate --write` and kept, readable, in settings/answering.yml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Tuple

import numpy as np

from bot.answering.evidence import best_hits

FEATURES = (
    "intent_score",  # P(faq) x P(this answer | faq), from Rasa
    "intent_top",  # 1 if the ResponseSelector ranks this FAQ first
    "out_of_scope_intent",  # P(out_of_scope), from Rasa
    "passage_score",  # fused cosine+BM25 of this FAQ's best article passage
    "question_score",  # cosine to this FAQ's nearest training paraphrase
    "retrieval_top",  # 1 if retrieval ranks this FAQ first
    "retrieval_lead",  # this FAQ's retrieval score minus the best other FAQ's
    "out_of_scope_lead",  # nearest out-of-scope example's cosine minus nearest FAQ example's
    # 1 if the intent layer predicted `faq` (no fallback) and both layers rank this
    # FAQ first: the strongest single signal, and an AND a linear model cannot form.
    "layers_agree",
)


def feature_rows(intent, retrieval) -> Tuple[List[str], np.ndarray]:
    """One row per candidate FAQ (any FAQ either layer scored)."""
    intent_scores = intent.faq_scores()
    intent_top = intent.faq_ranking[0][0] if intent.faq_ranking else None
    hits = best_hits(retrieval)
    faq_ids = sorted(set(intent_scores) | set(hits))
    retrieval_scores = {fid: hits[fid].score if fid in hits else 0.0 for fid in faq_ids}
    rows = []
    for fid in faq_ids:
        others = [s for other, s in retrieval_scores.items() if other != fid]
        best_other = max(others, default=0.0)
        hit = hits.get(fid)
        rows.append(
            [
                intent_scores.get(fid, 0.0),
                1.0 if fid == intent_top else 0.0,
                intent.out_of_scope_confidence,
                hit.passage_score if hit else 0.0,
                hit.question_score if hit else 0.0,
                1.0 if retrieval_scores[fid] > best_other else 0.0,
                retrieval_scores[fid] - best_other,
                retrieval.out_of_scope_lead,
                1.0 if fid == intent.faq_choice and retrieval_scores[fid] > best_other else 0.0,
            ]
        )
    return faq_ids, np.asarray(rows, dtype=float).reshape(len(faq_ids), len(FEATURES))


@dataclass(frozen=True)
class Combiner:
    weights: Mapping[str, float]
    bias: float
    threshold: float  # answer when P(right) >= threshold

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        w = np.array([self.weights.get(name, 0.0) for name in FEATURES])
        return 1.0 / (1.0 + np.exp(-(rows @ w + self.bias)))

    def as_dict(self) -> dict:
        return {
            "weights": {k: round(float(v), 4) for k, v in self.weights.items()},
            "bias": round(float(self.bias), 4),
            "threshold": round(float(self.threshold), 4),
        }


def fit_logistic(
    rows: np.ndarray, labels: np.ndarray, l2: float = 0.01, steps: int = 4000, rate: float = 0.5
) -> Tuple[Dict[str, float], float]:
    """Batch gradient descent on the L2-regularised log loss, on standardised
    features (the raw ones differ in scale by 100x), returned in raw units.
    The data is a few thousand rows: nothing cleverer is needed, and the fit is
    deterministic."""
    mean = rows.mean(axis=0)
    std = rows.std(axis=0)
    std[std == 0] = 1.0
    z = (rows - mean) / std
    n, d = z.shape
    w, b = np.zeros(d), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        error = p - labels
        w -= rate * (z.T @ error / n + l2 * w)
        b -= rate * float(error.mean())
    raw_w = w / std
    raw_b = b - float(np.sum(w * mean / std))
    return dict(zip(FEATURES, (float(x) for x in raw_w), strict=True)), raw_b
