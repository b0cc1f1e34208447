"""Value objects shared by the ingester and its consumers (retrieval, actions)."""

from __future__ import annotations

from dataclasses import dataclass

Span = tuple[int, int]


@dataclass(frozen=True)
class Article:
    """One article of a page, after layout repair.

    ``text`` holds the body paragraphs joined by ``"\\n"`` with the dateline
    (e.g. ``本报讯（记者 高燕）``) moved into ``byline``; FAQ spans index into it.
    ``partial`` is true when a jump marker shows that part of the article is
    printed on another page.
    """

    id: str
    source_id: str
    newspaper: str
    date: str
    title: str
    headings: tuple[str, ...]
    byline: str | None
    text: str
    partial: bool
    has_qa: bool


@dataclass(frozen=True)
class FaqPair:
    """A 问/答 pair quoted from an article.

    ``answer`` is the full repaired answer; ``display_answer`` is what may be
    shown to users (complete sentences only, see
    :func:`bot.ingest.sentences.display_text`).  The spans satisfy
    ``article.text[start:end] == question`` / ``== answer`` so every reply can
    be traced back to the printed page.
    """

    id: str
    question: str
    answer: str
    display_answer: str
    partial: bool
    article_id: str
    article_title: str
    newspaper: str
    date: str
    question_span: Span
    answer_span: Span
