"""猜你想问 after 没用: the FAQs nearest to the question that was answered,
without the one that did not help.

Retrieval ranks them when it is up; otherwise the intent layer's own
ranking, stored with the question in the tracker, still orders them, so the
citizen gets related questions even while the embedding model is missing.
"""

from __future__ import annotations

from typing import Iterable, List, Mapping, Optional

from bot.answering.evidence import RetrievalView, best_hits

FAQ_PREFIX = "faq/"


def _from_retrieval(view: Optional[RetrievalView]) -> List[str]:
    if view is None:
        return []
    hits = best_hits(view)
    return [fid for fid, _ in sorted(((f, h.score) for f, h in hits.items()), key=lambda x: x[1], reverse=True)]


def _from_parse(parse: Optional[Mapping]) -> List[str]:
    selector = ((parse or {}).get("response_selector") or {}).get("faq") or {}
    ranking = selector.get("ranking") or []
    found = []
    for item in ranking:
        key = item.get("intent_response_key") if isinstance(item, Mapping) else None
        if isinstance(key, str) and key.startswith(FAQ_PREFIX):
            found.append(key[len(FAQ_PREFIX) :])
    return found


def related_faqs(
    exclude: Optional[str],
    known: Iterable[str],
    retrieval: Optional[RetrievalView] = None,
    parse: Optional[Mapping] = None,
    limit: int = 3,
) -> List[str]:
    """Up to `limit` FAQ ids, nearest first; never `exclude`, never an id
    that is not in the knowledge base (the parse may predate an ingest)."""
    known = list(known)
    ranked = _from_retrieval(retrieval) or _from_parse(parse)
    out: List[str] = []
    for fid in ranked:
        if fid != exclude and fid in known and fid not in out:
            out.append(fid)
        if len(out) == limit:
            break
    return out
