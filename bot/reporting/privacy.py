"""What the report may show about people: no sender ids, no phone numbers.

Sender ids (WeCom/WeChat user ids, widget session ids) are replaced by a
keyed hash: stable across reports made with the same salt, so staff can see
that one conversation asked three times, but not reversible by hashing
guessed ids without the salt. Citizens also type their phone or ID number
into a chat; long digit runs are masked in every question shown.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Optional

from bot.paths import PROJECT_ROOT

SALT_ENV = "BOT_REPORT_SALT"
DEFAULT_SALT_FILE = PROJECT_ROOT / "state" / "report_salt"
# 11-digit mobiles, 15/18-character ID numbers, bank cards: any run of 7+
# digits (full-width digits count too). Shorter
# runs (ages, dose counts, dates like 2022) stay readable.
_DIGIT_RUN = re.compile(r"\d[\d\s-]{5,}[\dXx]")
MASK = "＊＊＊"


def load_salt(salt_file: Path = DEFAULT_SALT_FILE) -> bytes:
    """BOT_REPORT_SALT, else a random salt kept in state/report_salt (owner-only)."""
    configured = os.environ.get(SALT_ENV)
    if configured:
        return configured.encode("utf-8")
    if salt_file.is_file():
        return salt_file.read_bytes().strip()
    salt_file.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32).encode("ascii")
    fd = os.open(salt_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(value)
    return value


class SenderHasher:
    def __init__(self, salt: bytes):
        if not salt:
            raise ValueError("the sender-id salt must not be empty")
        self._salt = salt

    def __call__(self, sender_id: Optional[str]) -> str:
        digest = hmac.new(self._salt, (sender_id or "").encode("utf-8"), hashlib.sha256).hexdigest()
        return digest[:12]


# Full-width digits and letters map one character to one, so spans found in
# the folded copy line up with the original, which is shown as typed.
_FOLD_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def redact(text: str) -> str:
    text = text or ""
    folded = text.translate(_FOLD_WIDTH)
    out, last = [], 0
    for match in _DIGIT_RUN.finditer(folded):
        out.append(text[last : match.start()])
        out.append(MASK)
        last = match.end()
    out.append(text[last:])
    return "".join(out)
