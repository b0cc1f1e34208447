"""Page-jump markers such as （下转第二版） and (上接第1版).

A marker is layout, not content: it is cut out of the text and replaced by a
token so later stages know an article stops or resumes on another page.
"""

from __future__ import annotations

import enum
import re

_SPACE = r"[\s\u3000]*"
# Page numbers appear as Chinese numerals, ASCII or full-width digits, sometimes
# with an edition letter (A2版).
_PAGE = r"[A-Za-zＡ-Ｚａ-ｚ]?[0-9０-９一二三四五六七八九十百零〇两]+"
_MARKER = re.compile(rf"[（(]{_SPACE}(?P<direction>下转|上接|转|接){_SPACE}第?{_SPACE}{_PAGE}{_SPACE}版{_SPACE}[）)]")


class Jump(enum.Enum):
    CONTINUES_ELSEWHERE = "continues_elsewhere"  # 下转: the text before it is cut off
    CONTINUED_FROM_ELSEWHERE = "continued_from_elsewhere"  # 上接: the start is on another page


def split_jump_markers(line: str) -> list[str | Jump]:
    """Split ``line`` into text pieces and :class:`Jump` tokens, dropping empty pieces."""
    pieces: list[str | Jump] = []
    position = 0
    for match in _MARKER.finditer(line):
        _append_text(pieces, line[position : match.start()])
        forward = match.group("direction") in ("下转", "转")
        pieces.append(Jump.CONTINUES_ELSEWHERE if forward else Jump.CONTINUED_FROM_ELSEWHERE)
        position = match.end()
    _append_text(pieces, line[position:])
    return pieces


def contains_jump_marker(text: str) -> bool:
    return _MARKER.search(text) is not None


def _append_text(pieces: list[str | Jump], text: str) -> None:
    text = text.strip()
    if text:
        pieces.append(text)
