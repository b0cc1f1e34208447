"""The encoder on ONNX Runtime (``runtime: onnx``): same vectors' recipe, no torch.

``OnnxEncoder`` has the torch ``Encoder``'s interface and does what
sentence-transformers does around the transformer: the folder's e5 prompt
before each text (``"query: "`` / ``"passage: "``), the XLM-R tokenizer
truncated to the model's maximum sequence length, mean pooling over the
attention mask (prompt tokens included, as the folder's pooling config says)
and L2 normalisation.  The graph (fp32, or ONNX Runtime's int8) comes from
``python -m bot build-model`` (bot/embedding/onnx_export.py).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import List, Mapping, Optional, Sequence, Union

import numpy as np

from bot.embedding.encoder import PASSAGE, QUERY, ModelUnavailableError
from bot.embedding.model_folder import read_stamp
from bot.embedding.onnx_export import (
    CONFIG_NAME,
    GRAPH_FILES,
    INPUT_NAMES,
    REQUIRED_FILES,
    STAMP_NAME,
    onnx_folder_problem,
)
from bot.embedding.options import Precision, Runtime

log = logging.getLogger(__name__)

ONNX_FIX_HINT = (
    "Build it with `make embedding-model` (or `python -m bot build-model`) while settings/retrieval.yml "
    "says `runtime: onnx`."
)


def _check_folder(folder: Path) -> None:
    # As the torch encoder does: the files must be there, and when the build
    # stamp is (always, except while the builder verifies its staging folder)
    # their sizes must match it, so truncation reads as such.
    if not folder.is_dir():
        raise ModelUnavailableError(f"ONNX encoder is not built: {folder} does not exist. {ONNX_FIX_HINT}")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise ModelUnavailableError(
            f"ONNX encoder {folder} is incomplete (missing {', '.join(missing)}). {ONNX_FIX_HINT}"
        )
    if read_stamp(folder, STAMP_NAME) is not None:
        problem = onnx_folder_problem(folder)
        if problem is not None:
            raise ModelUnavailableError(f"ONNX encoder is not usable: {problem}. {ONNX_FIX_HINT}")


class OnnxEncoder:
    """Load an exported graph once, then embed questions and FAQ passages.

    ``folder`` is the export (``<model folder>-onnx``); ``precision`` picks its
    fp32 or int8 graph (``batch_size``: 32 for fp32, 1 for int8, see below).
    ``threads`` is ONNX Runtime's intra-op pool for this session only (1 by
    default, for the same reason as the torch encoder's: a second thread
    fights the other processes on a 2-core host).
    """

    def __init__(
        self,
        folder: Union[str, Path],
        *,
        threads: Optional[int] = 1,
        batch_size: Optional[int] = None,
        prompts: Optional[Mapping[str, str]] = None,
        precision: Precision = Precision.FP32,
    ):
        folder = Path(folder).expanduser()
        _check_folder(folder)
        self.precision = Precision(precision)
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            config = json.loads((folder / CONFIG_NAME).read_text(encoding="utf-8"))
            options = ort.SessionOptions()
            options.intra_op_num_threads = int(threads or 1)
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3  # warnings about unused initialisers are noise here
            self._session = ort.InferenceSession(
                str(folder / GRAPH_FILES[self.precision]), options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:  # any load failure means the same fix
            raise ModelUnavailableError(
                f"Could not load ONNX encoder {folder}: {type(exc).__name__}: {exc}. {ONNX_FIX_HINT}"
            ) from exc
        self.max_seq_length = int(config["max_seq_length"])
        # Padding is done per batch below; truncation counts <s> and </s>, as
        # the transformers tokenizer does for sentence-transformers.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=self.max_seq_length)
        pad_id = self._tokenizer.token_to_id("<pad>")
        self._pad_id = 1 if pad_id is None else int(pad_id)
        self._prompts = {name: str((config.get("prompts") or {}).get(name) or "") for name in (QUERY, PASSAGE)}
        if prompts:
            self._prompts.update({name: str(value) for name, value in prompts.items() if name in self._prompts})
        self.name = str(folder)
        # int8 quantizes activations with one scale per MatMul input tensor,
        # i.e. over the whole padded batch: a text's vector would depend on its
        # batch neighbours (cosine 0.98-0.99 to its own single encoding). One
        # text per run gives passages exactly the vectors a question gets, for
        # ~10 ms a text when the index is built.
        self.batch_size = batch_size or (1 if self.precision is Precision.INT8 else 32)
        self.runtime = Runtime.ONNX
        probe = self._encode(["ok"], QUERY)
        if not np.isfinite(probe).all():
            raise ModelUnavailableError(f"ONNX encoder {folder} produces non-finite vectors. {ONNX_FIX_HINT}")
        self.dimension = int(probe.shape[1])

    @property
    def query_prompt(self) -> str:
        return self._prompts[QUERY]

    @property
    def passage_prompt(self) -> str:
        return self._prompts[PASSAGE]

    def _batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        (hidden,) = self._session.run(None, {INPUT_NAMES[0]: ids, INPUT_NAMES[1]: mask})
        # Mean over the real tokens only, then unit length (cosine = dot product).
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)

    def _encode(self, texts: Sequence[str], prompt_name: str) -> np.ndarray:
        if isinstance(texts, str):
            # Iterating a str would embed each character separately.
            raise TypeError("expected a list of strings, got a single str")
        prompt = self._prompts[prompt_name]
        prompted = [prompt + text for text in texts]
        if not prompted:
            return np.zeros((0, getattr(self, "dimension", 0)), dtype=np.float32)
        # Longest first, in batches, as sentence-transformers does: less padding.
        order = sorted(range(len(prompted)), key=lambda i: -len(prompted[i]))
        out: List[np.ndarray] = [np.empty(0)] * len(prompted)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            for i, vector in zip(chunk, self._batch([prompted[i] for i in chunk]), strict=True):
                out[i] = vector
        return np.ascontiguousarray(np.stack(out), dtype=np.float32)

    def encode_queries(self, texts: List[str]) -> np.ndarray:
        """(n, dim) unit vectors for user questions."""
        return self._encode(texts, QUERY)

    def encode_passages(self, texts: List[str]) -> np.ndarray:
        """(n, dim) unit vectors for FAQ entries / documents."""
        return self._encode(texts, PASSAGE)

    def describe(self) -> dict:
        """For logs, health checks and the index key: never equal to the torch
        encoder's (``runtime`` is listed), and it changes with the export's inputs."""
        stamp = read_stamp(Path(self.name), STAMP_NAME) or {}
        return {
            "model": self.name,
            "dimension": self.dimension,
            "runtime": self.runtime.value,
            "precision": self.precision.value,
            **{key: stamp[key] for key in ("kind", "inputs_sha256") if key in stamp},
        }


__all__ = ["ONNX_FIX_HINT", "OnnxEncoder"]
