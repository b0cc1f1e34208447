"""Hybrid (dense + BM25) retrieval over the FAQ knowledge base.

Importing this package is cheap; torch, faiss and the model load only when a
retriever is built (``build_default_retriever``).
"""

from importlib import import_module

_EXPORTS = {
    "Retriever": "bot.retrieval.hybrid",
    "Hit": "bot.retrieval.hybrid",
    "FaqScore": "bot.retrieval.hybrid",
    "build_retriever": "bot.retrieval.hybrid",
    "build_default_retriever": "bot.retrieval.hybrid",
    "Passage": "bot.retrieval.passages",
    "build_passages": "bot.retrieval.passages",
    "RetrievalSettings": "bot.retrieval.settings",
    "SettingsError": "bot.retrieval.settings",
    "load_settings": "bot.retrieval.settings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'bot.retrieval' has no attribute {name!r}")
