"""Chinese word segmentation for lexical (BM25) matching.

Uses a private ``jieba.Tokenizer`` so the domain dictionary does not leak
into, or get clobbered by, other users of jieba's global instance.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterable
from pathlib import Path

with warnings.catch_warnings():
    # jieba 0.42 imports the deprecated pkg_resources; the warning is noise here.
    warnings.simplefilter("ignore", UserWarning)
    import jieba

from bot.paths import PROJECT_ROOT
from bot.text.normalize import Normalizer, load_synonyms

DEFAULT_USER_DICT = PROJECT_ROOT / "data" / "dictionary" / "jieba" / "user_dict.txt"
DEFAULT_STOPWORDS = PROJECT_ROOT / "data" / "dictionary" / "stopwords.txt"

# Longest word whose dictionary sub-words are emitted (see Tokenizer._subwords).
_MAX_COMPOUND_CHARS = 12

# jieba logs its dictionary loading at INFO/DEBUG on every process start.
jieba.setLogLevel(logging.WARNING)


def load_stopwords(path: Path = DEFAULT_STOPWORDS) -> frozenset[str]:
    words = set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            word = line.strip()
            if word and not word.startswith("#"):
                words.add(word)
    return frozenset(words)


def _is_word(token: str) -> bool:
    # Punctuation, symbols and emoji have no alphanumeric character; CJK
    # ideographs count as alphanumeric in Python.
    return any(char.isalnum() for char in token)


class Tokenizer:
    """Normalise text, segment it with jieba and drop noise tokens.

    Segmentation is precise mode plus sub-word expansion: a compound such as
    智飞龙科马 is kept as a token *and* every dictionary word inside it (智飞,
    龙科马) is emitted too, so a query that says only 智飞 still matches the
    full brand name. Unlike jieba's ``cut_for_search`` this expands sub-words
    of any length, so 腺病毒载体 survives inside a longer compound.
    """

    def __init__(
        self,
        user_dict: Path | None = DEFAULT_USER_DICT,
        stopwords: Iterable[str] | None = None,
        normalizer: Normalizer | None = None,
    ) -> None:
        self._jieba = jieba.Tokenizer()
        self._user_dict = user_dict
        self._ready = False
        self._lock = threading.Lock()
        self.stopwords = frozenset(stopwords) if stopwords is not None else load_stopwords()
        # Same synonyms as the query path by default, so both sides of BM25
        # see one vocabulary.
        self._normalize = normalizer or Normalizer(load_synonyms())

    def _ensure_loaded(self) -> None:
        # The prefix dictionary takes ~0.5 s to load; do it once, on first use.
        if self._ready:
            return
        with self._lock:
            if not self._ready:
                self._jieba.initialize()
                if self._user_dict is not None:
                    self._jieba.load_userdict(str(self._user_dict))
                self._ready = True

    def segment(self, text: str) -> list[str]:
        """Precise-mode segmentation (no sub-word expansion), noise removed."""
        self._ensure_loaded()
        normalized = self._normalize(text)
        return [t for t in self._jieba.lcut(normalized) if self._keep(t)]

    def tokenize(self, text: str) -> list[str]:
        """Expanded tokens, used identically on the query and passage side."""
        tokens: list[str] = []
        for word in self.segment(text):
            tokens.extend(self._subwords(word))
            tokens.append(word)
        return [t for t in tokens if t not in self.stopwords]

    def _subwords(self, word: str) -> list[str]:
        # Real compounds are short; the cap keeps a pathological 10k-char
        # "word" (e.g. a pasted Latin string) from costing O(n^2) lookups.
        if len(word) > _MAX_COMPOUND_CHARS:
            return []
        freq = self._jieba.FREQ
        found = []
        for size in range(2, len(word)):
            for start in range(len(word) - size + 1):
                piece = word[start : start + size]
                if freq.get(piece):
                    found.append(piece)
        return found

    def _keep(self, token: str) -> bool:
        token = token.strip()
        return bool(token) and _is_word(token) and token not in self.stopwords
