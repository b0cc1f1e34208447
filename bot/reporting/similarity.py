"""Sentence vectors for grouping questions and finding their nearest FAQ.

The project's embedding model (multilingual-e5-small, bot.embedding) when it
loads; otherwise a plainly labelled fallback of character-bigram vectors, so
the report still runs on a machine without the model (and says so at the
top). Both give unit vectors: a dot product is a cosine, higher is closer.
"""

from __future__ import annotations

import logging
import zlib
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

logger = logging.getLogger(__name__)


class Backend(str, Enum):
    EMBEDDING = "embedding"
    LEXICAL = "lexical"


# Cosines above which a question joins a group. Measured on eval/dev.yml's
# in-scope questions (pairs asking about the same FAQ vs different FAQs; all
# are about vaccination, so "different" is a hard case):
#   e5-small (zero-shot): at 0.94, 8% of same-FAQ pairs and 1.4% of
#     different-FAQ pairs reach it; at 0.92, 21% and 4.9%; at 0.90, 42% and 15%.
#     On the 200-conversation demo's declined questions, 0.92 still put
#     "who can get vaccinated" together with "can I drink after the shot";
#     0.94 kept groups to one question.
#   character bigrams: at 0.5, 2.8% and 0.2%.
# Both are strict on purpose: a group should hold rewordings of one question,
# and two small groups of one question cost staff less than one group that
# mixes two. A different (e.g. fine-tuned) encoder shifts e5's cosines:
# re-measure, or pass --group-threshold.
GROUP_THRESHOLDS = {Backend.EMBEDDING: 0.94, Backend.LEXICAL: 0.5}


@dataclass
class Vectoriser:
    backend: Backend
    embed: Callable[[Sequence[str]], np.ndarray]  # (n, dim) unit rows
    note: str  # for the report: which method grouped the questions

    @property
    def group_threshold(self) -> float:
        return GROUP_THRESHOLDS[self.backend]


def _bigrams(text: str) -> Counter:
    chars = [c for c in text if not c.isspace()]
    grams = Counter(a + b for a, b in zip(chars, chars[1:], strict=False))  # adjacent pairs: one shorter by design
    grams.update(chars)  # single characters keep one- and two-character questions comparable
    return grams


LEXICAL_DIMENSIONS = 1 << 14


def lexical_vectoriser(normalize: Callable[[str], str] = lambda s: s) -> Vectoriser:
    # Hashed n-grams: every call lands in the same space (questions and FAQ
    # keys are embedded separately), with no vocabulary to keep.
    def embed(texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), LEXICAL_DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            for gram, count in _bigrams(normalize(text)).items():
                out[row, zlib.crc32(gram.encode("utf-8")) % LEXICAL_DIMENSIONS] += count
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)

    return Vectoriser(
        Backend.LEXICAL,
        embed,
        "嵌入模型不可用，按字面相似度（字符二元组）分组；结果较粗，请安装模型后重新生成（make embedding-model）。",
    )


def embedding_vectoriser() -> Vectoriser:
    """Raises when the model cannot be loaded (bot.embedding's error names the fix)."""
    from bot.embedding.encoder import Encoder
    from bot.retrieval.settings import load_settings, prompt_overrides

    settings = load_settings()
    # Encoder takes the settings' prompts by name, as bot.retrieval.hybrid passes them.
    encoder = Encoder(settings.model_path, threads=settings.threads, prompts=prompt_overrides(settings))
    # Question-to-question similarity: both sides are user questions.
    name = Path(str(getattr(encoder, "name", "e5"))).name
    return Vectoriser(
        Backend.EMBEDDING, lambda texts: encoder.encode_queries(list(texts)), f"按语义相似度分组（嵌入模型 {name}）。"
    )


def load_vectoriser(backend: Optional[Backend] = None) -> Vectoriser:
    """The requested backend; by default the embedding model, else the fallback."""
    from bot.text.normalize import normalize_query

    if backend is Backend.LEXICAL:
        return lexical_vectoriser(normalize_query)
    try:
        return embedding_vectoriser()
    except Exception as exc:
        if backend is Backend.EMBEDDING:
            raise
        logger.warning("embedding model unavailable, grouping questions by characters instead: %s", exc)
        return lexical_vectoriser(normalize_query)


def per_label(vectors: np.ndarray, keys: np.ndarray, labels: List[str]) -> List[Dict[str, float]]:
    """For each row of `vectors`, every label's best cosine over its keys
    (a FAQ has several keys: its question and its paraphrases)."""
    if len(keys) == 0:
        return [{} for _ in range(len(vectors))]
    sims = np.asarray(vectors) @ np.asarray(keys).T
    out = []
    for row in sims:
        best: Dict[str, float] = {}
        for label, value in zip(labels, row, strict=True):
            if value > best.get(label, -2.0):
                best[label] = float(value)
        out.append(best)
    return out
