"""`python -m bot eval`: intent-only, retrieval-only and hybrid on one question set, in one run."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bot.answering.decide import Calibration, Decision, Mode, decide
from bot.answering.evidence import RetrievalView
from bot.answering.intent_view import intent_view_from_parse
from bot.answering.service import AnsweringService
from bot.evaluation.dataset import EvalQuestion, load_eval_set, without_also
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


def decisions_for(
    mode: Mode,
    questions: Sequence[EvalQuestion],
    parses,
    retrieved: List[RetrievalView],
    calibration: Calibration,
    service: Optional[AnsweringService] = None,
) -> List[Decision]:
    """Each question's decision as the bot makes it for a question that starts a
    conversation: with `service`, its plain decline of subjects the explainer
    never covers is applied too (retrieval and hybrid, as in the bot)."""
    decisions = []
    for q, p, r in zip(questions, parses, retrieved, strict=True):
        decision = decide(intent_view_from_parse(p), r, calibration, mode)
        if service is not None and mode is not Mode.INTENT:
            decision = service.guard_not_covered(q.text, decision)
        decisions.append(decision)
    return decisions


def evaluate(questions, parses, retrieved, calibration, faqs, service=None) -> Dict[Mode, Scorecard]:
    return {
        mode: scorecard(
            mode.value, questions, decisions_for(mode, questions, parses, retrieved, calibration, service), faqs
        )
        for mode in Mode
    }


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _count(card: Scorecard, key: str, total: int) -> str:
    return f"{card._n(key)}/{total} ({_pct(card.rate(key))})"


def report(questions, cards: Dict[Mode, Scorecard], nlu, set_name: str) -> str:
    n_in = sum(q.in_scope for q in questions)
    n_out = len(questions) - n_in
    n_inside = sum(q.kind == "inside_answer" for q in questions)
    lines = [
        f"Evaluation set: {set_name} — {len(questions)} questions: {n_in} in scope "
        f"({n_inside} answerable only from inside an answer), {n_out} out of scope.",
        "",
        "In scope: answered directly and correct / with the right FAQ one tap away (clarified) / "
        "reach (the two together) / answered wrong / declined (or clarified without the right FAQ). "
        "Out of scope: answered (the error) / clarified / declined.",
        "",
        "| configuration | correct | one-tap | reach | wrong | declined | out-of-scope answered | "
        "out-of-scope clarified | out-of-scope declined |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for mode, card in cards.items():
        lines.append(
            f"| {mode.value} | {_count(card, 'correct', n_in)} | {_count(card, 'one_tap', n_in)} "
            f"| {_pct(card.reach())} | {_count(card, 'wrong', n_in)} | {_count(card, 'declined', n_in)} "
            f"| {_count(card, 'answered_oos', n_out)} | {_count(card, 'clarified_oos', n_out)} "
            f"| {_count(card, 'declined_oos', n_out)} |"
        )
    hybrid = cards[Mode.HYBRID]
    lines += [
        "",
        "Targets (issue #9), hybrid: "
        + "; ".join(f"{name} {_pct(value)} {'met' if ok else 'MISSED'}" for name, value, ok in targets(hybrid)),
        "",
        f"Intent layer on its own (NLU): intent accuracy {_pct(nlu.intent_accuracy)}, "
        f"response-selection accuracy {_pct(nlu.response_selection_accuracy)} (in scope), "
        f"out-of-scope recall {_pct(nlu.out_of_scope_recall)}.",
        "",
        "Hybrid, everything but a correct answer or a declined out-of-scope question:",
    ]
    for question, result, decision in hybrid.misses:
        got = decision.faq_id or decision.kind.value
        offered = f" offered {', '.join(decision.options)}" if decision.options else ""
        lines.append(
            f"- {result.value}: 「{question.text}」 expected {question.expect}, got {got}{offered} ({decision.reason})"
        )
    if not hybrid.misses:
        lines.append("- none")
    return "\n".join(lines)


# Issue #9's targets: (name, measured, met?)
TARGET_CORRECT = 0.85
TARGET_REACH = 0.97
TARGET_WRONG = 0.01
TARGET_ANSWERED_OOS = 0.02


def targets(card: Scorecard):
    return [
        ("correct >= 85%", card.rate("correct"), card.rate("correct") >= TARGET_CORRECT),
        ("reach >= 97%", card.reach(), card.reach() >= TARGET_REACH),
        ("wrong <= 1%", card.rate("wrong"), card.rate("wrong") <= TARGET_WRONG),
        ("out of scope answered <= 2%", card.rate("answered_oos"), card.rate("answered_oos") <= TARGET_ANSWERED_OOS),
    ]


DEFAULT_SETS = ("eval/test.yml", "eval/holdout.yml")


def main(args) -> int:
    started = time.monotonic()
    names = args.set or [name for name in DEFAULT_SETS if (PROJECT_ROOT / name).exists()]
    sets = {name: load_eval_set(PROJECT_ROOT / name) for name in names}
    service = AnsweringService.from_project()
    # One Rasa model load for every set.
    everything = [q for questions in sets.values() for q in questions]
    parses, retrieved = gather(everything, service)
    texts, start = [], 0
    for name, questions in sets.items():
        part = slice(start, start + len(questions))
        start += len(questions)
        cards = evaluate(questions, parses[part], retrieved[part], service.settings.calibration, service.faqs, service)
        text = report(questions, cards, nlu_metrics(questions, parses[part]), name)
        if any(q.also for q in questions):
            # Some `also:` labels came after a run had been seen: show the strict scoring too.
            strict = evaluate(
                without_also(questions),
                parses[part],
                retrieved[part],
                service.settings.calibration,
                service.faqs,
                service,
            )[Mode.HYBRID]
            text += (
                f"\n\nStrict scoring (no `also:` labels), hybrid: correct {_pct(strict.rate('correct'))}, "
                f"one-tap {_pct(strict.rate('one_tap'))}, reach {_pct(strict.reach())}, "
                f"wrong {_pct(strict.rate('wrong'))}, declined {_pct(strict.rate('declined'))}."
            )
        texts.append(text)
    text = "\n\n".join(texts)
    print(text)
    print(f"\n(took {time.monotonic() - started:.0f} s)", file=sys.stderr)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    return 0
