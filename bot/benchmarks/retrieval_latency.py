"""One query's embedding + search, in-process, per torch thread count.

    .venv/bin/python -m bot.benchmarks.retrieval_latency

Compares torch threads 1 and 2 and the three retrieval steps (encode only,
passage search, full analyse with the question bank) in one run.
"""
from __future__ import annotations

import time

import torch

from bot.benchmarks.questions import benchmark_questions
from bot.benchmarks.stats import fmt, summary_ms
from bot.retrieval.hybrid import build_default_retriever


def timed(fn, questions, rounds=3):
    samples = []
    for _ in range(rounds):
        for text in questions:
            started = time.perf_counter()
            fn(text)
            samples.append(time.perf_counter() - started)
    return summary_ms(samples)


def main() -> int:
    questions = benchmark_questions()
    retriever = build_default_retriever()
    retriever.analyse("预热")
    print(f"{len(questions)} questions x 3 rounds; {retriever.describe()}")
    for threads in (1, 2):
        torch.set_num_threads(threads)
        print(f"torch threads = {threads}")
        print(f"  encode only        : {fmt(timed(lambda q: retriever.encoder.encode_queries([q]), questions))}")
        print(f"  search (passages)  : {fmt(timed(retriever.search_faq, questions))}")
        print(f"  analyse (+ bank)   : {fmt(timed(retriever.analyse, questions))}")
    torch.set_num_threads(1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
