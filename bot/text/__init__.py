"""Text normalisation shared by intent handling and retrieval."""

from bot.text.normalize import Normalizer, load_synonyms, normalize_query

__all__ = ["Normalizer", "load_synonyms", "normalize_query"]
