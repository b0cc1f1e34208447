"""Simulated citizens for the conversation report: N conversations through the
real stack (Rasa server + action server, loopback only), written to a
tracker store of their own, then the report made from it.

    .venv/bin/python -m bot.benchmarks.simulate_conversations --conversations 200 \\
        --db artifacts/report-demo/conversations.db --spread-days 14

Each simulated citizen may greet, asks 1-4 questions drawn from the
evaluation sets (in-scope and out-of-scope, as phrased there: colloquial,
typos, Traditional characters), rates some answers 有用/没用 with the
payload the buttons send, taps a clarification's or 猜你想问's first option
now and then, and may say thanks. The driver counts what it sent, so the
report's figures can be checked against it.

--spread-days: the run takes minutes, but a report over one afternoon shows
no trend. After the servers stop, each conversation's events are shifted as
one block onto a day of the last N days (weekdays busier, 8:00-22:00
Beijing time), by rewriting the `timestamp` column and the events' JSON in
this simulation's own SQLite file. Nothing else is changed; the report says
nothing about it, so state it wherever the figures are shown.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import List, Optional

import requests

from bot.evaluation.dataset import load_eval_set
from bot.paths import PROJECT_ROOT

EVAL_SETS = ("dev.yml", "test.yml")
GREETINGS = ["你好", "您好", "在吗", "你好，请问一下"]
THANKS = ["谢谢", "好的谢谢", "明白了，谢谢"]
ANSWER_KINDS = {"faq", "passage", "booster_check"}


class Citizen:
    def __init__(self, url: str, rng: random.Random, tally: Counter):
        self.url, self.rng, self.tally = url, rng, tally
        self.sender = f"sim-{uuid.UUID(int=rng.getrandbits(128)).hex[:12]}"
        self.http = requests.Session()

    def send(self, text: str) -> List[dict]:
        resp = self.http.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": self.sender, "message": text}, timeout=120
        )
        resp.raise_for_status()
        self.tally["messages"] += 1
        return resp.json()

    @staticmethod
    def answer_of(messages: List[dict]) -> dict:
        for m in messages:
            answer = (m.get("custom") or {}).get("answer")
            if isinstance(answer, dict):
                return answer
        return {}

    @staticmethod
    def buttons_of(messages: List[dict]) -> List[dict]:
        return [b for m in messages for b in (m.get("buttons") or [])]

    def converse(self, in_scope: List[str], out_of_scope: List[str]) -> None:
        rng = self.rng
        if rng.random() < 0.3:
            self.send(rng.choice(GREETINGS))
        for _ in range(rng.choice([1, 1, 2, 2, 2, 3, 4])):
            question = rng.choice(in_scope if rng.random() < 0.7 else out_of_scope)
            replies = self.send(question)
            self.tally["questions"] += 1
            kind = self.answer_of(replies).get("kind")
            self.tally[f"reply:{kind}"] += 1
            if kind == "clarify":
                options = [b for b in self.buttons_of(replies) if not b["payload"].startswith("/feedback")]
                if options and rng.random() < 0.6:
                    tap = options[0] if rng.random() < 0.8 else options[-1]
                    replies = self.send(tap["payload"])
                    self.tally["clarify_taps"] += 1
                    kind = self.answer_of(replies).get("kind")
            if kind in ANSWER_KINDS and rng.random() < 0.4:
                value = "useful" if rng.random() < 0.65 else "useless"
                after = self.send(f'/feedback{{"value":"{value}"}}')
                self.tally[f"rated:{value}"] += 1
                related = [b for b in self.buttons_of(after) if b["payload"].startswith("/choose_faq")]
                if value == "useless" and related and rng.random() < 0.4:
                    self.send(related[0]["payload"])
                    self.tally["related_taps"] += 1
        if rng.random() < 0.3:
            self.send(rng.choice(THANKS))
        self.tally["conversations"] += 1


def question_pools():
    in_scope: List[str] = []
    out_of_scope: List[str] = []
    for name in EVAL_SETS:
        path = PROJECT_ROOT / "eval" / name
        if path.is_file():
            for q in load_eval_set(path):
                (in_scope if q.in_scope else out_of_scope).append(q.text)
    return in_scope, out_of_scope


def spread_over_days(db: Path, days: int, rng: random.Random, end: Optional[datetime] = None) -> int:
    """Moves each sender's events, as one block, to a random time of the last `days` days."""
    from bot.reporting.figures import CHINA

    end = end or datetime.now(CHINA)
    # Weekdays get about twice the visitors of weekend days.
    # Whole past days only: no simulated visit lands later today than now.
    calendar = [(end - timedelta(days=n)).date() for n in range(1, days + 1)]
    weights = [2.0 if d.weekday() < 5 else 1.0 for d in calendar]
    with sqlite3.connect(db) as conn:
        senders = [row[0] for row in conn.execute("SELECT DISTINCT sender_id FROM events ORDER BY sender_id")]
        for sender in senders:
            (first,) = conn.execute("SELECT min(timestamp) FROM events WHERE sender_id = ?", (sender,)).fetchone()
            day = rng.choices(calendar, weights)[0]
            start = datetime.combine(day, time(8), CHINA) + timedelta(seconds=rng.uniform(0, 14 * 3600))
            shift = start.timestamp() - first
            rows = conn.execute("SELECT id, timestamp, data FROM events WHERE sender_id = ?", (sender,)).fetchall()
            for event_id, ts, data in rows:
                event = json.loads(data)
                if isinstance(event.get("timestamp"), (int, float)):
                    event["timestamp"] += shift
                conn.execute(
                    "UPDATE events SET timestamp = ?, data = ? WHERE id = ?",
                    (ts + shift, json.dumps(event, ensure_ascii=False), event_id),
                )
    return len(senders)


