"""The reviewable word lists under data/dictionary/: each is checked the same
way when loaded, so a typo in a file fails at start-up, naming the file and
the key, instead of silently matching nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Tuple, Union


def word_list(value: Any, key: str, path: Union[Path, str], allow_empty: bool = False) -> Tuple[str, ...]:
    """`value` as a tuple of stripped words; ValueError unless it is a list of
    non-blank strings (and not empty, unless `allow_empty`)."""
    if (
        not isinstance(value, list)
        or (not value and not allow_empty)
        or not all(isinstance(w, str) and w.strip() for w in value)
    ):
        kind = "a list of words" if allow_empty else "a non-empty list of words"
        raise ValueError(f"{path}: '{key}' must be {kind}")
    return tuple(w.strip() for w in value)
