"""One query's embedding + search, in-process, per encoder configuration.

    .venv/bin/python -m bot.benchmarks.retrieval_latency [--configs zero_shot:fp32 tuned:int8 tuned:onnx-int8 ...]

Compares, in one run and on one thread (how the action server runs), the
encoder configurations the settings can select (zero-shot / tuned, fp32 /
int8, torch / ONNX Runtime: ``tuned:onnx-int8`` is the tuned folder's ONNX
export with ONNX Runtime's int8): encode only, encode + passage search, and
the full ``analyse`` the answering service calls (encode + passage search +
question bank), plus how far each configuration's query vectors sit from
zero-shot fp32. The shipped configuration (settings/retrieval.yml) is marked.
Then, for the shipped configuration only, threads 1 vs 2. Target (issue #9):
encode + search at most 10 ms p50 on one thread.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Callable, List, Optional, Sequence

import numpy as np

from bot.benchmarks.questions import benchmark_questions
from bot.benchmarks.stats import fmt, summary_ms
from bot.embedding.options import EncoderKind, Precision, Runtime

DEFAULT_CONFIGS = ("zero_shot:fp32", "zero_shot:int8", "tuned:fp32", "tuned:int8")
ROUNDS = 3
# Every configuration's query vectors are compared with this one's.
REFERENCE = (EncoderKind.ZERO_SHOT, Precision.FP32, Runtime.TORCH)


def timed(fn: Callable[[str], object], questions: Sequence[str], rounds: int = ROUNDS) -> str:
    """Wall-clock latency, and the calling thread's CPU time per query.

    With one torch thread all the work runs on the calling thread, so its CPU
    time is what the wall clock shows on an idle core; on a busy host (other
    processes on the same cores) the wall clock also counts waiting for a core.
    """
    wall, cpu = [], []
    for _ in range(rounds):
        for text in questions:
            started, started_cpu = time.perf_counter(), time.thread_time()
            fn(text)
            cpu.append(time.thread_time() - started_cpu)
            wall.append(time.perf_counter() - started)
    cpu_stats = summary_ms(cpu)
    return f"{fmt(summary_ms(wall))}   cpu p50={cpu_stats['p50']:6.1f} ms"


ONNX_PREFIX = "onnx-"


def parse_config(text: str):
    """``kind:precision``, the precision prefixed ``onnx-`` for ONNX Runtime
    (``tuned:onnx-int8``); without it, torch."""
    kind, _, precision = text.partition(":")
    runtime = Runtime.TORCH
    if precision.startswith(ONNX_PREFIX):
        runtime, precision = Runtime.ONNX, precision[len(ONNX_PREFIX) :]
    return EncoderKind(kind), Precision(precision or "fp32"), runtime


def config_name(kind: EncoderKind, precision: Precision, runtime: Runtime) -> str:
    prefix = ONNX_PREFIX if runtime is Runtime.ONNX else ""
    return f"{kind.value}:{prefix}{precision.value}"


def main(argv: Optional[List[str]] = None) -> int:
    import torch

    from bot.embedding.build_command import ensure_encoder_model
    from bot.retrieval.hybrid import build_retriever
    from bot.retrieval.settings import load_settings

    parser = argparse.ArgumentParser(
        prog="python -m bot.benchmarks.retrieval_latency", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--configs",
        nargs="+",
        default=list(DEFAULT_CONFIGS),
        help="encoder:precision pairs, e.g. tuned:int8; tuned:onnx-int8 runs on ONNX Runtime",
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="passes over the questions per step")
    parser.add_argument("--questions", type=int, default=None, help="use only the first N questions")
    args = parser.parse_args(argv)
    rounds = args.rounds

    shipped = load_settings()
    shipped_config = (shipped.encoder, shipped.precision, shipped.runtime)
    questions = benchmark_questions()[: args.questions]
    print(
        f"{len(questions)} questions x {rounds} rounds, threads = 1; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; shipped: {config_name(*shipped_config)}"
    )
    reference = None
    shipped_retriever = None
    with tempfile.TemporaryDirectory(prefix="retrieval-latency-") as scratch:
        for text in args.configs:
            kind, precision, runtime = parse_config(text)
            settings = shipped.model_copy(
                update=dict(
                    encoder=kind,
                    precision=precision,
                    runtime=runtime,
                    threads=1,
                    index_dir=Path(scratch) / text.replace(":", "-"),
                )
            )
            ensure_encoder_model(settings)
            retriever = build_retriever(settings)
            torch.set_num_threads(1)
            retriever.analyse("预热")
            mark = "  (shipped)" if (kind, precision, runtime) == shipped_config else ""
            print(f"{config_name(kind, precision, runtime)}{mark}")

            def encode_one(q: str, encoder=retriever.encoder) -> object:
                return encoder.encode_queries([q])

            print(f"  encode only        : {timed(encode_one, questions, rounds)}")
            print(f"  search (passages)  : {timed(retriever.search_faq, questions, rounds)}")
            print(f"  analyse (+ bank)   : {timed(retriever.analyse, questions, rounds)}")
            vectors = retriever.encoder.encode_queries(questions)
            if reference is None and (kind, precision, runtime) == REFERENCE:
                reference = vectors
            elif reference is not None:
                agreement = np.sum(reference * vectors, axis=1)
                print(
                    f"  cosine to zero-shot fp32 vectors: min {agreement.min():.4f}  median {np.median(agreement):.4f}"
                )
            if mark:
                # torch's pool is process-wide (set to 2 below); an ONNX Runtime
                # session's is its own, so load one with two threads (same
                # export, so the index just built is reused).
                two_threads = settings.model_copy(update={"threads": 2})
                shipped_retriever = retriever if runtime is Runtime.TORCH else build_retriever(two_threads)
            del retriever, encode_one  # neither may keep this model alive while the next one loads
        if shipped_retriever is not None:
            torch.set_num_threads(2)
            print(f"{config_name(*shipped_config)} with threads = 2")
            print(f"  analyse (+ bank)   : {timed(shipped_retriever.analyse, questions, rounds)}")
            torch.set_num_threads(1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
