"""Answer, clarify or decline, in three configurations:

- intent: the Rasa intent layer alone (answer when it chose a FAQ);
- retrieval: retrieval alone (answer its top FAQ above a score threshold);
- hybrid: both, weighed by the Combiner (bot/answering/combiner.py), which
  estimates for each FAQ the probability that answering it is right. Below
  its answer threshold it asks which FAQ was meant, or declines (Bands).

All numbers live in settings/answering.yml and are fitted on eval/dev.yml
(`python -m bot calibrate --write`), never on eval/test.yml.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Dict, Optional, Tuple

import numpy as np

from bot.answering.combiner import Combiner, feature_rows
from bot.answering.evidence import RetrievalView, RetrievedFaq, best_hits
from bot.answering.intent_view import OUT_OF_SCOPE_INTENT, IntentView
from bot.retrieval.passages import SENTENCE

# Retrieved passages quoted as they are (single sentences and 2-sentence windows);
# question and whole-answer passages are answered with the FAQ answer instead.
PASSAGE_KINDS = (SENTENCE,)


class AnswerKind(str, Enum):
    """What a turn's reply is. The values travel in custom.answer.kind, so the
    widget and the report can tell them apart."""

    FAQ = "faq"  # the whole FAQ answer
    PASSAGE = "passage"  # one quoted sentence (or two) from inside an answer
    CLARIFY = "clarify"  # 您是想问…? with the likely FAQ questions as buttons; no fact stated
    DECLINE = "decline"  # the source does not cover it: 12320, maybe other questions


# What answers the question; the others state nothing from the source.
ANSWERING_KINDS = (AnswerKind.FAQ, AnswerKind.PASSAGE)


class Mode(str, Enum):
    INTENT = "intent"
    RETRIEVAL = "retrieval"
    HYBRID = "hybrid"


@dataclass(frozen=True)
class Bands:
    """What the hybrid does below its answer threshold (combiner.threshold),
    on the same scale: the combiner's P(right) of the most probable FAQ.

    - P >= combiner.threshold: answer directly;
    - clarify <= P < combiner.threshold: ask 您是想问…? with the likely FAQs;
    - below: decline (12320), offering as 猜你想问 the FAQs with P >= suggest.

    Out-of-scope evidence overrides both lower bands: when the question is
    nearer the declined examples than any FAQ paraphrase by more than
    `max_out_of_scope_lead`, or the intent layer says out_of_scope with at
    least `out_of_scope_confidence`, the bot declines and offers nothing, so a
    health near-miss (孕妇能打吗) never gets an FAQ that could read as its answer.
    The nearness signal counts only when the intent layer gives out_of_scope
    at least `out_of_scope_support`: an out-of-scope training example a cosine
    hair nearer than the FAQ paraphrases is weak evidence against a classifier
    sure the question is about vaccination (家里小孩能打新冠疫苗不).
    """

    clarify: float = 1.01  # the default never clarifies: only calibrated settings enable it
    suggest: float = 1.01
    options: int = 3  # FAQs offered at most (clarify and 猜你想问)
    max_out_of_scope_lead: float = 0.0
    out_of_scope_confidence: float = 0.5
    out_of_scope_support: float = 0.0  # 0: the nearness signal counts on its own


@dataclass(frozen=True)
class Calibration:
    retrieval_only_threshold: float  # on the retrieval score (higher = more similar), for Mode.RETRIEVAL
    combiner: Combiner  # for Mode.HYBRID
    bands: Bands = Bands()  # for Mode.HYBRID, below combiner.threshold
    # Lead with one quoted sentence of the answer when it beats the answer's other
    # sentences by at least this much (bot/answering/targeted.py); inf: never.
    targeted_lead: float = float("inf")


@dataclass(frozen=True)
class Decision:
    kind: AnswerKind
    faq_id: Optional[str] = None
    passage: Optional[RetrievedFaq] = None
    score: float = 0.0
    reason: str = ""
    scores: Tuple[Tuple[str, float], ...] = field(default_factory=tuple)  # per FAQ, best first
    # FAQ ids offered as buttons: the choices of a clarification, or a decline's 猜你想问.
    options: Tuple[str, ...] = ()

    @property
    def answered(self) -> bool:
        """True when the reply states an answer (FAQ or quoted passage)."""
        return self.kind in ANSWERING_KINDS

    @property
    def answer_id(self) -> Optional[str]:
        """The id of what was answered: the passage id for a quote, the FAQ id
        for a FAQ answer, None otherwise."""
        if self.kind is AnswerKind.PASSAGE and self.passage is not None:
            return self.passage.passage_id
        return self.faq_id if self.kind is AnswerKind.FAQ else None


def answer_with(
    faq_id: str,
    score: float,
    intent: IntentView,
    hits: Dict[str, RetrievedFaq],
    reason: str,
    ranked=(),
    targeted_lead: float = float("inf"),
) -> Decision:
    hit = hits.get(faq_id)
    # Quote the sentence retrieval found only when the intent layer would not have
    # chosen this FAQ itself: then the sentence, not the headline answer, is what matched.
    if hit is not None and hit.passage_kind in PASSAGE_KINDS and intent.faq_choice != faq_id:
        return Decision(AnswerKind.PASSAGE, faq_id, hit, score, reason, tuple(ranked))
    # A question aimed at one sentence of the answer gets that sentence first.
    if hit is not None and hit.target is not None and (hit.target.named_alone or hit.target.lead >= targeted_lead):
        quote = replace(hit, passage_id=hit.target.passage_id, passage_kind=SENTENCE, passage_text=hit.target.text)
        return Decision(AnswerKind.PASSAGE, faq_id, quote, score, reason + ", targeted", tuple(ranked))
    return Decision(AnswerKind.FAQ, faq_id, None, score, reason, tuple(ranked))


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
            return Decision(AnswerKind.DECLINE, reason=f"intent layer: {intent.intent}")
        conf = dict(intent.faq_ranking)[choice]
        return Decision(AnswerKind.FAQ, choice, None, intent.faq_confidence * conf, "intent layer")

    hits = best_hits(retrieval)
    if mode is Mode.RETRIEVAL:
        ranked = tuple(sorted(((fid, h.score) for fid, h in hits.items()), key=lambda item: item[1], reverse=True))
        if not ranked or ranked[0][1] < calibration.retrieval_only_threshold:
            return Decision(AnswerKind.DECLINE, reason="retrieval below threshold", scores=tuple(ranked))
        fid, score = ranked[0]
        hit = hits[fid]
        kind = AnswerKind.PASSAGE if hit.passage_kind in PASSAGE_KINDS else AnswerKind.FAQ
        return Decision(kind, fid, hit if kind is AnswerKind.PASSAGE else None, score, "retrieval", tuple(ranked))

    faq_ids, rows = feature_rows(intent, retrieval)
    if not faq_ids:
        return Decision(AnswerKind.DECLINE, reason="no candidates")
    probabilities = calibration.combiner.probabilities(rows)
    order = np.argsort(-probabilities, kind="stable")
    ranked = tuple((faq_ids[i], float(probabilities[i])) for i in order)
    fid, p = ranked[0]
    if p >= calibration.combiner.threshold:
        return answer_with(fid, p, intent, hits, "hybrid", ranked, calibration.targeted_lead)
    return below_threshold(ranked, calibration.bands, out_of_scope_evidence(intent, retrieval, calibration.bands))


def out_of_scope_evidence(intent: IntentView, retrieval: Optional[RetrievalView], bands: Bands) -> bool:
    """Strong signs that the source does not cover the question at all."""
    if intent.intent == OUT_OF_SCOPE_INTENT and intent.confidence >= bands.out_of_scope_confidence:
        return True
    return (
        retrieval is not None
        and retrieval.out_of_scope_lead > bands.max_out_of_scope_lead
        and intent.out_of_scope_confidence >= bands.out_of_scope_support
    )


def below_threshold(ranked: Tuple[Tuple[str, float], ...], bands: Bands, out_of_scope: bool) -> Decision:
    """Clarify or decline, for a question whose best FAQ is not sure enough to answer."""
    fid, p = ranked[0]
    if out_of_scope:
        return Decision(
            AnswerKind.DECLINE, reason=f"out-of-scope evidence; best {fid} P(right)={p:.2f}", score=p, scores=ranked
        )
    if p >= bands.clarify:
        # Two choices at least: one alone would be a yes/no question on a guess.
        options = tuple(f for i, (f, q) in enumerate(ranked[: bands.options]) if i < 2 or q >= bands.suggest)
        return Decision(
            AnswerKind.CLARIFY, reason=f"best {fid} P(right)={p:.2f}: clarify", score=p, scores=ranked, options=options
        )
    suggestions = tuple(f for f, q in ranked[: bands.options] if q >= bands.suggest)
    return Decision(
        AnswerKind.DECLINE,
        reason=f"best {fid} P(right)={p:.2f} below threshold",
        score=p,
        scores=ranked,
        options=suggestions,
    )
