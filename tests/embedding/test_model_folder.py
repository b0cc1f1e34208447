"""The model-folder contract: stamps, staleness by inputs, atomic swap-in."""

from __future__ import annotations

import pytest

from bot.embedding.model_folder import (
    REQUIRED_DIRS,
    REQUIRED_FILES,
    STAMP_NAME,
    folder_problem,
    make_stamp,
    read_stamp,
    staging_folder,
    write_json,
)


def _fill(folder, text="x"):
    for name in REQUIRED_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    for name in REQUIRED_DIRS:
        (folder / name).mkdir(exist_ok=True)


def test_stamped_folder_is_complete_and_identity_is_checked(tmp_path):
    target = tmp_path / "model"
    with staging_folder(target) as staging:
        _fill(staging)
        write_json(staging / STAMP_NAME, make_stamp(staging, {"kind": "tuned", "inputs_sha256": "a"}))
    assert folder_problem(target) is None
    assert folder_problem(target, {"kind": "tuned", "inputs_sha256": "a"}) is None
    assert "inputs_sha256 differs" in folder_problem(target, {"inputs_sha256": "b"})
    assert read_stamp(target)["kind"] == "tuned"
    (target / "config.json").write_text("longer than before")
    assert "truncated or altered" in folder_problem(target)


def test_failed_build_leaves_the_previous_folder(tmp_path):
    target = tmp_path / "model"
    with staging_folder(target) as staging:
        _fill(staging, "old")
        write_json(staging / STAMP_NAME, make_stamp(staging, {}))
    with pytest.raises(RuntimeError):
        with staging_folder(target) as staging:
            _fill(staging, "new")
            raise RuntimeError("training diverged")
    assert (target / "config.json").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_unstamped_or_missing_folder_is_named(tmp_path):
    assert "does not exist" in folder_problem(tmp_path / "nothing")
    assert "never finished building" in folder_problem(tmp_path)
