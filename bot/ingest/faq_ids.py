"""Stable FAQ ids: reviewed names from the manifest, else a hash of the question."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from bot.ingest.errors import IngestError
from bot.ingest.manifest import SourceSpec


def hash_faq_id(question: str) -> str:
    # Derived from the question alone so re-ingesting, reordering articles or
    # repairing an answer does not rename the pair.
    return "faq_" + hashlib.sha1(question.encode("utf-8")).hexdigest()[:8]


def assign_faq_ids(spec: SourceSpec, article_title: str, questions: Sequence[str]) -> list[str]:
    listed = spec.faq_ids.get(article_title)
    if listed is None:
        return [hash_faq_id(question) for question in questions]
    if len(listed) != len(questions):
        raise IngestError(
            f"{spec.path}: the manifest lists {len(listed)} faq_ids for {article_title!r} "
            f"but the article has {len(questions)} 问/答 pairs"
        )
    return list(listed)
