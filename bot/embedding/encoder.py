"""Sentence embeddings for the FAQ bot (multilingual-e5-small by default).

``Encoder`` loads a sentence-transformers model once and returns unit-length
float32 vectors, so a dot product is the cosine similarity.  e5 was trained
with ``"query: "`` on questions and ``"passage: "`` on documents; mixing them
up costs retrieval quality, hence two explicit methods.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional, Sequence, Union

import numpy as np

from bot.embedding.build_model import (
    DEFAULT_MODEL_DIR,
    PASSAGE_PROMPT,
    QUERY_PROMPT,
    folder_problem,
    read_stamp,
)

FIX_HINT = "Build it with `make embedding-model` (or `python -m bot build-model`)."

# Files without which sentence-transformers would try to guess a layout or
# reach for the network.
_ESSENTIAL = ("modules.json", "config.json", "tokenizer.json")
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class ModelUnavailableError(RuntimeError):
    """The embedding model folder is missing, incomplete or unreadable."""


def _offline() -> None:
    # Set before sentence-transformers/huggingface_hub are imported: the hub
    # client reads these once.  Nothing may be fetched at run time here.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def _looks_local(model: Union[str, Path]) -> bool:
    if isinstance(model, Path):
        return True
    text = str(model)
    return (os.path.isabs(text) or text.startswith((".", "~"))
            or text.count("/") != 1 or os.path.exists(text))


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise ModelUnavailableError(f"Embedding model folder {folder} does not exist. {FIX_HINT}")
    missing = [n for n in _ESSENTIAL if not (folder / n).is_file()]
    if not any((folder / n).is_file() for n in _WEIGHT_FILES):
        missing.append("model.safetensors")
    if missing:
        raise ModelUnavailableError(
            f"Embedding model folder {folder} is incomplete (missing {', '.join(missing)}). {FIX_HINT}")
    # Folders made by our builder carry a stamp with file sizes; use it to
    # report truncation plainly instead of as a deserialisation traceback.
    if read_stamp(folder) is not None:
        problem = folder_problem(folder)
        if problem is not None:
            raise ModelUnavailableError(f"Embedding model folder is not usable: {problem}. {FIX_HINT}")


class Encoder:
    """Load once, then embed questions and FAQ passages.

    ``threads`` sets torch's intra-op pool, which is process-wide.  The
    default of 1 is deliberate: on our 2-core hosts a larger pool fights the
    other processes and one query went from ~12 ms to ~380 ms.
    """

    def __init__(self, model: Union[str, Path] = DEFAULT_MODEL_DIR, *,
                 threads: Optional[int] = 1,
                 batch_size: int = 32,
                 device: str = "cpu",
                 query_prefix: str = QUERY_PROMPT,
                 passage_prefix: str = PASSAGE_PROMPT):
        _offline()
        local = _looks_local(model)
        if local:
            model = Path(model).expanduser()
            _check_folder(model)

        import torch
        if threads:
            torch.set_num_threads(int(threads))

        try:
            from sentence_transformers import SentenceTransformer
            self._model = SentenceTransformer(str(model), device=device, local_files_only=True)
            self._model.eval()
        except Exception as exc:  # any load failure means the same fix
            raise ModelUnavailableError(
                f"Could not load embedding model {model}: {type(exc).__name__}: {exc}. {FIX_HINT}"
            ) from exc

        self.name = str(model)
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        # Renamed in sentence-transformers 6; keep older releases working.
        get_dim = (getattr(self._model, "get_embedding_dimension", None)
                   or self._model.get_sentence_embedding_dimension)
        self.dimension = int(get_dim() or 0)
        # A folder can deserialise yet hold broken numbers (e.g. bytes
        # overwritten in place); fail here rather than on the first user.
        probe = self._encode(["ok"], self.query_prefix)
        if not np.isfinite(probe).all():
            raise ModelUnavailableError(f"Embedding model {model} produces non-finite vectors. {FIX_HINT}")
        if not self.dimension:
            self.dimension = probe.shape[1]

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if isinstance(texts, str):
            # Iterating a str would embed each character separately.
            raise TypeError("expected a list of strings, got a single str")
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            prompt=prefix,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: List[str]) -> np.ndarray:
        """(n, dim) unit vectors for user questions."""
        return self._encode(texts, self.query_prefix)

    def encode_passages(self, texts: List[str]) -> np.ndarray:
        """(n, dim) unit vectors for FAQ entries / documents."""
        return self._encode(texts, self.passage_prefix)

    def describe(self) -> dict:
        """Small summary for logs and health checks."""
        info = {"model": self.name, "dimension": self.dimension}
        stamp = read_stamp(Path(self.name)) if _looks_local(self.name) else None
        if stamp:
            info.update(builder_version=stamp.get("builder_version"),
                        bin_sha256=stamp.get("bin_sha256"))
        return info


__all__ = ["Encoder", "ModelUnavailableError", "FIX_HINT"]

