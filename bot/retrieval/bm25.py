"""Okapi BM25 over pre-tokenised documents.

The corpus is a few dozen passages, so a dense term -> postings dict is
plenty; scores come back as one array aligned with the documents.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np


class BM25:
    """Okapi BM25 with the non-negative (Lucene-style) IDF.

    ``idf = ln(1 + (N - n + 0.5) / (n + 0.5))`` never goes negative, so a term
    that appears in most passages still adds a little instead of penalising
    the passages that contain it.
    """

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        if k1 <= 0:
            raise ValueError("k1 must be > 0")
        if not 0.0 <= b <= 1.0:
            raise ValueError("b must be within [0, 1]")
        self.k1 = k1
        self.b = b
        self.size = len(documents)
        self._lengths = np.array([len(doc) for doc in documents], dtype=np.float64)
        self._avg_length = float(self._lengths.mean()) if self.size else 0.0
        # term -> (document positions, term frequencies)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for position, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                entry = postings.setdefault(term, ([], []))
                entry[0].append(position)
                entry[1].append(count)
        self._postings = {
            term: (np.array(docs, dtype=np.int64), np.array(tfs, dtype=np.float64))
            for term, (docs, tfs) in postings.items()
        }
        self._idf = {
            term: math.log(1.0 + (self.size - len(docs) + 0.5) / (len(docs) + 0.5))
            for term, (docs, _) in self._postings.items()
        }

    def idf(self, term: str) -> float:
        return self._idf.get(term, 0.0)

    def scores(self, query_terms: Iterable[str]) -> np.ndarray:
        """Raw BM25 score of every document (0 where nothing matches).

        Each distinct query term counts once: repeating a word in the query
        (加强加强加强…) must not outweigh the other words.
        """
        scores = np.zeros(self.size, dtype=np.float64)
        if not self.size or self._avg_length == 0:
            return scores
        norm = self.k1 * (1.0 - self.b + self.b * self._lengths / self._avg_length)
        for term in set(query_terms):
            entry = self._postings.get(term)
            if entry is None:
                continue
            docs, tfs = entry
            scores[docs] += self._idf[term] * tfs * (self.k1 + 1.0) / (tfs + norm[docs])
        return scores
