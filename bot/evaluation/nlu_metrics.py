"""Intent-layer metrics on held-out questions: intent accuracy, response
selection accuracy and out-of-scope recall."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from bot.answering.intent_view import FAQ_INTENT, intent_view_from_parse
from bot.evaluation.dataset import EvalQuestion

DECLINING_INTENTS = {"out_of_scope", "nlu_fallback"}


@dataclass(frozen=True)
class NluMetrics:
    intent_accuracy: float  # in scope -> faq; out of scope -> out_of_scope or nlu_fallback
    response_selection_accuracy: float  # in scope: the ResponseSelector's top answer is the expected FAQ
    out_of_scope_recall: float  # out of scope questions the intent layer would not answer
    n_in_scope: int
    n_out_of_scope: int


def nlu_metrics(questions: Sequence[EvalQuestion], parses: Sequence[dict]) -> NluMetrics:
    intent_ok = selection_ok = oos_ok = n_in = n_out = 0
    for question, parse in zip(questions, parses, strict=True):
        view = intent_view_from_parse(parse)
        if question.in_scope:
            n_in += 1
            intent_ok += view.intent == FAQ_INTENT
            selection_ok += bool(view.faq_ranking) and view.faq_ranking[0][0] in (question.expect, *question.also)
        else:
            n_out += 1
            declined = view.intent in DECLINING_INTENTS
            intent_ok += declined
            oos_ok += declined
    total = n_in + n_out
    return NluMetrics(
        intent_accuracy=intent_ok / total if total else 0.0,
        response_selection_accuracy=selection_ok / n_in if n_in else 0.0,
        out_of_scope_recall=oos_ok / n_out if n_out else 0.0,
        n_in_scope=n_in,
        n_out_of_scope=n_out,
    )
