"""Query normalisation: one canonical form for whatever users type.

Users write Traditional characters, full-width digits, stray control
characters and colloquial spellings (加强真, 啥). The FAQ text is Simplified
and uses canonical terms, so both lexical and semantic matching work better
once the query is mapped onto that form.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.paths import PROJECT_ROOT

DEFAULT_SYNONYMS_PATH = PROJECT_ROOT / "data" / "dictionary" / "synonyms.yml"

_WHITESPACE = re.compile(r"\s+")


def load_synonyms(path: Path = DEFAULT_SYNONYMS_PATH) -> dict[str, str]:
    """Read the colloquial -> canonical map from a YAML file.

    The file has a single top-level ``synonyms`` mapping of strings.
    """
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    table = raw.get("synonyms") if isinstance(raw, dict) else None
    if not isinstance(table, dict):
        raise ValueError(f"{path}: expected a top-level 'synonyms' mapping")
    synonyms: dict[str, str] = {}
    for key, value in table.items():
        if not isinstance(key, str) or not isinstance(value, str) or not key:
            raise ValueError(f"{path}: synonym entries must be non-empty strings, got {key!r}: {value!r}")
        # Keys are matched against already-normalised text, so store them in
        # that form too (e.g. 'Omicron' must match the lower-cased query).
        synonyms[_basic_normalize(key)] = value
    return synonyms


def _strip_controls(text: str) -> str:
    # Control/format characters (Cc, Cf, e.g. \x00, zero-width joiners, BOM)
    # are invisible noise; whitespace controls become spaces so word
    # boundaries in mixed Latin text survive.
    kept = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            kept.append(char)
    return "".join(kept)


def _basic_normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _strip_controls(text)
    text = _WHITESPACE.sub(" ", text).strip()
    # Lower-casing makes Latin synonym keys and BM25 tokens case-insensitive;
    # it is a no-op for Chinese.
    return text.lower()


class _TraditionalToSimplified:
    """Lazy, thread-safe wrapper around OpenCC's t2s converter."""

    def __init__(self) -> None:
        self._converter: Any = None  # opencc.OpenCC, created on first use
        self._lock = threading.Lock()

    def __call__(self, text: str) -> str:
        if self._converter is None:
            with self._lock:
                if self._converter is None:
                    import opencc  # imported lazily: loading its dictionaries costs ~50 ms

                    self._converter = opencc.OpenCC("t2s")
        return self._converter.convert(text)


# One converter for the process: OpenCC's dictionaries are loaded once.
_T2S = _TraditionalToSimplified()


def to_simplified(text: str) -> str:
    """Traditional -> Simplified only (科興打了兩針 -> 科兴打了两针), for readers
    that must keep everything else, spacing included, as typed."""
    return _T2S(text)


class Normalizer:
    """NFKC, control-char removal, Traditional->Simplified, homophone typos
    (when a corrector is given), then synonyms."""

    def __init__(
        self, synonyms: Mapping[str, str] | None = None, homophones: Callable[[str], str] | None = None
    ) -> None:
        self._t2s = _T2S
        self._homophones = homophones
        self._synonyms = dict(synonyms or {})
        if self._synonyms:
            # Longest key first so '啥子' wins over '啥'; a single regex pass
            # means a replacement is never itself rewritten.
            keys = sorted(self._synonyms, key=len, reverse=True)
            self._pattern: re.Pattern[str] | None = re.compile("|".join(re.escape(key) for key in keys))
        else:
            self._pattern = None

    def __call__(self, text: str) -> str:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        text = _basic_normalize(text)
        if not text:
            return ""
        text = self._t2s(text)
        if self._homophones is not None:
            text = self._homophones(text)
        if self._pattern is not None:
            text = self._pattern.sub(lambda match: self._synonyms[match.group(0)], text)
        return text


@lru_cache(maxsize=1)
def _default_normalizer() -> Normalizer:
    from bot.text.homophones import default_corrector

    return Normalizer(load_synonyms(DEFAULT_SYNONYMS_PATH), default_corrector())


def normalize_query(text: str) -> str:
    """Normalise a user query with the project's synonym dictionary."""
    return _default_normalizer()(text)
