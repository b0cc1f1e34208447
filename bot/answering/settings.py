"""Loads settings/answering.yml, refusing wrong types with a clear message."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.answering.combiner import FEATURES, Combiner
from bot.answering.decide import Bands, Calibration
from bot.paths import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / "settings" / "answering.yml"


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class AnsweringSettings:
    calibration: Calibration
    follow_up_max_chars: int


def _number(raw: dict, key: str, where: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingsError(f"{where}: '{key}' must be a number, got {value!r}")
    return float(value)


_BAND_NUMBERS = ("clarify", "suggest", "max_out_of_scope_lead", "out_of_scope_confidence")


def _bands(raw, where: str) -> Bands:
    if raw is None:
        return Bands()
    if not isinstance(raw, dict):
        raise SettingsError(f"{where}: 'bands' must be a mapping")
    unknown = sorted(set(raw) - set(_BAND_NUMBERS) - {"options"})
    if unknown:
        raise SettingsError(f"{where}: unknown bands setting(s) {', '.join(map(str, unknown))}")
    values = {name: _number(raw, name, f"{where} bands") for name in _BAND_NUMBERS if name in raw}
    options = raw.get("options", Bands.options)
    if isinstance(options, bool) or not isinstance(options, int) or not 2 <= options <= 5:
        raise SettingsError(f"{where}: bands.options must be a whole number from 2 to 5, got {options!r}")
    return Bands(options=options, **values)


def load_answering_settings(path: Path = DEFAULT_PATH) -> AnsweringSettings:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("combiner"), dict):
        raise SettingsError(f"{path} must be a mapping with a 'combiner' section")
    combiner = raw["combiner"]
    weights = combiner.get("weights")
    if not isinstance(weights, dict) or set(weights) != set(FEATURES):
        raise SettingsError(f"{path}: combiner.weights must list exactly {', '.join(FEATURES)}")
    calibration = Calibration(
        retrieval_only_threshold=_number(raw, "retrieval_only_threshold", str(path)),
        combiner=Combiner(
            weights={name: _number(weights, name, f"{path} combiner.weights") for name in FEATURES},
            bias=_number(combiner, "bias", f"{path} combiner"),
            threshold=_number(combiner, "threshold", f"{path} combiner"),
        ),
        bands=_bands(raw.get("bands"), str(path)),
        targeted_lead=_number(raw, "targeted_lead", str(path)) if "targeted_lead" in raw else float("inf"),
    )
    follow = raw.get("follow_up_max_chars", 12)
    if isinstance(follow, bool) or not isinstance(follow, int) or follow < 0:
        raise SettingsError(f"{path}: 'follow_up_max_chars' must be a whole number >= 0, got {follow!r}")
    return AnsweringSettings(calibration, follow)
