"""`python -m bot calibrate`: chooses the hybrid thresholds on the development set.

An exhaustive grid, vectorised with numpy. The objective rewards correct
answers and charges a wrong answer (in scope or out of scope) four times as
much as a decline costs, because a wrong medical answer is worse than "I don't
know, call 12320".
"""
from __future__ import annotations

import itertools
import re
from dataclasses import asdict, replace
from pathlib import Path
from typing import List

import numpy as np

from bot.answering.decide import Thresholds, _answer
from bot.answering.intent_view import intent_view_from_parse
from bot.answering.service import AnsweringService
from bot.answering.settings import DEFAULT_PATH
from bot.evaluation.dataset import load_eval_set
from bot.evaluation.run import PROJECT_ROOT, evaluate, gather
from bot.evaluation.scoring import outcome

WRONG_COST = 4.0


def _matrices(questions, parses, retrieved, faqs, faq_ids: List[str]):
    n, m = len(questions), len(faq_ids)
    intent = np.zeros((n, m))
    retrieval = np.zeros((n, m))
    oos = np.zeros(n)
    lead = np.zeros(n)
    correct = np.zeros((n, m), dtype=bool)  # answering faq j to question i would be correct
    for i, (q, parse, found) in enumerate(zip(questions, parses, retrieved)):
        view = intent_view_from_parse(parse)
        oos[i] = view.out_of_scope_confidence
        lead[i] = found.out_of_scope_lead
        for fid, score in view.faq_scores().items():
            intent[i, faq_ids.index(fid)] = score
        best = {}
        for hit in found.faqs:
            if hit.faq_id and (hit.faq_id not in best or hit.score > best[hit.faq_id].score):
                best[hit.faq_id] = hit
        for fid, hit in best.items():
            retrieval[i, faq_ids.index(fid)] = hit.score
        for j, fid in enumerate(faq_ids):
            decision = _answer(fid, 1.0, view, best, "calibration", ())
            correct[i, j] = outcome(q, decision, faqs) == "correct"
    return intent, retrieval, oos, lead, correct


def search(questions, parses, retrieved, faqs, base: Thresholds) -> Thresholds:
    faq_ids = sorted(faqs)
    intent, retrieval, oos, lead, correct = _matrices(questions, parses, retrieved, faqs, faq_ids)
    in_scope = np.array([q.in_scope for q in questions])
    rows = np.arange(len(questions))
    best_value, best = -np.inf, base
    for w, floor, width, oos_w, bank_w, bank_margin in itertools.product(
        np.arange(0.2, 0.81, 0.1), np.arange(0.74, 0.90, 0.02), (0.06, 0.09, 0.12, 0.15), (0.0, 0.2, 0.4),
        (0.0, 0.25, 0.5, 1.0), (-0.02, 0.0, 0.02, 0.04),
    ):
        if bank_w == 0.0 and bank_margin != 0.0:
            continue  # the margin is moot without the penalty
        stretched = np.clip((retrieval - floor) / width, 0.0, 1.0)
        penalty = oos_w * oos + bank_w * (lead >= bank_margin)
        combined = w * intent + (1 - w) * stretched - penalty[:, None]
        order = np.argsort(-combined, axis=1)
        top, second = combined[rows, order[:, 0]], combined[rows, order[:, 1]]
        top_correct = correct[rows, order[:, 0]]
        for threshold, margin in itertools.product(np.arange(0.2, 0.9, 0.025), (0.0, 0.02, 0.05, 0.1)):
            answered = (top >= threshold) & (top - second >= margin)
            good = np.sum(answered & in_scope & top_correct)
            bad = np.sum(answered & ~(in_scope & top_correct))
            value = good - WRONG_COST * bad
            if value > best_value + 1e-9:
                best_value = value
                best = replace(base, intent_weight=round(float(w), 3), retrieval_floor=round(float(floor), 3),
                               retrieval_ceiling=round(float(floor + width), 3), out_of_scope_weight=float(oos_w),
                               bank_out_of_scope_weight=float(bank_w), bank_out_of_scope_margin=float(bank_margin),
                               answer_threshold=round(float(threshold), 3), margin=float(margin))
    # Retrieval alone: one threshold on the raw score.
    best_r, best_r_value = base.retrieval_only_threshold, -np.inf
    top_r = retrieval.max(axis=1)
    arg_r = retrieval.argmax(axis=1)
    for threshold in np.arange(0.70, 1.0, 0.005):
        answered = top_r >= threshold
        ok = answered & in_scope & correct[rows, arg_r]
        value = np.sum(ok) - WRONG_COST * np.sum(answered & ~ok)
        if value > best_r_value:
            best_r_value, best_r = value, round(float(threshold), 3)
    return replace(best, retrieval_only_threshold=best_r)


def write_thresholds(thresholds: Thresholds, path: Path = DEFAULT_PATH) -> None:
    text = path.read_text(encoding="utf-8")
    for key, value in asdict(thresholds).items():
        text = re.sub(rf"(?m)^{key}: .*$", f"{key}: {value}", text)
    path.write_text(text, encoding="utf-8")


def main(args) -> int:
    questions = load_eval_set(PROJECT_ROOT / args.set)
    service = AnsweringService.from_project()
    parses, retrieved = gather(questions, service)
    chosen = search(questions, parses, retrieved, service.faqs, service.settings.thresholds)
    print("chosen on", args.set, asdict(chosen))
    cards = evaluate(questions, parses, retrieved, chosen, service.faqs)
    for mode, card in cards.items():
        print(f"{mode.value:>9}: {card.counts}")
    if args.write:
        write_thresholds(chosen)
        print(f"written to {DEFAULT_PATH}")
    return 0
