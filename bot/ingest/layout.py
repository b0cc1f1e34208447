"""Undo the page's layout damage and return clean paragraphs.

The page text comes from a column layout: a paragraph that ran into the next
column shows up as two blocks separated by a blank line, often splitting a
word ("有力支" / "撑经济社会").  Jump markers (（下转第二版）) are removed
and recorded on the paragraph they follow or precede.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.ingest.bylines import is_photo_credit, starts_with_dateline
from bot.ingest.headings import MAX_HEADING_CHARS, looks_like_heading
from bot.ingest.jump_markers import Jump, split_jump_markers
from bot.ingest.punctuation import ends_paragraph, has_sentence_punctuation
from bot.ingest.qa import starts_with_qa_label

Token = str | Jump


@dataclass(frozen=True)
class Paragraph:
    text: str
    continues_elsewhere: bool = False  # a 下转 marker followed it
    continued_from_elsewhere: bool = False  # a 上接 marker preceded it


def repair_layout(text: str) -> list[Paragraph]:
    tokens = _tokenize(text)
    paragraphs: list[Paragraph] = []
    pending: str | None = None
    resumes = False

    def flush(*, cut: bool = False) -> None:
        nonlocal pending, resumes
        if pending is not None:
            paragraphs.append(Paragraph(pending, cut, resumes))
            pending, resumes = None, False
        elif cut and paragraphs:
            # Marker printed on a line of its own: it belongs to the paragraph above.
            paragraphs[-1] = replace(paragraphs[-1], continues_elsewhere=True)

    for index, token in enumerate(tokens):
        if token is Jump.CONTINUES_ELSEWHERE:
            flush(cut=True)
        elif token is Jump.CONTINUED_FROM_ELSEWHERE:
            flush()
            resumes = True
        elif pending is not None and _is_broken(pending) and _can_continue(tokens, index):
            pending += token
        else:
            flush()
            pending = token
    flush()
    return paragraphs


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for line in text.split("\n"):
        tokens.extend(split_jump_markers(line))
    return tokens


def _is_broken(line: str) -> bool:
    """A prose line that stops mid-sentence was split by the layout.

    Lines without prose punctuation are left alone: they are headlines or
    credits, and gluing one onto the next paragraph would corrupt both.
    """
    is_prose = has_sentence_punctuation(line) or len(line) > MAX_HEADING_CHARS
    return is_prose and not ends_paragraph(line)


def _can_continue(tokens: Sequence[Token], index: int) -> bool:
    line = tokens[index]
    assert isinstance(line, str)
    if starts_with_qa_label(line) or starts_with_dateline(line) or is_photo_credit(line):
        return False
    if looks_like_heading(line):
        # A heading-like line directly followed by another heading or a dateline
        # is the start of the next article, not the tail of a broken sentence.
        following = _next_text(tokens, index + 1)
        return following is None or not (looks_like_heading(following) or starts_with_dateline(following))
    return True


def _next_text(tokens: Sequence[Token], start: int) -> str | None:
    for token in tokens[start:]:
        if isinstance(token, str):
            return token
        return None  # a jump marker ends the lookahead
    return None
