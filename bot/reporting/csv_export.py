"""The report's tables as CSV, UTF-8 with a BOM so Excel shows the Chinese."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bot.reporting.conversations import Outcome
from bot.reporting.figures import ReportData

ENCODING = "utf-8-sig"


def _write(path: Path, header: List[str], rows) -> None:
    with open(path, "w", encoding=ENCODING, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.4f}" if whole else ""


def write_csvs(data: ReportData, out_dir: Path, faq_title: Callable[[Optional[str]], str]) -> Dict[str, Path]:
    paths = {name: out_dir / f"{name}.csv" for name in ("daily", "questions", "declined_groups", "rated_answers")}
    _write(
        paths["daily"],
        [
            "day",
            "conversations",
            "questions",
            "answered",
            "clarified",
            "declined",
            "answered_rate",
            "clarified_rate",
            "declined_rate",
        ],
        (
            [
                d.day.isoformat(),
                d.conversations,
                d.questions,
                d.answered,
                d.clarified,
                d.declined,
                *(_rate(getattr(d, o.value), d.questions) for o in Outcome),
            ]
            for d in data.days
        ),
    )
    _write(
        paths["questions"],
        ["day", "conversation", "question", "outcome", "kind", "answer_id", "confidence", "clarification_tap"],
        (
            [
                r.day.isoformat(),
                r.conversation,
                r.question,
                r.outcome,
                r.kind,
                r.answer_id or "",
                "" if r.confidence is None else r.confidence,
                r.resolved_by_tap or "",
            ]
            for r in data.rows
        ),
    )
    _write(
        paths["declined_groups"],
        ["rank", "count", "question", "variants", "nearest_faq", "nearest_faq_question", "similarity"],
        (
            [
                i,
                g.count,
                g.label,
                " | ".join(f"{t} ({n})" for t, n in g.examples),
                g.nearest_faq or "",
                faq_title(g.nearest_faq),
                f"{g.nearest_score:.4f}",
            ]
            for i, g in enumerate(data.declined_groups, 1)
        ),
    )
    _write(
        paths["rated_answers"],
        ["answer_id", "faq_question", "useless", "useful", "questions_marked_useless"],
        ([r.answer_id, r.title, r.useless, r.useful, " | ".join(r.questions)] for r in data.rated),
    )
    return paths
