"""Loads settings/answering.yml, refusing wrong types with a clear message."""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from bot.answering.decide import Thresholds

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "settings" / "answering.yml"


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class AnsweringSettings:
    thresholds: Thresholds
    follow_up_max_chars: int


def load_answering_settings(path: Path = DEFAULT_PATH) -> AnsweringSettings:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise SettingsError(f"{path} must be a mapping of setting: value")
    values = {}
    for f in fields(Thresholds):
        value = raw.get(f.name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SettingsError(f"{path}: '{f.name}' must be a number, got {value!r}")
        values[f.name] = float(value)
    follow = raw.get("follow_up_max_chars", 12)
    if isinstance(follow, bool) or not isinstance(follow, int) or follow < 0:
        raise SettingsError(f"{path}: 'follow_up_max_chars' must be a whole number >= 0, got {follow!r}")
    return AnsweringSettings(Thresholds(**values), follow)
