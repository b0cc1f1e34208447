"""Restores domain words typed with the wrong characters of the same sound.

People type Chinese with pinyin keyboards, so the commonest typo is a
homophone: 疫描 for 疫苗, 科星 for 科兴, 覆概率 for 覆盖率. A span of the question
whose toneless pinyin equals a domain word's is replaced by that word, unless
the span is itself a real word (jieba's dictionary), so 这样可行吗 (ke xing)
never becomes 这样科兴吗, or cuts through a word jieba sees, so 接种证明 keeps
its 种证 (zhong zheng, like 重症).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

from bot.paths import PROJECT_ROOT

logger = logging.getLogger(__name__)

DICTIONARY = PROJECT_ROOT / "data" / "dictionary"
MIN_LENGTH = 2  # one character has too many homophones to guess from


def load_terms(paths: Iterable[Path]) -> List[str]:
    """Words from jieba-style dictionaries (word [freq] [tag]) or plain lists; # starts a comment."""
    terms = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            word = line.split("#", 1)[0].strip().split(" ")[0]
            if len(word) >= MIN_LENGTH:
                terms.append(word)
    return sorted(set(terms))


def _pinyin(text: str) -> List[str]:
    from pypinyin import lazy_pinyin

    # One syllable per Han character; anything else stands for itself.
    # (pypinyin accepts a list from `errors`; its type hints say str.)
    return lazy_pinyin(text, errors=lambda chunk: list(chunk))  # type: ignore[arg-type,return-value]


class HomophoneCorrector:
    def __init__(self, terms: Iterable[str]):
        self._by_sound: Dict[Tuple[str, ...], str] = {}
        for term in terms:
            sound = tuple(_pinyin(term))
            if len(sound) == len(term):
                self._by_sound.setdefault(sound, term)
        self._lengths = sorted({len(s) for s in self._by_sound}, reverse=True)
        self._segmenter = None  # jieba's default dictionary, loaded on first use
        self._lock = threading.Lock()

    def _jieba(self):
        if self._segmenter is None:
            with self._lock:
                if self._segmenter is None:
                    import jieba

                    jieba.setLogLevel(logging.WARNING)
                    jieba.initialize()
                    self._segmenter = jieba.dt
        return self._segmenter

    def _is_word(self, text: str) -> bool:
        return self._jieba().FREQ.get(text, 0) > 0  # prefixes are stored with 0

    def _boundaries(self, text: str) -> set:
        # Without HMM, characters jieba does not know stay single, so a typo's
        # characters never hide inside a guessed word.
        edges, offset = {0}, 0
        for token in self._jieba().cut(text, HMM=False):
            offset += len(token)
            edges.add(offset)
        return edges

    def __call__(self, text: str) -> str:
        if not self._by_sound or not text:
            return text
        sounds = _pinyin(text)
        if len(sounds) != len(text):  # defensive: alignment is what makes spans safe
            return text
        edges = None
        out, i = [], 0
        while i < len(text):
            for length in self._lengths:
                term = self._by_sound.get(tuple(sounds[i : i + length]))
                span = text[i : i + length]
                if not term or span == term or self._is_word(span):
                    continue
                edges = edges if edges is not None else self._boundaries(text)
                if i in edges and i + length in edges:
                    out.append(term)
                    i += length
                    break
            else:
                out.append(text[i])
                i += 1
        return "".join(out)


def default_corrector() -> HomophoneCorrector:
    return HomophoneCorrector(load_terms([DICTIONARY / "jieba" / "user_dict.txt", DICTIONARY / "homophone_terms.txt"]))
