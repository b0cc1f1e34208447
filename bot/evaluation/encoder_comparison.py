"""Compare encoders (zero-shot, fine-tuned per seed, fp32 / int8) in one run.

    .venv/bin/python -m bot.evaluation.encoder_comparison --seeds 1 2 3 --precision fp32 int8
    .venv/bin/python -m bot.evaluation.encoder_comparison --seeds 1 2 3 --precision int8 --runtime onnx --no-zero-shot

For every configuration the hybrid is calibrated on the development set the
way `python -m bot calibrate` does it (combiner weights, out-of-fold
threshold), and the report shows:

- top-1: in-scope dev questions whose best retrieved FAQ is the right one (no threshold);
- the dev operating point at the shipped rule (calibrate's constraints) and
  at the issue's error targets (<= 1% wrong, <= 2% out-of-scope answered):
  correct / wrong / out-of-scope answered, out of fold;
- with ``--report-set``, the dev-fitted calibration applied to that set
  (never fitted on it).

The Rasa parses are the same for every configuration and are taken once.
Tuned models for seeds other than the shipped one are built beside it
(``<tuned_model_path>-seed<N>``); indexes go to a temporary folder, so the
shipped index and model are left alone.  Nothing is written to settings/.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

import numpy as np

from bot.embedding.options import EncoderKind, Precision, Runtime
from bot.paths import PROJECT_ROOT

# The error targets (issue #9 section 5).
TARGET_WRONG = 0.01
TARGET_OOS = 0.02


@dataclass(frozen=True)
class Configuration:
    encoder: EncoderKind
    precision: Precision
    seed: Optional[int] = None
    runtime: Runtime = Runtime.TORCH

    @property
    def label(self) -> str:
        name = "zero-shot" if self.encoder is EncoderKind.ZERO_SHOT else f"tuned seed {self.seed}"
        # Torch labels stay as they were, so earlier tables still read the same.
        runtime = ", onnx" if self.runtime is Runtime.ONNX else ""
        return f"{name}, {self.precision.value}{runtime}"


@dataclass
class Result:
    config: Configuration
    top1: float
    shipped_rule: tuple  # (threshold, correct, wrong, oos)
    targets: tuple  # (threshold, correct, wrong, oos), or threshold None when no threshold meets them
    report: Optional[dict] = None  # counts on --report-set
    seconds: float = 0.0


def retrieval_settings(config: Configuration, index_dir: Path):
    from bot.retrieval.settings import load_settings

    settings = load_settings()
    tuned = settings.tuned_model_path
    if config.encoder is EncoderKind.TUNED and config.seed != settings.fine_tune_seed:
        tuned = tuned.with_name(f"{tuned.name}-seed{config.seed}")
    return settings.model_copy(
        update=dict(
            encoder=config.encoder,
            precision=config.precision,
            runtime=config.runtime,
            tuned_model_path=tuned,
            fine_tune_seed=config.seed or settings.fine_tune_seed,
            index_dir=index_dir,
        )
    )


def operating_point_for_targets(best_p, right, in_scope, max_wrong=TARGET_WRONG, max_oos=TARGET_OOS):
    from bot.evaluation.calibrate import operating_points

    best = (None, 0.0, 0.0, 0.0)
    for t, correct, wrong, oos in operating_points(best_p, right, in_scope):
        if wrong <= max_wrong and oos <= max_oos and correct > best[1]:
            best = (t, correct, wrong, oos)
    return best


def evaluate_configuration(
    config: Configuration, questions, parses, report_questions, report_parses, workdir: Path
) -> Result:
    from bot.answering.service import AnsweringService
    from bot.answering.settings import load_answering_settings
    from bot.embedding.build_command import ensure_encoder_model
    from bot.evaluation import calibrate
    from bot.evaluation.run import evaluate
    from bot.knowledge import load_knowledge_base
    from bot.retrieval.hybrid import build_retriever

    started = time.monotonic()
    settings = retrieval_settings(config, workdir / config.label.replace(" ", "_").replace(",", ""))
    ensure_encoder_model(settings)
    retriever = build_retriever(settings)
    service = AnsweringService(
        load_knowledge_base(settings), load_answering_settings(), retriever_factory=lambda: retriever
    )
    retrieved = [service.search(q.text) for q in questions]
    searched = [r for r in retrieved if r is not None]
    if len(searched) != len(retrieved):  # service.search logged why
        raise RuntimeError(f"{config.label}: retrieval failed for some dev questions")

    in_scope = [q.in_scope for q in questions]
    top1 = np.mean(
        [
            bool(r.faqs) and (r.faqs[0].faq_id == q.expect or r.faqs[0].faq_id in q.also)
            for q, r in zip(questions, searched, strict=True)
            if q.in_scope
        ]
    )
    table = calibrate.candidate_table(questions, parses, retrieved, service.faqs)
    probabilities = calibrate.as_the_bot_decides(calibrate.out_of_fold(table), questions, service)
    best_p, right = calibrate.best_choices(probabilities, table)
    threshold = calibrate.choose_threshold(best_p, right, in_scope)
    shipped = next(p for p in calibrate.operating_points(best_p, right, in_scope) if p[0] == threshold)
    result = Result(config, float(top1), shipped, operating_point_for_targets(best_p, right, in_scope))

    if report_questions:
        combiner = dataclasses.replace(calibrate._fit(table, range(len(table))), threshold=threshold)
        bands = calibrate.choose_bands(probabilities, table, questions, threshold, service.settings.calibration.bands)
        calibration = dataclasses.replace(
            service.settings.calibration,
            combiner=combiner,
            bands=bands,
            retrieval_only_threshold=calibrate.choose_retrieval_threshold(questions, retrieved, service.faqs),
        )
        report_retrieved = [service.search(q.text) for q in report_questions]
        cards = evaluate(report_questions, report_parses, report_retrieved, calibration, service.faqs, service)
        hybrid = next(card for mode, card in cards.items() if mode.value == "hybrid")
        result.report = dict(hybrid.counts)
    result.seconds = time.monotonic() - started
    return result


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def format_results(results: Sequence[Result], set_name: str, report_set: Optional[str]) -> str:
    lines = [
        f"Calibrated on {set_name} (out of fold). Shipped rule: the threshold `python -m bot calibrate` "
        f"picks; targets: <= {_pct(TARGET_WRONG)} wrong, <= {_pct(TARGET_OOS)} out-of-scope answered.",
        "",
        "| encoder | top-1 (in scope) | shipped rule: threshold / correct / wrong / oos answered "
        "| at the targets: threshold / correct / wrong / oos answered |"
        + (f" {report_set} (hybrid, dev-fitted): outcome counts |" if report_set else ""),
        "|---|---|---|---|" + ("---|" if report_set else ""),
    ]
    for r in results:
        t, c, w, o = r.shipped_rule
        tt, tc, tw, to = r.targets
        target_text = "none meets them" if tt is None else f"{tt:.2f} / {_pct(tc)} / {_pct(tw)} / {_pct(to)}"
        row = f"| {r.config.label} | {_pct(r.top1)} | {t:.2f} / {_pct(c)} / {_pct(w)} / {_pct(o)} | {target_text} |"
        if report_set and r.report is not None:
            # The scorecard's own outcome names, so new categories (one-tap, clarified) show as they are.
            row += " " + ", ".join(f"{key} {value}" for key, value in sorted(r.report.items())) + " |"
        lines.append(row)
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    from bot.evaluation.dataset import load_eval_set
    from bot.evaluation.rasa_parses import parse_with_rasa

    parser = argparse.ArgumentParser(
        prog="python -m bot.evaluation.encoder_comparison", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--set", default="eval/dev.yml", help="calibration set (default eval/dev.yml)")
    parser.add_argument("--report-set", default=None, help="also score this set with the dev-fitted calibration")
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3], help="fine-tuning seeds")
    parser.add_argument("--precision", nargs="+", default=["fp32"], choices=[p.value for p in Precision])
    parser.add_argument(
        "--runtime",
        nargs="+",
        default=["torch"],
        choices=[r.value for r in Runtime],
        help="inference runtimes (onnx: the folder's ONNX export, built beside it when missing)",
    )
    parser.add_argument("--no-zero-shot", action="store_true", help="skip the zero-shot encoder")
    parser.add_argument("--markdown", default=None, help="also write the table to this file")
    parser.add_argument(
        "--parses-cache",
        default=None,
        help="keep the Rasa parses in this JSON file and reuse them while the questions match "
        "(the trained Rasa model must not have changed)",
    )
    args = parser.parse_args(argv)

    questions = load_eval_set(PROJECT_ROOT / args.set)
    report_questions = load_eval_set(PROJECT_ROOT / args.report_set) if args.report_set else []
    texts = [q.text for q in questions + report_questions]
    parses = None
    cache = Path(args.parses_cache) if args.parses_cache else None
    if cache is not None and cache.is_file():
        stored = json.loads(cache.read_text(encoding="utf-8"))
        parses = stored["parses"] if stored.get("texts") == texts else None
    if parses is None:
        parses = parse_with_rasa(texts)
        if cache is not None:
            cache.write_text(json.dumps({"texts": texts, "parses": parses}, ensure_ascii=False), encoding="utf-8")
    parses, report_parses = parses[: len(questions)], parses[len(questions) :]

    configs = []
    for runtime in map(Runtime, args.runtime):
        for precision in map(Precision, args.precision):
            if not args.no_zero_shot:
                configs.append(Configuration(EncoderKind.ZERO_SHOT, precision, runtime=runtime))
            configs += [Configuration(EncoderKind.TUNED, precision, seed, runtime) for seed in args.seeds]
    results = []
    with tempfile.TemporaryDirectory(prefix="encoder-comparison-") as workdir:
        for config in configs:
            result = evaluate_configuration(config, questions, parses, report_questions, report_parses, Path(workdir))
            results.append(result)
            print(format_results([result], args.set, args.report_set).splitlines()[-1], file=sys.stderr)
            print(f"{config.label}: done in {result.seconds:.0f} s", file=sys.stderr, flush=True)
    text = format_results(results, args.set, args.report_set)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
