"""Recognises elliptical follow-ups (那智飞的呢) that only make sense together
with the previous question."""
from __future__ import annotations

import re
from typing import Optional

_FOLLOW_UP = re.compile(r"^(那|那么|那要是|那如果|还有|要是|如果是|换成)|(呢|的话)[?？。!！]*$")


def is_follow_up(text: str, max_chars: int) -> bool:
    return 0 < len(text) <= max_chars and bool(_FOLLOW_UP.search(text))


def contextual_query(text: str, previous_question: Optional[str], max_chars: int) -> str:
    """The text to search with: the question itself, or previous + this one."""
    if previous_question and is_follow_up(text, max_chars):
        return f"{previous_question} {text}"
    return text
