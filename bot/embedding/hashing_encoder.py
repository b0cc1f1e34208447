"""A model-free fake of the embedding encoder (``bot.embedding.encoder``).

Hashes character unigrams and bigrams into a fixed-size vector, so texts that
share characters get a higher cosine. Deterministic across processes (no
Python ``hash``), instant, and enough to exercise indexing and fusion in unit
tests without loading a transformer. It has the real encoder's interface
(``encode_queries``, ``encode_passages``, ``describe``, ``dimension``, the
prompts) and nothing else.
"""

from __future__ import annotations

import zlib

import numpy as np


class HashingEncoder:
    def __init__(self, dimension: int = 256, name: str = "hashing-encoder") -> None:
        self.dimension = dimension
        self.name = name
        self.calls = 0  # how many encode_* calls; lets tests see rebuilds
        # No prompts: both sides embed the raw text.
        self.query_prompt = ""
        self.passage_prompt = ""

    def describe(self) -> dict:
        return {"model": self.name, "dimension": self.dimension}

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("expected a list of strings, got a single str")
        self.calls += 1
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            grams = list(text) + [text[i : i + 2] for i in range(len(text) - 1)]
            for gram in grams:
                bucket = zlib.crc32(gram.encode("utf-8")) % self.dimension
                vectors[row, bucket] += 1.0
            # A constant component keeps empty/odd inputs at a defined, unit vector.
            vectors[row, 0] += 1e-3
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors
