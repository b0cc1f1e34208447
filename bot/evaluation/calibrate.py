"""`python -m bot calibrate`: fits the hybrid's combiner and the retrieval-only
threshold on the development set (eval/dev.yml).

The combiner's weights are a logistic regression over (question, FAQ) pairs,
labelled by whether answering that FAQ would be correct. Its answer threshold
is chosen on out-of-fold predictions (5 folds), so it is not flattered by
weights fitted to the same questions: the threshold that answers the most
in-scope questions correctly while keeping wrong answers to at most 2% of
in-scope questions and answered out-of-scope questions to at most 5% (the
product's targets). The retrieval-only threshold charges a wrong answer four
times as much as a decline, because a wrong medical answer is worse than
"I don't know, call 12320".
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np

from bot.answering.combiner import Combiner, feature_rows, fit_logistic
from bot.answering.decide import answer_with
from bot.answering.evidence import best_hits
from bot.answering.intent_view import intent_view_from_parse
from bot.answering.service import AnsweringService
from bot.answering.settings import DEFAULT_PATH, write_calibration
from bot.evaluation.dataset import load_eval_set
from bot.evaluation.run import PROJECT_ROOT, evaluate, gather
from bot.evaluation.scoring import outcome

WRONG_COST = 4.0
MAX_WRONG_IN_SCOPE = 0.02
MAX_ANSWERED_OUT_OF_SCOPE = 0.05
FOLDS = 5
THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.01), 2)


def candidate_table(questions, parses, retrieved, faqs):
    """Per question: its candidate rows and whether answering each would be correct."""
    table = []
    for q, parse, found in zip(questions, parses, retrieved, strict=True):
        view = intent_view_from_parse(parse)
        faq_ids, rows = feature_rows(view, found)
        hits = best_hits(found)
        right = np.array([outcome(q, answer_with(fid, 1.0, view, hits, "calibration"), faqs) == "correct"
                          for fid in faq_ids], dtype=float)
        table.append((rows, right))
    return table


def _fit(table, indices) -> Combiner:
    rows = np.vstack([table[i][0] for i in indices])
    labels = np.concatenate([table[i][1] for i in indices])
    weights, bias = fit_logistic(rows, labels)
    return Combiner(weights, bias, 0.5)


def _best_choice(combiner: Combiner, rows: np.ndarray):
    p = combiner.probabilities(rows)
    i = int(np.argmax(p))
    return p[i], i


def out_of_fold(table):
    """Each question's best P(right), and whether that answer is right, scored by
    weights fitted without it."""
    order = np.arange(len(table))
    best_p, right = np.zeros(len(table)), np.zeros(len(table), dtype=bool)
    for fold in range(FOLDS):
        combiner = _fit(table, order[order % FOLDS != fold])
        for i in order[order % FOLDS == fold]:
            p, j = _best_choice(combiner, table[i][0]) if len(table[i][0]) else (0.0, None)
            best_p[i] = p
            right[i] = j is not None and bool(table[i][1][j])
    return best_p, right


def operating_points(best_p, right, in_scope: Sequence[bool]):
    """(threshold, correct, wrong in scope, answered out of scope) as rates."""
    scope = np.asarray(in_scope, dtype=bool)
    n_in, n_out = max(1, scope.sum()), max(1, (~scope).sum())
    for t in THRESHOLDS:
        answered = best_p >= t
        yield (float(t), np.sum(answered & right) / n_in, np.sum(answered & scope & ~right) / n_in,
               np.sum(answered & ~scope) / n_out)


def choose_threshold(best_p, right, in_scope: Sequence[bool]) -> float:
    best, best_correct = float(THRESHOLDS[-1]), -1.0
    for t, correct, wrong, oos in operating_points(best_p, right, in_scope):
        if wrong <= MAX_WRONG_IN_SCOPE and oos <= MAX_ANSWERED_OUT_OF_SCOPE and correct > best_correct:
            best, best_correct = t, correct
    return best


def choose_retrieval_threshold(questions, retrieved, faqs) -> float:
    best, best_value = 1.0, -np.inf
    tops = []
    for q, found in zip(questions, retrieved, strict=True):
        hits = best_hits(found)
        top = max(hits.values(), key=lambda h: h.score, default=None)
        ok = top is not None and outcome(q, answer_with(top.faq_id, top.score, intent_view_from_parse(None),
                                                       hits, "calibration"), faqs) == "correct"
        tops.append((top.score if top else 0.0, ok))
    for t in np.round(np.arange(0.70, 1.0, 0.005), 3):
        answered = [(s >= t, ok) for s, ok in tops]
        value = sum(a and ok for a, ok in answered) - WRONG_COST * sum(a and not ok for a, ok in answered)
        if value > best_value:
            best, best_value = float(t), value
    return best


def main(args) -> int:
    questions = load_eval_set(PROJECT_ROOT / args.set)
    service = AnsweringService.from_project()
    parses, retrieved = gather(questions, service)
    table = candidate_table(questions, parses, retrieved, service.faqs)
    in_scope = [q.in_scope for q in questions]
    best_p, right = out_of_fold(table)
    threshold = choose_threshold(best_p, right, in_scope)
    print("out-of-fold operating points (threshold: correct / wrong in scope / out-of-scope answered):")
    for t, correct, wrong, oos in operating_points(best_p, right, in_scope):
        if round(t * 100) % 5 == 0:
            print(f"  {t:.2f}: {correct:6.1%} / {wrong:5.1%} / {oos:5.1%}")
    combiner = replace(_fit(table, range(len(table))), threshold=threshold)
    retrieval_threshold = choose_retrieval_threshold(questions, retrieved, service.faqs)
    print(f"fitted on {args.set} ({len(questions)} questions):")
    print(f"  retrieval_only_threshold: {retrieval_threshold}")
    print(f"  combiner: {combiner.as_dict()}")
    calibration = replace(service.settings.calibration, retrieval_only_threshold=retrieval_threshold,
                          combiner=combiner)
    for mode, card in evaluate(questions, parses, retrieved, calibration, service.faqs).items():
        print(f"  {mode.value:>9} on the same set (optimistic for hybrid): {card.counts}")
    if args.write:
        write_calibration(calibration)
        print(f"written to {DEFAULT_PATH}")
    return 0
