"""Ingest one manifest entry: page file -> articles, FAQ pairs, skipped text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.ingest.errors import IngestError
from bot.ingest.faq_ids import assign_faq_ids
from bot.ingest.headings import choose_title
from bot.ingest.layout import repair_layout
from bot.ingest.manifest import SourceSpec
from bot.ingest.model import Article, FaqPair
from bot.ingest.qa import find_qa_pairs
from bot.ingest.segment import RawArticle, SkippedBlock, segment_page
from bot.ingest.sentences import display_text
from bot.ingest.source_text import read_source


@dataclass(frozen=True)
class PageResult:
    spec: SourceSpec
    sha256: str
    articles: tuple[Article, ...]
    faqs: tuple[FaqPair, ...]
    skipped: tuple[SkippedBlock, ...]


def ingest_page(spec: SourceSpec) -> PageResult:
    source = read_source(spec.path)
    raw_articles, skipped = segment_page(repair_layout(source.text))
    if not raw_articles:
        raise IngestError(f"{spec.path}: no articles found (expected headline lines followed by body text)")
    _check_manifest_titles(spec, raw_articles)

    articles: list[Article] = []
    faqs: list[FaqPair] = []
    for index, raw in enumerate(raw_articles, 1):
        article, pairs = _build_article(spec, f"{spec.id}/{index:02d}", raw)
        articles.append(article)
        faqs.extend(pairs)
    if not faqs:
        raise IngestError(f"{spec.path}: no 问：/答： pairs found in any article")
    return PageResult(spec, source.sha256, tuple(articles), tuple(faqs), tuple(skipped))


def _build_article(spec: SourceSpec, article_id: str, raw: RawArticle) -> tuple[Article, list[FaqPair]]:
    title = choose_title(raw.headings)
    text = "\n".join(raw.paragraphs)
    matches = find_qa_pairs(text)
    ids = assign_faq_ids(spec, title, [m.question for m in matches])
    article = Article(
        id=article_id,
        source_id=spec.id,
        newspaper=spec.newspaper,
        date=spec.date,
        title=title,
        headings=raw.headings,
        byline=raw.byline,
        text=text,
        partial=raw.cut_at_end or raw.missing_start,
        has_qa=bool(matches),
    )
    pairs = []
    for position, (faq_id, match) in enumerate(zip(ids, matches, strict=True), 1):
        # Only the last answer can run into a 下转 marker; earlier ones ended on the page.
        partial = raw.cut_at_end and position == len(matches)
        pairs.append(
            FaqPair(
                id=faq_id,
                question=match.question,
                answer=match.answer,
                display_answer=display_text(match.answer, partial),
                partial=partial,
                article_id=article.id,
                article_title=title,
                newspaper=spec.newspaper,
                date=spec.date,
                question_span=match.question_span,
                answer_span=match.answer_span,
            )
        )
    return article, pairs


def _check_manifest_titles(spec: SourceSpec, raw_articles: list[RawArticle]) -> None:
    titles = Counter(choose_title(raw.headings) for raw in raw_articles)
    for title in spec.faq_ids:
        if titles[title] == 0:
            raise IngestError(
                f"{spec.path}: the manifest lists faq_ids for {title!r}, "
                f"but no article has that title (found: {', '.join(titles)})"
            )
        if titles[title] > 1:
            raise IngestError(f"{spec.path}: several articles are titled {title!r}; faq_ids are ambiguous")
