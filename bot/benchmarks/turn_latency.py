"""REST turn latency for intent-only, retrieval-only and hybrid answering, in one run.

    .venv/bin/python -m bot.benchmarks.turn_latency [--rounds 2]

Starts the real stack once per configuration (the action server's
BOT_ANSWER_MODE differs), warms it up, then sends every benchmark question
sequentially through /webhooks/rest/webhook from a single client.
"""
from __future__ import annotations

import argparse
import time
import uuid

from bot.benchmarks.questions import benchmark_questions
from bot.benchmarks.stats import fmt, summary_ms
from bot.serving.client import BotClient
from bot.serving.stack import Stack, free_port

MODES = ("intent", "retrieval", "hybrid")


def measure(mode: str, questions, rounds: int) -> dict:
    stack = Stack(rasa_port=free_port(), actions_port=free_port(), extra_env={"BOT_ANSWER_MODE": mode})
    with stack:
        client = BotClient(stack.rasa_url)
        for text in questions[:5]:
            client.send(f"warm-{uuid.uuid4().hex}", text)
        samples = []
        for _ in range(rounds):
            for text in questions:
                started = time.perf_counter()
                client.send(f"bench-{uuid.uuid4().hex}", text)
                samples.append(time.perf_counter() - started)
    return summary_ms(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    questions = benchmark_questions()
    results = {mode: measure(mode, questions, args.rounds) for mode in MODES}
    print(f"REST turn latency, {len(questions)} questions x {args.rounds} rounds, one client, sequential:")
    for mode, stats in results.items():
        print(f"  {mode:>9}: {fmt(stats)}")
    ratio = results["hybrid"]["p50"] / results["intent"]["p50"]
    print(f"  hybrid / intent-only p50 ratio: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
