"""`python -m bot eval`: intent-only, retrieval-only and hybrid on one question set, in one run."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence

from bot.answering.decide import Calibration, Decision, Mode, decide
from bot.answering.evidence import RetrievalView
from bot.answering.intent_view import intent_view_from_parse
from bot.answering.service import AnsweringService
from bot.evaluation.dataset import EvalQuestion, load_eval_set
from bot.evaluation.nlu_metrics import nlu_metrics
from bot.evaluation.rasa_parses import parse_with_rasa
from bot.evaluation.scoring import Scorecard, scorecard
from bot.paths import PROJECT_ROOT


def gather(questions: Sequence[EvalQuestion], service: AnsweringService):
    """The expensive part, done once: Rasa parses and retrieval results."""
    parses = parse_with_rasa([q.text for q in questions])
    retrieved = [service.search(q.text) for q in questions]
    if any(r is None for r in retrieved):
        raise RuntimeError(f"retrieval is unavailable: {service.retriever_error}")
    return parses, retrieved


def decisions_for(mode: Mode, parses, retrieved: List[RetrievalView], calibration: Calibration) -> List[Decision]:
    return [decide(intent_view_from_parse(p), r, calibration, mode) for p, r in zip(parses, retrieved)]


def evaluate(questions, parses, retrieved, calibration, faqs) -> Dict[Mode, Scorecard]:
    return {
        mode: scorecard(mode.value, questions, decisions_for(mode, parses, retrieved, calibration), faqs)
        for mode in Mode
    }


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def report(questions, cards: Dict[Mode, Scorecard], nlu, set_name: str) -> str:
    n_in = sum(q.in_scope for q in questions)
    n_out = len(questions) - n_in
    n_inside = sum(q.kind == "inside_answer" for q in questions)
    lines = [
        f"Evaluation set: {set_name} — {len(questions)} questions: {n_in} in scope "
        f"({n_inside} answerable only from inside an answer), {n_out} out of scope.",
        "",
        "| configuration | correct (in scope) | wrong answers (in scope) | in-scope declines | "
        "out-of-scope answered | out-of-scope declined | wrong-answer rate (all answers) |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, card in cards.items():
        lines.append(
            f"| {mode.value} | {card._n('correct')}/{n_in} ({_pct(card.rate('correct'))}) "
            f"| {card._n('wrong')} ({_pct(card.rate('wrong'))}) "
            f"| {card._n('declined')} ({_pct(card.rate('declined'))}) "
            f"| {card._n('answered_oos')}/{n_out} ({_pct(card.rate('answered_oos'))}) "
            f"| {_pct(card.rate('declined_oos'))} | {_pct(card.wrong_answer_rate())} |"
        )
    lines += [
        "",
        f"Intent layer on its own (NLU): intent accuracy {_pct(nlu.intent_accuracy)}, "
        f"response-selection accuracy {_pct(nlu.response_selection_accuracy)} (in scope), "
        f"out-of-scope recall {_pct(nlu.out_of_scope_recall)}.",
        "",
        "Hybrid misses:",
    ]
    for question, result, decision in cards[Mode.HYBRID].misses:
        got = decision.faq_id or "decline"
        lines.append(f"- {result}: 「{question.text}」 expected {question.expect}, got {got} ({decision.reason})")
    if not cards[Mode.HYBRID].misses:
        lines.append("- none")
    return "\n".join(lines)


def main(args) -> int:
    started = time.monotonic()
    questions = load_eval_set(PROJECT_ROOT / args.set)
    service = AnsweringService.from_project()
    parses, retrieved = gather(questions, service)
    cards = evaluate(questions, parses, retrieved, service.settings.calibration, service.faqs)
    text = report(questions, cards, nlu_metrics(questions, parses), args.set)
    print(text)
    print(f"\n(took {time.monotonic() - started:.0f} s)", file=sys.stderr)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    return 0
