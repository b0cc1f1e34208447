"""The calibration fitted inside the build, for the build's own models.

settings/answering.yml holds a reviewed calibration, fitted with `python -m
bot calibrate --write` on one machine's build. The fine-tuned encoder and the
Rasa model are trained on every machine, and their scores differ a little
from host to host (thread counts, CPU kernels), while the thresholds sit on
the one or two most confident mistakes of the dev set. So `make setup` refits
the same numbers on eval/dev.yml for the models it just built (`python -m bot
calibrate --build`) and stores them here, with a fingerprint of everything
they were fitted on: the Rasa model, the search index, the data, the settings
and the dev set.

The answering service uses the fitted numbers only while that fingerprint
still matches; otherwise (a model retrained by hand, a copied index, an image
without the Rasa model) it falls back to settings/answering.yml and says why.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any, Dict, Iterable, Optional

import yaml

from bot.answering.decide import Calibration
from bot.answering.settings import DEFAULT_PATH, AnsweringSettings, SettingsError, calibration_values, with_values
from bot.paths import PROJECT_ROOT, RASA_MODEL_FILE, sha256_file

log = logging.getLogger(__name__)

FITTED_PATH = PROJECT_ROOT / ".cache" / "calibration" / "answering.yml"
# Bump when calibrate.py chooses differently: an older fit is then redone.
CALIBRATION_VERSION = "1"
# bot/retrieval/vector_index.py MANIFEST_FILE; not imported, as that module loads faiss.
INDEX_MANIFEST = "manifest.json"
# Everything else the fitted scores depend on that is not inside the Rasa model
# or the index manifest (which carries the index's sha256 and the encoder's identity).
_INPUTS = ("data", "settings", "eval/dev.yml")


def _files(paths: Iterable[Path]) -> Iterable[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path


def fingerprint(root: Path = PROJECT_ROOT, index_dir: Optional[Path] = None) -> Dict[str, Optional[str]]:
    """sha256 of the Rasa model, the index manifest and the data, settings and
    dev set. A missing model or index is None: nothing can be fitted for it."""
    if index_dir is None:
        from bot.retrieval.settings import load_settings

        index_dir = Path(load_settings().index_dir)

    def sha(path: Path) -> Optional[str]:
        return sha256_file(path) if path.is_file() else None

    inputs = hashlib.sha256()
    for path in _files(root / name for name in _INPUTS):
        inputs.update(str(path.relative_to(root)).encode("utf-8") + b"\0")
        inputs.update(path.read_bytes() + b"\0")
    return {
        "version": CALIBRATION_VERSION,
        "rasa_model": sha(root / RASA_MODEL_FILE),
        "index": sha(root / index_dir / INDEX_MANIFEST),
        "inputs": inputs.hexdigest(),
    }


def stale_reason(stored: Any, current: Dict[str, Optional[str]]) -> Optional[str]:
    """Why a stored fit does not belong to the current build (None: it does)."""
    if not isinstance(stored, dict):
        return "it has no fingerprint"
    for name, value in current.items():
        if value is None:
            return f"the build has no {name.replace('_', ' ')}"
        if stored.get(name) != value:
            return f"the {name.replace('_', ' ')} changed since it was fitted"
    return None


def save(
    calibration: Calibration, path: Path = FITTED_PATH, root: Path = PROJECT_ROOT, index_dir: Optional[Path] = None
) -> None:
    """Writes the fit and its fingerprint, atomically (a half-written file
    would otherwise be read as a stale fit, or not at all)."""
    document = {"fingerprint": fingerprint(root, index_dir), "calibration": calibration_values(calibration)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(
        "# Fitted by `python -m bot calibrate --build` for this build's models; generated, do not edit.\n"
        + yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    os.replace(tmp, path)


def is_current(path: Path = FITTED_PATH, root: Path = PROJECT_ROOT, index_dir: Optional[Path] = None) -> bool:
    return _read(path, root, index_dir)[0] is not None


def _read(path: Path, root: Path, index_dir: Optional[Path]) -> tuple[Optional[Dict[str, Any]], str]:
    """(the fitted values, "") when they belong to this build, else (None, why not)."""
    if not path.is_file():
        return None, f"{path} is missing"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return None, f"{path} is unreadable ({exc})"
    if not isinstance(document, dict) or not isinstance(document.get("calibration"), dict):
        return None, f"{path} holds no calibration"
    reason = stale_reason(document.get("fingerprint"), fingerprint(root, index_dir))
    if reason:
        return None, f"{path} is stale: {reason}"
    return document["calibration"], ""


def overlay(
    settings: AnsweringSettings, path: Path = FITTED_PATH, root: Path = PROJECT_ROOT, index_dir: Optional[Path] = None
) -> AnsweringSettings:
    """`settings` with this build's fitted numbers, when there is a current fit."""
    values, why_not = _read(path, root, index_dir)
    if values is None:
        log.warning("Answer thresholds: using the reviewed %s, because %s", DEFAULT_PATH.name, why_not)
        return settings
    try:
        fitted = with_values(settings, values, str(path))
    except SettingsError as exc:
        log.warning("Answer thresholds: using the reviewed %s, because %s", DEFAULT_PATH.name, exc)
        return settings
    log.info("Answer thresholds: fitted for this build (%s)", path)
    return fitted
