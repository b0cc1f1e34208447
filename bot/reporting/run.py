"""`python -m bot report` and `python -m bot accept`."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Optional

from bot.paths import PROJECT_ROOT

DEFAULT_OUT = PROJECT_ROOT / "state" / "reports"
REPORT_FILE = "report.html"
SUGGESTIONS_FILE = "suggestions.yml"


def parse_day(value: Optional[str], option: str) -> Optional[date]:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"error: {option} 需要 YYYY-MM-DD 格式的日期，例如 2026-11-01（收到 {value!r}）") from None


def _write_atomic(path: Path, text: str) -> None:
    # The staff page may be reading the previous report: replace it in one step.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o640)
    os.replace(tmp, path)


def report_main(args) -> int:
    from bot.reporting.conversations import conversations, questions
    from bot.reporting.csv_export import write_csvs
    from bot.reporting.figures import CHINA, compute
    from bot.reporting.html_report import render
    from bot.reporting.nearest_faq import FaqIndex
    from bot.reporting.privacy import SenderHasher, load_salt
    from bot.reporting.similarity import Backend, load_vectoriser
    from bot.reporting.store import StoreError, read_events
    from bot.reporting.suggest import suggestions, write_review_file
    from bot.text.normalize import Normalizer

    since, until = parse_day(args.since, "--since"), parse_day(args.until, "--until")
    if since and until and since > until:
        print("error: --since 晚于 --until", file=sys.stderr)
        return 2
    start = datetime.combine(since, time(), CHINA).timestamp() if since else None
    end = datetime.combine(until + timedelta(days=1), time(), CHINA).timestamp() if until else None
    try:
        convs = conversations(read_events(args.db, start, end))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        vectoriser = load_vectoriser(Backend(args.similarity) if args.similarity else None)
    except Exception as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    index = FaqIndex.build(vectoriser)
    fold = Normalizer()  # Traditional -> Simplified, full-width forms: one spelling per question
    if args.group_threshold is not None and not 0.0 < args.group_threshold <= 1.0:
        print("error: --group-threshold 须在 0 到 1 之间", file=sys.stderr)
        return 2
    data = compute(
        convs,
        vectoriser,
        index,
        SenderHasher(load_salt()),
        since,
        until,
        fold=fold,
        group_threshold=args.group_threshold,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _write_atomic(out / REPORT_FILE, render(data, index.title))
    write_csvs(data, out, index.title)
    t = data.totals
    print(f"report: {out / REPORT_FILE} (+ CSV files in {out})")
    print(
        f"  {t.conversations} conversations, {t.questions} questions: {t.answered} answered, "
        f"{t.clarified} clarified, {t.declined} declined; ratings: "
        f"{data.ratings_total.get('useful', 0)} useful, {data.ratings_total.get('useless', 0)} useless; "
        f"{len(data.declined_groups)} declined-question groups ({vectoriser.backend.value} similarity)"
    )
    if args.suggest:
        items = suggestions(questions(convs), vectoriser, index, fold=fold)
        path = write_review_file(items, Path(args.suggest_file) if args.suggest_file else out / SUGGESTIONS_FILE)
        print(f"review file: {path} ({len(items)} suggestions; set approve: true, then `python -m bot accept {path}`)")
    return 0


def accept_main(args) -> int:
    from bot.reporting.accept import AcceptError, accept

    try:
        result = accept(Path(args.file))
    except AcceptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for faq_id, question in result.added:
        print(f"added     faq/{faq_id}: {question}")
    for question in result.already_known:
        print(f"skipped   already in the training data: {question}")
    for question, reason, detail in result.refused:
        print(f"REFUSED   {question}: {reason.value}" + (f"（{detail}）" if detail else ""))
    print(
        f"{len(result.added)} added, {len(result.refused)} refused, {len(result.already_known)} already known, "
        f"{result.not_approved} not approved."
    )
    if result.written:
        print(f"written to {result.written}; nothing was retrained: run `make model` (and review the diff).")
    # Refusals are the reviewer's to fix; a non-zero status keeps scripts from missing them.
    return 1 if result.refused else 0
