"""Convert articles and FAQ pairs to and from the plain mappings stored in YAML."""

from __future__ import annotations

from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, TypeVar

from bot.ingest.errors import IngestError
from bot.ingest.model import Article, FaqPair

T = TypeVar("T", Article, FaqPair)

# Fields stored as YAML lists but typed as tuples in the model.
_TUPLE_FIELDS = {"headings", "question_span", "answer_span"}


def to_record(item: Article | FaqPair) -> dict[str, Any]:
    record = asdict(item)
    for name in _TUPLE_FIELDS & record.keys():
        record[name] = tuple(record[name])
    return record


def from_record(cls: type[T], record: Any, path: Path, position: int) -> T:
    where = f"{path}: {cls.__name__} #{position}"
    if not isinstance(record, dict):
        raise IngestError(f"{where} is not a mapping")
    names = [f.name for f in fields(cls)]
    missing = [name for name in names if name not in record]
    if missing:
        raise IngestError(f"{where} lacks {', '.join(missing)}")
    values = {name: record[name] for name in names}
    for name in _TUPLE_FIELDS & values.keys():
        if not isinstance(values[name], list):
            raise IngestError(f"{where}: '{name}' must be a list")
        values[name] = tuple(values[name])
    return cls(**values)
