"""The build's own calibration is used only for the build it was fitted on."""

import logging
from dataclasses import replace

import pytest

from bot.answering import build_calibration
from bot.answering.settings import load_answering_settings
from bot.paths import PROJECT_ROOT, RASA_MODEL_FILE


@pytest.fixture
def build(tmp_path, project_root):
    """A tiny project tree with the files the fingerprint covers."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "vaccine-faq.tar.gz").write_bytes(b"rasa model v1")
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "manifest.json").write_text('{"index_sha256": "abc"}', encoding="utf-8")
    (tmp_path / "settings").mkdir()
    (tmp_path / "settings" / "answering.yml").write_bytes((project_root / "settings" / "answering.yml").read_bytes())
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "faq.yml").write_text("faqs: []\n", encoding="utf-8")
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "dev.yml").write_text("questions: []\n", encoding="utf-8")
    return tmp_path


def _fit_and_overlay(build, change=None):
    reviewed = load_answering_settings(build / "settings" / "answering.yml")
    fitted = reviewed.calibration
    fitted = replace(fitted, combiner=replace(fitted.combiner, threshold=0.77), targeted_lead=0.2)
    path = build / "fitted.yml"
    build_calibration.save(fitted, path, root=build, index_dir=build / "index")
    if change:
        change(build)
    return reviewed, build_calibration.overlay(reviewed, path, root=build, index_dir=build / "index")


def test_a_current_fit_replaces_the_fitted_numbers_only(build):
    reviewed, used = _fit_and_overlay(build)
    assert used.combiner.threshold == 0.77 and used.targeted_lead == 0.2
    assert used.bands.options == reviewed.bands.options
    assert used.follow_up_max_chars == reviewed.follow_up_max_chars


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda b: (b / "models" / "vaccine-faq.tar.gz").write_bytes(b"rasa model v2"), "rasa model changed"),
        (lambda b: (b / "index" / "manifest.json").write_text("{}", encoding="utf-8"), "index changed"),
        (lambda b: (b / "eval" / "dev.yml").write_text("questions: [x]\n", encoding="utf-8"), "inputs changed"),
        (lambda b: (b / "data" / "new.yml").write_text("a: 1\n", encoding="utf-8"), "inputs changed"),
        (lambda b: (b / "models" / "vaccine-faq.tar.gz").unlink(), "no rasa model"),
        (lambda b: (b / "fitted.yml").write_text("calibration: [", encoding="utf-8"), "unreadable"),
        (lambda b: (b / "fitted.yml").unlink(), "missing"),
    ],
)
def test_a_fit_for_another_build_falls_back_to_the_reviewed_settings_and_says_why(build, caplog, change, reason):
    with caplog.at_level(logging.WARNING, logger="bot.answering.build_calibration"):
        reviewed, used = _fit_and_overlay(build, change)
    assert used == reviewed
    assert reason in caplog.text


def test_a_fit_with_an_impossible_value_is_not_used(build, caplog):
    def corrupt(b):
        text = (b / "fitted.yml").read_text(encoding="utf-8")
        (b / "fitted.yml").write_text(text.replace("threshold: 0.77", "threshold: 7.7"), encoding="utf-8")

    with caplog.at_level(logging.WARNING, logger="bot.answering.build_calibration"):
        reviewed, used = _fit_and_overlay(build, corrupt)
    assert used == reviewed and "threshold" in caplog.text


def test_is_current_follows_the_fingerprint(build):
    _fit_and_overlay(build)
    path, index = build / "fitted.yml", build / "index"
    assert build_calibration.is_current(path, root=build, index_dir=index)
    (build / "settings" / "answering.yml").write_text("changed\n", encoding="utf-8")
    assert not build_calibration.is_current(path, root=build, index_dir=index)


@pytest.mark.skipif(not (PROJECT_ROOT / RASA_MODEL_FILE).exists(), reason="built by `make setup`")
def test_make_setup_leaves_a_fit_that_matches_this_build():
    # Otherwise the bot would quietly run on the reviewed thresholds, fitted on another machine's models.
    assert build_calibration.is_current(), "run `make setup` (python -m bot calibrate --build)"
