"""settings/answering.yml: strict loading and a write-back that keeps comments."""

import shutil
from dataclasses import replace

import pytest

from bot.answering.settings import DEFAULT_PATH, SettingsError, load_answering_settings, write_calibration


def test_shipped_settings_load_into_a_calibration():
    settings = load_answering_settings()
    assert 0 < settings.calibration.combiner.threshold < 1
    assert settings.follow_up_max_chars >= 0


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace("follow_up_max_chars:", "follow_up_max_char:"), "unknown setting 'follow_up_max_char'"),
        (lambda t: t.replace("  threshold: ", "  threshold: yes #"), "'combiner.threshold'"),
        (lambda t: t.replace("    layers_agree:", "    layers_agreed:"), "must list exactly"),
        (lambda t: t + "\nretrieval_only_threshold: high\n", "not valid YAML|'retrieval_only_threshold'"),
    ],
)
def test_mistakes_in_the_file_name_the_key(tmp_path, edit, message):
    path = tmp_path / "answering.yml"
    path.write_text(edit(DEFAULT_PATH.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_answering_settings(path)


def test_write_back_changes_only_the_numbers_and_keeps_comments(tmp_path):
    path = tmp_path / "answering.yml"
    shutil.copy(DEFAULT_PATH, path)
    before = path.read_text(encoding="utf-8")
    old = load_answering_settings(path).calibration
    new = replace(old, retrieval_only_threshold=0.5, combiner=replace(old.combiner, threshold=0.77, bias=-3.0))
    write_calibration(new, path)
    after = path.read_text(encoding="utf-8")
    assert [line for line in before.splitlines() if line.lstrip().startswith("#")] == [
        line for line in after.splitlines() if line.lstrip().startswith("#")
    ]
    reloaded = load_answering_settings(path).calibration
    assert (reloaded.retrieval_only_threshold, reloaded.combiner.threshold, reloaded.combiner.bias) == (0.5, 0.77, -3.0)
    assert reloaded.combiner.weights == pytest.approx(old.combiner.weights, abs=1e-4)


def test_a_bad_fit_never_reaches_the_file(tmp_path):
    path = tmp_path / "answering.yml"
    shutil.copy(DEFAULT_PATH, path)
    before = path.read_text(encoding="utf-8")
    old = load_answering_settings(path).calibration
    with pytest.raises(SettingsError, match="combiner.threshold"):
        write_calibration(replace(old, combiner=replace(old.combiner, threshold=1.5)), path)
    assert path.read_text(encoding="utf-8") == before


def test_bands_are_read_and_written_back(tmp_path):
    path = tmp_path / "answering.yml"
    shutil.copy(DEFAULT_PATH, path)
    old = load_answering_settings(path).calibration
    write_calibration(replace(old, bands=replace(old.bands, clarify=0.42, suggest=0.12)), path)
    bands = load_answering_settings(path).calibration.bands
    assert (bands.clarify, bands.suggest, bands.options) == (0.42, 0.12, old.bands.options)


def test_band_options_out_of_range_are_refused(tmp_path):
    path = tmp_path / "answering.yml"
    path.write_text(DEFAULT_PATH.read_text(encoding="utf-8").replace("  options: 3", "  options: 9"), encoding="utf-8")
    with pytest.raises(SettingsError, match="'bands.options'"):
        load_answering_settings(path)
