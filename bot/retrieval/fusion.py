"""How the dense and lexical scores are combined into one ranking score."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FusionWeights:
    vector_weight: float = 0.85
    bm25_weight: float = 0.15
    # BM25 score at which its normalised value reaches 0.5.
    bm25_saturation: float = 6.0


def saturate_bm25(raw: np.ndarray, saturation: float) -> np.ndarray:
    """Map raw BM25 (0..inf) into [0, 1) with ``raw / (raw + c)``.

    An absolute squashing, not a per-query max-normalisation: a query that
    matches nothing well must not get a perfect lexical score just for being
    the best of a bad lot, or downstream thresholds would stop meaning anything.
    """
    raw = np.maximum(raw, 0.0)
    return raw / (raw + saturation)


def fuse(cosine: np.ndarray, bm25_norm: np.ndarray, weights: FusionWeights) -> np.ndarray:
    """Weighted sum; higher means more relevant (range 0..vector+bm25 weight)."""
    return weights.vector_weight * cosine + weights.bm25_weight * bm25_norm
