"""Recognise datelines (本报讯（记者 高燕）) and photo credits (本报记者 戎禹仁摄)."""

from __future__ import annotations

import re

# The agency part must start with 本报 or name a news agency (…社): a looser
# "anything then 讯/电" would also match headlines like 国家电网（大同）….
_DATELINE = re.compile(
    r"^(?P<agency>(?:本报|\S{0,12}社)\S{0,12}?(?:讯|电))[\s\u3000]*[（(](?P<byline>[^（）()]{1,40})[）)][\s\u3000]*"
)
_PHOTO_CREDIT = re.compile(
    r"^(?:(?:本报|特约)?(?:摄影)?(?:记者|通讯员)[\s\u3000]*\S{1,12}?|\S{2,6}[\s\u3000]+)摄(?:影)?$"
)


def split_dateline(paragraph: str) -> tuple[str | None, str]:
    """Return ``(byline, rest)``; the byline is the bracketed credit, e.g. ``记者 高燕``."""
    match = _DATELINE.match(paragraph)
    if match is None:
        return None, paragraph
    return match.group("byline").strip(), paragraph[match.end() :]


def starts_with_dateline(line: str) -> bool:
    return _DATELINE.match(line) is not None


def is_photo_credit(line: str) -> bool:
    return _PHOTO_CREDIT.match(line.strip()) is not None
