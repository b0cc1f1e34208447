"""settings/answering.yml: the fitted numbers the answering decision uses
(bot/settings.py has the loading rules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

from pydantic import Field, field_validator

from bot.answering.combiner import FEATURES, Combiner
from bot.answering.decide import Bands, Calibration
from bot.paths import PROJECT_ROOT
from bot.settings import SettingsError, StrictSettings, load_settings_file, update_settings_file, validate_settings

__all__ = [
    "AnsweringSettings",
    "SettingsError",
    "calibration_values",
    "load_answering_settings",
    "with_values",
    "write_calibration",
]

DEFAULT_PATH = PROJECT_ROOT / "settings" / "answering.yml"
_DEFAULT_BANDS = Bands()


class CombinerSettings(StrictSettings):
    threshold: float = Field(ge=0, le=1)  # answer when P(right) >= threshold
    bias: float
    weights: Dict[str, float]

    @field_validator("weights")
    @classmethod
    def _every_feature_once(cls, weights: Dict[str, float]) -> Dict[str, float]:
        if set(weights) != set(FEATURES):
            raise ValueError(f"must list exactly {', '.join(FEATURES)}")
        return weights


class BandSettings(StrictSettings):
    """bot/answering/decide.py Bands: what the hybrid does below its answer threshold."""

    # Above 1 the band is off: only calibrated settings enable it.
    # default= by keyword: type checkers read only that as the field's default.
    clarify: float = Field(default=_DEFAULT_BANDS.clarify, ge=0)
    suggest: float = Field(default=_DEFAULT_BANDS.suggest, ge=0)
    options: int = Field(default=_DEFAULT_BANDS.options, ge=2, le=5)
    max_out_of_scope_lead: float = _DEFAULT_BANDS.max_out_of_scope_lead
    # Above 1 the intent layer's out_of_scope never gates on its own.
    out_of_scope_confidence: float = Field(default=_DEFAULT_BANDS.out_of_scope_confidence, ge=0)
    out_of_scope_support: float = Field(default=_DEFAULT_BANDS.out_of_scope_support, ge=0, le=1)


class AnsweringSettings(StrictSettings):
    # On the retrieval score (higher = more similar), for Mode.RETRIEVAL.
    retrieval_only_threshold: float
    combiner: CombinerSettings
    bands: BandSettings = BandSettings()
    # Lead with the one sentence a question aims at when it leads the answer's
    # other sentences by at least this much (.inf: never; bot/answering/targeted.py).
    targeted_lead: float = float("inf")
    # Questions shorter than this that look like a follow-up are read with the previous one.
    follow_up_max_chars: int = Field(12, ge=0)

    @property
    def calibration(self) -> Calibration:
        c = self.combiner
        return Calibration(
            retrieval_only_threshold=self.retrieval_only_threshold,
            combiner=Combiner(weights=dict(c.weights), bias=c.bias, threshold=c.threshold),
            bands=Bands(**self.bands.model_dump()),
            targeted_lead=self.targeted_lead,
        )


def load_answering_settings(path: Path = DEFAULT_PATH) -> AnsweringSettings:
    return load_settings_file(AnsweringSettings, path)


# The bands' numbers `python -m bot calibrate` fits (options is a choice, not a fit).
FITTED_BANDS = ("clarify", "suggest", "max_out_of_scope_lead", "out_of_scope_confidence", "out_of_scope_support")


def calibration_values(calibration: Calibration) -> Dict[str, Any]:
    """The fitted numbers, as they are stored in a settings file."""
    bands = calibration.bands
    return {
        "retrieval_only_threshold": round(float(calibration.retrieval_only_threshold), 4),
        "combiner": calibration.combiner.as_dict(),
        "bands": {name: round(float(getattr(bands, name)), 4) for name in FITTED_BANDS},
        "targeted_lead": round(float(calibration.targeted_lead), 4),
    }


def with_values(settings: AnsweringSettings, values: Dict[str, Any], source: str) -> AnsweringSettings:
    """`settings` with fitted `values` laid over them, validated (SettingsError names `source`)."""
    current = settings.model_dump()
    merged = {**current, **values, "bands": {**current["bands"], **values.get("bands", {})}}
    return validate_settings(AnsweringSettings, merged, source)


def write_calibration(calibration: Calibration, path: Path = DEFAULT_PATH) -> None:
    """Writes the fitted numbers back, keeping the file's comments; the result
    is validated first, so a bad fit never leaves a broken file behind."""
    values = calibration_values(calibration)
    with_values(load_answering_settings(path), values, f"new calibration for {path}")
    update_settings_file(path, values)