def main(argv: Optional[List[str]] = None) -> int:
    from bot.serving.stack import Stack, StackError, free_port

    parser = argparse.ArgumentParser(
        prog="python -m bot.benchmarks.simulate_conversations",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--db", type=Path, default=PROJECT_ROOT / "artifacts" / "report-demo" / "conversations.db")
    parser.add_argument("--spread-days", type=int, default=14, help="0: keep the real timestamps")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--parallel",
        type=int,
        default=4,
        help="citizens talking at the same time (each conversation is still one at a time)",
    )
    parser.add_argument(
        "--model", type=Path, default=None, help="a trained Rasa model (default: models/vaccine-faq.tar.gz)"
    )
    parser.add_argument(
        "--report-out", type=Path, default=None, help="also make the report from the store into this folder"
    )
    parser.add_argument(
        "--screenshot", type=Path, default=None, help="and save a screenshot of it here (headless Chromium)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.conversations <= 2000:
        print("error: --conversations must be between 1 and 2000", file=sys.stderr)
        return 2
    if args.db.exists():
        print(f"error: {args.db} exists; the simulation writes a store of its own (delete it first)", file=sys.stderr)
        return 2
    args.db.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    in_scope, out_of_scope = question_pools()
    tally: Counter = Counter()
    stack = Stack(
        rasa_port=free_port(), actions_port=free_port(), tracker_db=args.db, log_dir=PROJECT_ROOT / "artifacts" / "logs"
    )
    if args.model:
        stack.model = args.model.resolve()
    try:
        print("starting the stack (about a minute)...", flush=True)
        stack.start()
        # One random stream per citizen, drawn up front: the same seed gives the
        # same citizens whatever order the threads finish in.
        seeds = [rng.getrandbits(64) for _ in range(args.conversations)]
        tallies = []

        def one(seed: int) -> Counter:
            own: Counter = Counter()
            try:
                Citizen(stack.rasa_url, random.Random(seed), own).converse(in_scope, out_of_scope)
            except requests.RequestException:
                own["failed_conversations"] += 1  # reported with the tally, never silently dropped
            return own

        with ThreadPoolExecutor(max_workers=max(1, min(args.parallel, 16))) as pool:
            for n, own in enumerate(pool.map(one, seeds), 1):
                tallies.append(own)
                if n % 20 == 0:
                    print(f"  {n} conversations", flush=True)
        for own in tallies:
            tally.update(own)
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
    if args.spread_days > 0:
        moved = spread_over_days(args.db, args.spread_days, rng)
        print(f"timestamps: {moved} conversations spread over the last {args.spread_days} days")
    print("sent:", json.dumps(dict(sorted(tally.items())), ensure_ascii=False))
    print(f"store: {args.db}")
    if args.report_out:
        from bot.cli import main as bot_main

        status = bot_main(["report", "--db", str(args.db), "--out", str(args.report_out)])
        if status:
            return status
        if args.screenshot:
            screenshot(args.report_out / "report.html", args.screenshot)
            print(f"screenshot: {args.screenshot}")
    return 0


CHROMIUM = "/usr/bin/chromium"


def screenshot(html: Path, png: Path, width: int = 1100) -> None:
    """A full-page PNG of the report with headless Chromium (Playwright drives
    the Debian build; Playwright's own browser download is blocked here)."""
    from playwright.sync_api import sync_playwright

    png.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(html.resolve().as_uri())
            page.screenshot(path=str(png), full_page=True)
        finally:
            browser.close()


if __name__ == "__main__":
    sys.exit(main())
