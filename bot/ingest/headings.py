"""Tell headline lines from body text and pick an article's main title."""

from __future__ import annotations

from collections.abc import Sequence

from bot.ingest.bylines import is_photo_credit, starts_with_dateline
from bot.ingest.punctuation import has_sentence_punctuation

MAX_HEADING_CHARS = 40
# Parallel slogan phrases ("主动接种疫苗 加速构建免疫屏障") and column labels
# ("助企纾困 应变克难·大同在行动") are kickers; the news headline is one phrase.
_KICKER_MARKS = (" ", "\u3000", "·", "•")


def looks_like_heading(line: str) -> bool:
    text = line.strip()
    return (
        0 < len(text) <= MAX_HEADING_CHARS
        and not has_sentence_punctuation(text)
        and not starts_with_dateline(text)
        and not is_photo_credit(text)
    )


def choose_title(headings: Sequence[str]) -> str:
    """Pick the main headline from a kicker/title/subtitle stack.

    Prefer single-phrase lines over slogan-style kickers, then the longest line
    because the headline names the event most fully while kickers and
    subtitles ("卢东亮主持") are shorter; ties go to the earlier line.
    """
    if not headings:
        raise ValueError("an article needs at least one heading")
    candidates = [h for h in headings if not any(mark in h for mark in _KICKER_MARKS)]
    pool = candidates or list(headings)
    return max(pool, key=len)  # max() keeps the first of equally long lines
