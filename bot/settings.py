"""The project's settings files (settings/*.yml): one way to read and write them.

Each file has a pydantic model built on `StrictSettings`: an unknown key is an
error (almost always a typo that would otherwise run with a default), values
are not coerced across types (`threads: yes` is a mistake, not 1), and every
problem is reported as one `SettingsError` naming the file and the key.

Values computed by a command (the calibrated thresholds) are written back with
ruamel.yaml's round-trip mode, so the file's comments and order survive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Type, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError


class SettingsError(ValueError):
    """A settings file is unreadable, or has a missing, unknown or ill-typed value."""


class StrictSettings(BaseModel):
    # strict: no str->int or bool->int coercion; ints are still accepted for
    # floats. Path fields opt out per field (they come from YAML strings).
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


Model = TypeVar("Model", bound=StrictSettings)


def read_yaml_mapping(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except OSError as exc:
        raise SettingsError(f"cannot read settings {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path} is not valid YAML: {exc}") from exc
    return {} if raw is None else raw


def _describe(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if not where:  # a rule across several keys
        return message
    if error["type"] == "extra_forbidden":
        return f"unknown setting '{where}'"
    if error["type"] == "missing":
        return f"missing setting '{where}'"
    got = error.get("input")
    shown = "" if isinstance(got, (dict, list)) else f", got {type(got).__name__} {got!r}"
    return f"'{where}': {message}{shown}"


def validate_settings(model: Type[Model], raw: Any, source: str, **context: Any) -> Model:
    """The validated model, or a SettingsError listing every problem in `raw`."""
    if not isinstance(raw, dict):
        raise SettingsError(f"{source}: expected a mapping of settings, got {type(raw).__name__}")
    try:
        return model.model_validate(raw, context=context or None)
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors())
        raise SettingsError(f"{source}: {problems}") from None


def load_settings_file(model: Type[Model], path: Path, **context: Any) -> Model:
    return validate_settings(model, read_yaml_mapping(Path(path)), str(path), **context)


def update_settings_file(path: Path, values: Mapping[str, Any]) -> None:
    """Sets the given keys (nested mappings are merged key by key) and keeps
    everything else in the file, comments included."""
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.width = 120
    path = Path(path)
    with open(path, encoding="utf-8") as handle:
        document = rt.load(handle)

    def merge(target, updates: Mapping[str, Any]) -> None:
        for key, value in updates.items():
            if isinstance(value, Mapping) and isinstance(target.get(key), Mapping):
                merge(target[key], value)
            else:
                target[key] = value

    merge(document, values)
    with open(path, "w", encoding="utf-8") as handle:
        rt.dump(document, handle)
