"""One query's embedding + search, in-process, per torch thread count.

    .venv/bin/python -m bot.benchmarks.retrieval_latency

Compares torch threads 1 and 2 and the three retrieval steps (encode only,
passage search, full analyse with the question bank) in one run, and, as a
candidate for later, the encoder with int8 dynamic quantisation of its linear
layers (speed, and how far its vectors move from the shipped fp32 ones).
"""
from __future__ import annotations

import copy
import time
import warnings

import numpy as np
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
    fp32 = retriever.encoder._model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch points to torchao for new code; this is a measurement
        int8 = torch.ao.quantization.quantize_dynamic(copy.deepcopy(fp32), {torch.nn.Linear}, dtype=torch.qint8)
    prompt = retriever.encoder.query_prefix

    def encode(model, texts):
        return model.encode([prompt + t for t in texts], normalize_embeddings=True)

    print("torch threads = 1, encoder variants (not shipped: int8 needs its own calibration)")
    print(f"  fp32 encode        : {fmt(timed(lambda q: encode(fp32, [q]), questions))}")
    print(f"  int8 encode        : {fmt(timed(lambda q: encode(int8, [q]), questions))}")
    agreement = np.sum(encode(fp32, questions) * encode(int8, questions), axis=1)
    print(f"  cosine(fp32, int8) : min {agreement.min():.4f}  median {np.median(agreement):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
