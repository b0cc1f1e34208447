"""One place that turns the settings' encoder choices into a loaded encoder.

The torch ``Encoder`` runs a model folder as it is; ``OnnxEncoder`` runs that
folder's ONNX export (``<folder>-onnx``, built by ``python -m bot build-model``).
Both load lazily: importing this module imports neither torch nor onnxruntime.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Union

from bot.embedding.options import Precision, Runtime


def load_encoder(
    model: Union[str, Path],
    *,
    runtime: Runtime = Runtime.TORCH,
    precision: Precision = Precision.FP32,
    threads: Optional[int] = 1,
    prompts: Optional[Mapping[str, str]] = None,
):
    """The encoder for ``model`` (a folder, or a hub id with the torch runtime)."""
    if Runtime(runtime) is Runtime.ONNX:
        from bot.embedding.encoder import ModelUnavailableError, _looks_local
        from bot.embedding.onnx_encoder import ONNX_FIX_HINT, OnnxEncoder
        from bot.embedding.onnx_export import onnx_folder_for

        if not _looks_local(model):
            # The export is made from a local folder at build time.
            raise ModelUnavailableError(f"runtime onnx needs a local model folder, not {model}. {ONNX_FIX_HINT}")
        return OnnxEncoder(
            onnx_folder_for(Path(model).expanduser()), threads=threads, prompts=prompts, precision=precision
        )

    from bot.embedding.encoder import Encoder

    return Encoder(model, threads=threads, prompts=prompts, precision=precision)


__all__ = ["load_encoder"]
