"""Dense index of passage embeddings, cached on disk.

The vectors are unit length and the index is an exact inner-product index
(``faiss.IndexFlatIP``), so every score is the cosine similarity between
query and passage: HIGHER MEANS MORE SIMILAR (1.0 = same direction).

On disk (default ``.cache/index/``):
  passages.faiss   the FAISS index
  manifest.json    what the index was built from; if any of it differs from
                   the current data/model, the index is rebuilt
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

from bot.paths import sha256_file
from bot.retrieval.passages import QUESTION_KINDS, Passage, passages_fingerprint

logger = logging.getLogger(__name__)

# Bump when the on-disk layout or the meaning of the stored vectors changes.
INDEX_FORMAT_VERSION = 2
INDEX_FILE = "passages.faiss"
MANIFEST_FILE = "manifest.json"


class PassageEncoder(Protocol):
    def encode_passages(self, texts: list[str]) -> np.ndarray: ...
    def encode_queries(self, texts: list[str]) -> np.ndarray: ...


class VectorIndex:
    """Cosine similarity search over the passages, in passage order."""

    def __init__(self, index: faiss.Index, built: bool) -> None:
        self._index = index
        self.built = built  # False when reused from disk

    @classmethod
    def from_vectors(cls, vectors: np.ndarray) -> "VectorIndex":
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] == 0:
            raise ValueError(f"expected an (n, dim) matrix of vectors, got shape {vectors.shape}")
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return cls(index, built=True)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def cosine_all(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine of the query to every passage, aligned with passage order."""
        scores = np.zeros(self.size, dtype=np.float32)
        if self.size == 0:
            return scores
        query = np.ascontiguousarray(query_vector, dtype=np.float32).reshape(1, -1)
        # An exact search with k = ntotal is cheap at this corpus size and
        # gives one score per passage for fusion with BM25.
        values, positions = self._index.search(query, self.size)
        valid = positions[0] >= 0
        scores[positions[0][valid]] = values[0][valid]
        return scores

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))


@dataclass(frozen=True)
class IndexKey:
    """Everything the stored vectors depend on."""

    passages_sha256: str
    passage_count: int
    model_id: str
    passage_prompt: str
    query_prompt: str  # FAQ questions are embedded as queries, see embed_passages
    format_version: int = INDEX_FORMAT_VERSION

    def as_dict(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "passages_sha256": self.passages_sha256,
            "passage_count": self.passage_count,
            "model_id": self.model_id,
            "passage_prompt": self.passage_prompt,
            "query_prompt": self.query_prompt,
        }


def embed_passages(passages: Sequence[Passage], encoder: PassageEncoder) -> np.ndarray:
    """One unit vector per passage, in passage order.

    Stored questions go through the *query* side of the encoder: matching a user
    question to a stored question is a symmetric paraphrase task, for which
    e5 expects "query: " on both sides. Answer text is a document ("passage: ").
    """
    questions = [i for i, p in enumerate(passages) if p.kind in QUESTION_KINDS]
    documents = [i for i, p in enumerate(passages) if p.kind not in QUESTION_KINDS]
    parts = []
    if questions:
        parts.append((questions, encoder.encode_queries([passages[i].text for i in questions])))
    if documents:
        parts.append((documents, encoder.encode_passages([passages[i].text for i in documents])))
    if not parts:
        return np.zeros((0, int(getattr(encoder, "dimension", 0) or 1)), dtype=np.float32)
    dim = parts[0][1].shape[1]
    vectors = np.zeros((len(passages), dim), dtype=np.float32)
    for positions, block in parts:
        vectors[positions] = block
    return vectors


def model_identity(encoder: Any) -> str:
    """A string that changes whenever the encoder would embed differently."""
    describe = getattr(encoder, "describe", None)
    info = describe() if callable(describe) else {"model": getattr(encoder, "name", type(encoder).__name__)}
    return json.dumps(info, sort_keys=True, ensure_ascii=False, default=str)


def load_or_build(
    index_dir: Path,
    passages: Sequence[Passage],
    encoder: PassageEncoder,
    model_id: str | None = None,
    passage_prompt: str = "",
    query_prompt: str = "",
) -> VectorIndex:
    """Reuse the cached index if it matches, else embed the passages and save.

    Reasons for a rebuild (missing files, changed data or model, corrupt
    index) are logged as warnings. A cache directory that cannot be written
    only costs a warning: the fresh index is still returned.
    """
    index_dir = Path(index_dir)
    key = IndexKey(
        passages_sha256=passages_fingerprint(passages),
        passage_count=len(passages),
        model_id=model_id if model_id is not None else model_identity(encoder),
        passage_prompt=passage_prompt,
        query_prompt=query_prompt,
    )
    reason = _reuse_problem(index_dir, key)
    if reason is None:
        try:
            index = faiss.read_index(str(index_dir / INDEX_FILE))
            if index.ntotal == key.passage_count:
                return VectorIndex(index, built=False)
            reason = f"index holds {index.ntotal} vectors, expected {key.passage_count}"
        except Exception as exc:  # faiss raises RuntimeError on garbage
            reason = f"index file unreadable ({type(exc).__name__}: {exc})"
    logger.warning("Rebuilding the retrieval index in %s: %s", index_dir, reason)
    vectors = embed_passages(passages, encoder)
    if len(passages) == 0:
        vector_index = VectorIndex(faiss.IndexFlatIP(vectors.shape[1]), built=True)
    else:
        vector_index = VectorIndex.from_vectors(vectors)
    try:
        _save(index_dir, vector_index, key)
    except OSError as exc:
        logger.warning("Could not save the retrieval index to %s (%s); using it in memory only", index_dir, exc)
    return vector_index


def _reuse_problem(index_dir: Path, key: IndexKey) -> str | None:
    """Why the stored index cannot be reused, or None if it can."""
    manifest_path = index_dir / MANIFEST_FILE
    index_path = index_dir / INDEX_FILE
    if not manifest_path.is_file():
        return f"no manifest at {manifest_path}"
    if not index_path.is_file():
        return f"no index file at {index_path}"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"manifest unreadable ({exc})"
    if not isinstance(manifest, dict):
        return "manifest is not a JSON object"
    for name, expected in key.as_dict().items():
        if manifest.get(name) != expected:
            return f"{name} changed (stored {_short(manifest.get(name))}, now {_short(expected)})"
    try:
        actual = sha256_file(index_path)
    except OSError as exc:
        return f"index file unreadable ({exc})"
    if manifest.get("index_sha256") != actual:
        return "index file does not match its manifest (corrupt or partly written)"
    return None


def _save(index_dir: Path, vector_index: VectorIndex, key: IndexKey) -> None:
    index_dir.mkdir(parents=True, exist_ok=True)
    # Index first, manifest last: the manifest carries the index's sha256,
    # so a crash in between (or a concurrent writer) is detected on load.
    index_tmp = _temp_path(index_dir, INDEX_FILE)
    try:
        vector_index.save(index_tmp)
        index_sha = sha256_file(index_tmp)
        _fsync(index_tmp)
        os.replace(index_tmp, index_dir / INDEX_FILE)
    finally:
        index_tmp.unlink(missing_ok=True)
    manifest = {**key.as_dict(), "index_sha256": index_sha, "dimension": vector_index.dimension}
    _write_atomic(index_dir / MANIFEST_FILE, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


def _temp_path(directory: Path, name: str) -> Path:
    handle, path = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    os.close(handle)
    return Path(path)


def _write_atomic(path: Path, text: str) -> None:
    tmp = _temp_path(path.parent, path.name)
    try:
        tmp.write_text(text, encoding="utf-8")
        _fsync(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
