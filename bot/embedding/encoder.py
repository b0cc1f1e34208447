"""Sentence embeddings for the FAQ bot (multilingual-e5-small by default).

``Encoder`` loads a sentence-transformers model once and returns unit-length
float32 vectors, so a dot product is the cosine similarity.  e5 was trained
with ``"query: "`` on questions and ``"passage: "`` on documents; the model
folder stores those prompts and sentence-transformers applies them by name
(``prompt_name="query"`` / ``"passage"``), hence two explicit methods.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import List, Mapping, Optional, Sequence, Union, cast

import numpy as np

from bot.embedding.model_folder import DEFAULT_MODEL_DIR, folder_problem, read_stamp
from bot.embedding.options import Precision

log = logging.getLogger(__name__)

FIX_HINT = "Build it with `make embedding-model` (or `python -m bot build-model`)."

QUERY = "query"
PASSAGE = "passage"

# Files without which sentence-transformers would try to guess a layout or
# reach for the network.
_ESSENTIAL = ("modules.json", "config.json", "tokenizer.json")
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
# Stamp entries that identify what a folder was built from (zero-shot or tuned).
_STAMP_IDENTITY = ("builder_version", "bin_sha256", "kind", "inputs_sha256")


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
    return os.path.isabs(text) or text.startswith((".", "~")) or text.count("/") != 1 or os.path.exists(text)


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise ModelUnavailableError(f"Embedding model folder {folder} does not exist. {FIX_HINT}")
    missing = [n for n in _ESSENTIAL if not (folder / n).is_file()]
    if not any((folder / n).is_file() for n in _WEIGHT_FILES):
        missing.append("model.safetensors")
    if missing:
        raise ModelUnavailableError(
            f"Embedding model folder {folder} is incomplete (missing {', '.join(missing)}). {FIX_HINT}"
        )
    # Folders made by our builders carry a stamp with file sizes; use it to
    # report truncation plainly instead of as a deserialisation traceback.
    if read_stamp(folder) is not None:
        problem = folder_problem(folder)
        if problem is not None:
            raise ModelUnavailableError(f"Embedding model folder is not usable: {problem}. {FIX_HINT}")


def quantize_int8(model) -> None:
    """Swap the model's linear layers for int8 dynamic-quantised ones, in place."""
    import warnings

    import torch

    with warnings.catch_warnings():
        # torch points new code to torchao; the eager API is what runs on CPU here.
        warnings.simplefilter("ignore")
        torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


class Encoder:
    """Load once, then embed questions and FAQ passages.

    ``threads`` sets torch's intra-op pool, which is process-wide.  The
    default of 1 is deliberate: on our 2-core hosts a larger pool fights the
    other processes and one query went from ~12 ms to ~380 ms.

    ``prompts`` overrides the folder's own ``{"query": ..., "passage": ...}``
    (for a model whose folder has none); by default the folder's are used.
    """

    def __init__(
        self,
        model: Union[str, Path] = DEFAULT_MODEL_DIR,
        *,
        threads: Optional[int] = 1,
        batch_size: int = 32,
        device: str = "cpu",
        prompts: Optional[Mapping[str, str]] = None,
        precision: Precision = Precision.FP32,
    ):
        _offline()
        local = _looks_local(model)
        if local:
            model = Path(model).expanduser()
            _check_folder(model)

        import torch

        if threads:
            torch.set_num_threads(int(threads))

        self.precision = Precision(precision)
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                str(model), device=device, local_files_only=True, prompts=dict(prompts) if prompts else None
            )
            self._model.eval()
            if self.precision is Precision.INT8:
                quantize_int8(self._model)
        except Exception as exc:  # any load failure means the same fix
            raise ModelUnavailableError(
                f"Could not load embedding model {model}: {type(exc).__name__}: {exc}. {FIX_HINT}"
            ) from exc

        # A model without stored prompts embeds raw text on both sides.
        for name in (QUERY, PASSAGE):
            if not self._model.prompts.get(name):
                self._model.prompts[name] = ""
        self.name = str(model)
        self.batch_size = batch_size
        # Renamed in sentence-transformers 6; keep older releases working.
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(get_dim() or 0)
        # A folder can deserialise yet hold broken numbers (e.g. bytes
        # overwritten in place); fail here rather than on the first user.
        probe = self._encode(["ok"], QUERY)
        if not np.isfinite(probe).all():
            raise ModelUnavailableError(f"Embedding model {model} produces non-finite vectors. {FIX_HINT}")
        if not self.dimension:
            self.dimension = probe.shape[1]

    @property
    def query_prompt(self) -> str:
        # __init__ stores "" for a prompt the model folder lacks, so it is always a string.
        return cast(str, self._model.prompts[QUERY])

    @property
    def passage_prompt(self) -> str:
        return cast(str, self._model.prompts[PASSAGE])

    def _encode(self, texts: Sequence[str], prompt_name: str) -> np.ndarray:
        if isinstance(texts, str):
            # Iterating a str would embed each character separately.
            raise TypeError("expected a list of strings, got a single str")
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            prompt_name=prompt_name,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: List[str]) -> np.ndarray:
        """(n, dim) unit vectors for user questions."""
        return self._encode(texts, QUERY)

    def encode_passages(self, texts: List[str]) -> np.ndarray:
        """(n, dim) unit vectors for FAQ entries / documents."""
        return self._encode(texts, PASSAGE)

    def describe(self) -> dict:
        """Small summary for logs, health checks and the index key: it changes
        whenever the vectors would (other weights, prompts or precision)."""
        info = {"model": self.name, "dimension": self.dimension}
        stamp = read_stamp(Path(self.name)) if _looks_local(self.name) else None
        if stamp:
            info.update({key: stamp[key] for key in _STAMP_IDENTITY if key in stamp})
        # Only non-default choices are listed, so an fp32 encoder keeps the
        # identity it always had and existing indexes stay valid.
        if self.precision is not Precision.FP32:
            info["precision"] = self.precision.value
        return info


__all__ = ["Encoder", "ModelUnavailableError", "FIX_HINT", "Precision", "quantize_int8"]
