"""Questions the benchmarks send: the development evaluation set, so the mix of
in-scope, inside-answer and out-of-scope questions is realistic."""

from __future__ import annotations

from typing import List

from bot.evaluation.dataset import load_eval_set
from bot.paths import PROJECT_ROOT


def benchmark_questions() -> List[str]:
    return [q.text for q in load_eval_set(PROJECT_ROOT / "eval" / "dev.yml")]
