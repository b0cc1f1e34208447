"""Load a page file as text, refusing anything that is not a readable UTF-8 page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.errors import IngestError

# Tab, line breaks and the form feed that PDF-to-text tools put between pages
# are the only control characters a text page may contain; anything else means
# we were handed a binary or corrupted file.
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f"}


@dataclass(frozen=True)
class SourceText:
    text: str
    sha256: str


def read_source(path: Path) -> SourceText:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read source file ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path}: not valid UTF-8 (byte {exc.start}); is this a binary file?") from exc
    if any(ch < " " and ch not in _ALLOWED_CONTROLS for ch in text):
        raise IngestError(f"{path}: contains control characters; is this a binary file?")
    if not text.strip():
        raise IngestError(f"{path}: source file is empty")
    return SourceText(
        text=text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n"),
        sha256=hashlib.sha256(data).hexdigest(),
    )
