"""Percentiles for latency samples."""

from __future__ import annotations

from typing import Dict, Sequence

import numpy as np


def summary_ms(seconds: Sequence[float]) -> Dict[str, float]:
    ms = np.asarray(seconds, dtype=float) * 1000.0
    if ms.size == 0:
        return {"n": 0}
    return {
        "n": int(ms.size),
        "p50": float(np.percentile(ms, 50)),
        "p95": float(np.percentile(ms, 95)),
        "p99": float(np.percentile(ms, 99)),
        "mean": float(ms.mean()),
    }


def fmt(stats: Dict[str, float]) -> str:
    if not stats.get("n"):
        return "no samples"
    return f"n={stats['n']:>4}  p50={stats['p50']:7.1f} ms  p95={stats['p95']:7.1f} ms  p99={stats['p99']:7.1f} ms"
