"""Public entry points: ingest every manifest source, and read the results back."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.ingest.errors import IngestError
from bot.ingest.manifest import load_manifest
from bot.ingest.model import Article, FaqPair
from bot.ingest.page import PageResult, ingest_page
from bot.ingest.records import to_record
from bot.ingest.yaml_format import render

# Readers of the generated files live in bot.knowledge; re-exported for ingest callers.
from bot.knowledge import load_articles, load_faqs  # noqa: F401
from bot.paths import PROJECT_ROOT


def ingest_all(manifest: Path, articles_out: Path, faq_out: Path) -> tuple[list[Article], list[FaqPair]]:
    """Ingest every source listed in ``manifest`` and write both YAML files.

    Output depends only on the manifest and page files (no timestamps, no
    absolute paths), so the same input gives byte-identical files.  Nothing is
    written unless every source ingests cleanly.
    """
    pages = [ingest_page(spec) for spec in load_manifest(manifest)]
    articles = [article for page in pages for article in page.articles]
    faqs = [pair for page in pages for pair in page.faqs]
    _reject_duplicate_faq_ids(manifest, faqs)

    label = _display_path(manifest)
    articles_text = render(
        {
            "sources": [_source_record(page, with_skipped=True) for page in pages],
            "articles": [to_record(article) for article in articles],
        },
        label,
    )
    faq_text = render(
        {
            "sources": [_source_record(page, with_skipped=False) for page in pages],
            "faqs": [to_record(pair) for pair in faqs],
        },
        label,
    )
    _write(articles_out, articles_text)
    _write(faq_out, faq_text)
    return articles, faqs


def _source_record(page: PageResult, *, with_skipped: bool) -> dict[str, Any]:
    spec = page.spec
    record: dict[str, Any] = {
        "id": spec.id,
        "file": spec.file,
        "sha256": page.sha256,
        "newspaper": spec.newspaper,
        "date": spec.date,
    }
    if with_skipped:
        record["skipped"] = [{"reason": block.reason, "text": block.text} for block in page.skipped]
    return record


def _reject_duplicate_faq_ids(manifest: Path, faqs: Sequence[FaqPair]) -> None:
    seen: dict[str, FaqPair] = {}
    for pair in faqs:
        if pair.id in seen:
            raise IngestError(
                f"{manifest}: faq id {pair.id!r} is used by both {seen[pair.id].article_id} "
                f"and {pair.article_id}; give them distinct faq_ids in the manifest"
            )
        seen[pair.id] = pair


def _display_path(path: Path) -> str:
    # Generated files must not depend on the machine or the working directory,
    # so name the manifest relative to the project when possible.
    resolved = path.resolve()
    for anchor in (PROJECT_ROOT, Path.cwd().resolve()):
        if resolved.is_relative_to(anchor):
            return resolved.relative_to(anchor).as_posix()
    return path.name


def _write(path: Path, text: str) -> None:
    # Unchanged output keeps its mtime, so make does not retrain the Rasa model
    # after a code change that did not change the data.
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
