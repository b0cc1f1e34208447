"""Turns one raw user input into a question the bot can take, or a clear error."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Optional, Union

# Long enough for any real question (the explainer's longest is 20 characters);
# short enough that a pasted document is refused instead of searched.
MAX_QUESTION_CHARS = 500


@dataclass(frozen=True)
class CheckedQuestion:
    text: str = ""
    error: Optional[str] = None  # a short code, e.g. "empty"
    message: Optional[str] = None  # what to tell the user, in Chinese

    @property
    def ok(self) -> bool:
        return self.error is None


ERRORS = {
    "invalid_utf8": "无法识别输入的文字编码，请用中文重新输入您的问题。",
    "binary": "输入中含有无法识别的内容，请用文字重新输入您的问题。",
    "empty": "请输入您想咨询的新冠疫苗接种问题。",
    "too_long": f"问题太长了（超过{MAX_QUESTION_CHARS}字），请简要描述您的问题后再问。",
    "wrong_type": "输入必须是文字。",
}


def _fail(code: str) -> CheckedQuestion:
    return CheckedQuestion(error=code, message=ERRORS[code])


def check_question(raw: Union[str, bytes, None], max_chars: int = MAX_QUESTION_CHARS) -> CheckedQuestion:
    if isinstance(raw, (bytes, bytearray)):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            return _fail("invalid_utf8")
    if not isinstance(raw, str):
        return _fail("wrong_type")
    if "\x00" in raw:
        return _fail("binary")
    # Control and format characters carry no meaning in a question; drop them
    # rather than refuse, since phones and copy-paste insert them invisibly.
    cleaned = "".join(
        " " if ch in "\t\r\n\v\f" else ch
        for ch in raw
        if ch in "\t\r\n\v\f" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        return _fail("empty")
    if len(cleaned) > max_chars:
        return _fail("too_long")
    return CheckedQuestion(text=cleaned)
