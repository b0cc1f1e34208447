"""Group repaired paragraphs into articles: a run of headings, then a body.

Text that belongs to no heading (a photo caption printed after a jump marker,
a stray photo credit) is not silently dropped: it is returned as a
:class:`SkippedBlock` so the generated files show what was left out and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.ingest.bylines import is_photo_credit, split_dateline
from bot.ingest.headings import looks_like_heading
from bot.ingest.layout import Paragraph

AFTER_JUMP = "follows a jump marker without a heading of its own (e.g. a photo caption)"
BEFORE_FIRST_HEADING = "precedes the first heading on the page"
PHOTO_CREDIT = "photo credit"
HEADINGS_WITHOUT_BODY = "headings with no body text"


@dataclass(frozen=True)
class RawArticle:
    headings: tuple[str, ...]
    byline: str | None
    paragraphs: tuple[str, ...]
    cut_at_end: bool  # a 下转 marker: the rest is printed on another page
    missing_start: bool  # a 上接 marker: the beginning is printed on another page


@dataclass(frozen=True)
class SkippedBlock:
    reason: str
    text: str


@dataclass
class _Draft:
    headings: list[str]
    byline: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    missing_start: bool = False


def segment_page(paragraphs: list[Paragraph]) -> tuple[list[RawArticle], list[SkippedBlock]]:
    articles: list[RawArticle] = []
    skipped: list[SkippedBlock] = []
    draft: _Draft | None = None
    orphan_reason = BEFORE_FIRST_HEADING

    def close(cut: bool) -> None:
        nonlocal draft
        if draft is None:
            return
        if draft.paragraphs:
            articles.append(
                RawArticle(
                    headings=tuple(draft.headings),
                    byline=draft.byline,
                    paragraphs=tuple(draft.paragraphs),
                    cut_at_end=cut,
                    missing_start=draft.missing_start,
                )
            )
        else:
            skipped.append(SkippedBlock(HEADINGS_WITHOUT_BODY, "\n".join(draft.headings)))
        draft = None

    for paragraph in paragraphs:
        text = paragraph.text
        if is_photo_credit(text):
            skipped.append(SkippedBlock(PHOTO_CREDIT, text))
        elif looks_like_heading(text):
            if draft is not None and draft.paragraphs:
                close(cut=False)
            if draft is None:
                draft = _Draft(headings=[])
            draft.headings.append(text)
        elif draft is None:
            skipped.append(SkippedBlock(orphan_reason, text))
        else:
            _add_body(draft, paragraph)

        if paragraph.continues_elsewhere:
            close(cut=True)
            orphan_reason = AFTER_JUMP
    close(cut=False)
    return articles, skipped


def _add_body(draft: _Draft, paragraph: Paragraph) -> None:
    text = paragraph.text
    if not draft.paragraphs:
        draft.missing_start = draft.missing_start or paragraph.continued_from_elsewhere
        if draft.byline is None:
            draft.byline, text = split_dateline(text)
    if text:
        draft.paragraphs.append(text)
