"""Cutting a long reply into messages a text channel accepts.

WeCom truncates a text message beyond 2048 bytes of UTF-8 and WeChat refuses
customer-service texts beyond its own limit, so a long answer goes out in
several messages, cut where a reader would pause.
"""

from __future__ import annotations

import re
from typing import List

# Preferred break points, coarsest first: after a line, after a sentence, after
# a clause. A piece still too long at the last level is cut between characters.
_BREAKS = [
    re.compile(r"(?<=\n)"),
    re.compile(r"(?<=[。！？!?；;…])"),
    re.compile(r"(?<=[，,、：:\s])"),
]


def _pieces(text: str, level: int) -> List[str]:
    if level < len(_BREAKS):
        return [piece for piece in _BREAKS[level].split(text) if piece]
    return list(text)


def split_text(text: str, limit: int) -> List[str]:
    """Cut `text` into messages of at most `limit` UTF-8 bytes each.

    Cuts fall on line, then sentence, then clause boundaries when they can, and
    always between characters, so no message ends in half a multi-byte char.
    """
    if limit < 4:
        raise ValueError("limit must hold at least one UTF-8 character")
    chunks: List[str] = []

    def pack(segment: str, level: int) -> None:
        current, size = "", 0
        for piece in _pieces(segment, level):
            piece_size = len(piece.encode("utf-8"))
            if size + piece_size <= limit:
                current, size = current + piece, size + piece_size
                continue
            if current:
                chunks.append(current)
                current, size = "", 0
            if piece_size <= limit:
                current, size = piece, piece_size
            else:
                pack(piece, level + 1)
        if current:
            chunks.append(current)

    pack(text, 0)
    return [chunk.strip() for chunk in chunks if chunk.strip()]
