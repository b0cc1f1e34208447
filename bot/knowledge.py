"""The knowledge base: the FAQ pairs and articles that `python -m bot ingest`
wrote to data/faq.yml and data/articles.yml, read back once per process.

It lives outside bot.ingest so that the action server, which only reads these
files, never imports the page-repair code that wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import yaml

from bot.ingest.errors import IngestError
from bot.ingest.model import Article, FaqPair
from bot.ingest.records import from_record


def load_articles(path: Path) -> list[Article]:
    return [from_record(Article, record, path, n) for n, record in enumerate(_load_list(path, "articles"), 1)]


def load_faqs(path: Path) -> list[FaqPair]:
    return [from_record(FaqPair, record, path, n) for n, record in enumerate(_load_list(path, "faqs"), 1)]


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot may tell users, in source order."""

    faqs: Tuple[FaqPair, ...]
    articles: Tuple[Article, ...] = ()
    by_id: Dict[str, FaqPair] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {faq.id: faq for faq in self.faqs})

    def faq(self, faq_id: Optional[str]) -> Optional[FaqPair]:
        return self.by_id.get(faq_id) if faq_id else None

    @property
    def faq_ids(self) -> Tuple[str, ...]:
        return tuple(faq.id for faq in self.faqs)


def load_knowledge_base(settings=None) -> KnowledgeBase:
    """From the paths in settings/retrieval.yml (the one place that names them)."""
    if settings is None:
        from bot.retrieval.settings import load_settings

        settings = load_settings()
    return KnowledgeBase(tuple(load_faqs(settings.faq_path)), tuple(load_articles(settings.articles_path)))


def _load_list(path: Path, key: str) -> list[Any]:
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise IngestError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise IngestError(f"{path}: not valid UTF-8 YAML ({exc})") from exc
    items = document.get(key) if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise IngestError(f"{path}: expected a '{key}:' list; regenerate it with `python -m bot ingest`")
    return items
