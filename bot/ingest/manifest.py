"""Read ``sources.yml``: which pages to ingest and what we know about them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.ingest.errors import IngestError

_REQUIRED_TEXT_FIELDS = ("id", "file", "newspaper", "date")


@dataclass(frozen=True)
class SourceSpec:
    """One manifest entry; ``path`` is resolved against the manifest's folder."""

    id: str
    file: str
    path: Path
    newspaper: str
    date: str
    faq_ids: dict[str, tuple[str, ...]]


def load_manifest(manifest: Path) -> list[SourceSpec]:
    """Parse and validate the manifest, failing with the manifest's name on any problem."""
    try:
        raw = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IngestError(f"{manifest}: cannot read manifest ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise IngestError(f"{manifest}: manifest is not valid UTF-8 YAML ({exc})") from exc

    entries = raw.get("sources") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise IngestError(f"{manifest}: expected a non-empty 'sources:' list")

    specs = [_parse_entry(manifest, position, entry) for position, entry in enumerate(entries, 1)]
    _reject_duplicates(manifest, [spec.id for spec in specs], "source id")
    return specs


def _parse_entry(manifest: Path, position: int, entry: Any) -> SourceSpec:
    where = f"{manifest}: source #{position}"
    if not isinstance(entry, dict):
        raise IngestError(f"{where} must be a mapping")
    values = {}
    for field in _REQUIRED_TEXT_FIELDS:
        value = entry.get(field)
        if not isinstance(value, str) or not value.strip():
            # An unquoted date such as 2022-05-01 arrives as a datetime.date; insist on text
            # so the generated files carry exactly what the reviewer wrote.
            raise IngestError(f"{where}: '{field}' must be a non-empty quoted string")
        values[field] = value.strip()
    return SourceSpec(
        id=values["id"],
        file=values["file"],
        path=manifest.parent / values["file"],
        newspaper=values["newspaper"],
        date=values["date"],
        faq_ids=_parse_faq_ids(f"{where} ({values['id']})", entry.get("faq_ids")),
    )


def _parse_faq_ids(where: str, raw: Any) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise IngestError(f"{where}: 'faq_ids' must map article titles to id lists")
    parsed: dict[str, tuple[str, ...]] = {}
    for title, ids in raw.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            raise IngestError(f"{where}: faq_ids for {title!r} must be a list of non-empty strings")
        _reject_duplicates(where, ids, f"faq id under {title!r}")
        parsed[str(title)] = tuple(ids)
    return parsed


def _reject_duplicates(where: object, values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise IngestError(f"{where}: duplicate {what} {value!r}")
        seen.add(value)
