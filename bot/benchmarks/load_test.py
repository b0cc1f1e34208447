"""Load test: N simulated users for T seconds through the REST channel, loopback only.

    .venv/bin/python -m bot.benchmarks.load_test --users 20 --seconds 60 [--think-seconds 2]

Runs a single-user baseline first, then N concurrent users, against the same
server, and prints throughput, p50/p95/p99 latency and the error count for
both. A simulated user waits a random 0.5x-1.5x --think-seconds between an
answer and its next question, as people read and type; --think-seconds 0
measures the saturated server instead. Without --url it starts its own stack. Bounded: at most 100 users and
300 seconds, and it refuses any address outside loopback.
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import List, Optional, Tuple
from urllib.parse import urlsplit

import requests

from bot.benchmarks.questions import benchmark_questions
from bot.benchmarks.stats import fmt, summary_ms

MAX_USERS = 100
MAX_SECONDS = 300
# A visitor asks a handful of questions, then leaves; an endless conversation
# would measure the tracker store's growing history instead of the bot.
TURNS_PER_CONVERSATION = 10


def require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    for info in socket.getaddrinfo(host, None):
        if not ipaddress.ip_address(info[4][0]).is_loopback:
            raise SystemExit(f"refusing to load-test {host}: only loopback addresses are allowed")


def simulated_user(url: str, questions: List[str], deadline: float, seed: int, think: float) -> Tuple[List[float], int]:
    """One user: a conversation of questions, each sent after the previous answer."""
    rng = random.Random(seed)
    session = requests.Session()
    latencies, errors, turns = [], 0, 0
    while time.monotonic() < deadline:
        if turns % TURNS_PER_CONVERSATION == 0:
            sender = f"load-{uuid.uuid4().hex[:10]}"
        turns += 1
        started = time.perf_counter()
        try:
            resp = session.post(url, json={"sender": sender, "message": rng.choice(questions)}, timeout=30)
            if resp.status_code != 200 or not resp.json():
                errors += 1
            else:
                latencies.append(time.perf_counter() - started)
        except (requests.RequestException, ValueError):
            errors += 1
        if think:
            time.sleep(min(think * rng.uniform(0.5, 1.5), max(0.0, deadline - time.monotonic())))
    return latencies, errors


def run_load(url: str, users: int, seconds: float, questions: List[str], think: float) -> dict:
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=users) as pool:
        results = list(pool.map(lambda i: simulated_user(url, questions, deadline, i, think), range(users)))
    elapsed = time.monotonic() - started
    latencies = [x for lat, _ in results for x in lat]
    errors = sum(err for _, err in results)
    stats = summary_ms(latencies)
    stats.update(users=users, seconds=elapsed, errors=errors, throughput=len(latencies) / elapsed, think=think)
    return stats


def report(label: str, stats: dict) -> str:
    return (
        f"{label:>16}: {stats['users']:>3} users, think {stats['think']:.1f} s, {stats['seconds']:.0f} s, "
        f"{stats['throughput']:.1f} turns/s, errors {stats['errors']}, {fmt(stats)}"
    )


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-seconds", type=float, default=20)
    parser.add_argument("--think-seconds", type=float, default=2.0)
    parser.add_argument("--url", default=None, help="a running bot's base URL (loopback only)")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= MAX_USERS or not 0 < args.seconds <= MAX_SECONDS or not 0 <= args.think_seconds <= 30:
        raise SystemExit(f"users must be 1..{MAX_USERS}, seconds 0..{MAX_SECONDS}, think-seconds 0..30")
    questions = benchmark_questions()
    with ExitStack() as resources:
        base = args.url
        if base is None:
            from bot.serving.stack import Stack, free_port

            stack = resources.enter_context(Stack(rasa_port=free_port(), actions_port=free_port()))
            base = stack.rasa_url
        url = f"{base.rstrip('/')}/webhooks/rest/webhook"
        require_loopback(url)
        run_load(url, 2, 5, questions, 0.0)  # warm-up
        # The baseline never thinks: it is the latency of one turn on an idle server.
        single = run_load(url, 1, args.baseline_seconds, questions, 0.0)
        loaded = run_load(url, args.users, args.seconds, questions, args.think_seconds)
    print(report("single user", single))
    print(report(f"{args.users} users", loaded))
    print(f"p95 under load / single-user p95: {loaded['p95'] / single['p95']:.2f}x")
    return 0 if loaded["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
