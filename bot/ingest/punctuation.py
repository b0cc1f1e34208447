"""Punctuation classes shared by the layout, heading and sentence rules."""

from __future__ import annotations

# Marks that only occur inside running prose; a line carrying any of them is
# body text, never a headline.
SENTENCE_PUNCTUATION = frozenset("，。；：！？,;:!?")
SENTENCE_END = frozenset("。！？!?")
ELLIPSIS = "…"
CLOSERS = frozenset("”’」』）)》〉】\"'")
# A paragraph may legitimately stop on these (a clause list or an introduction);
# anything else at the end of a prose line means the line was broken mid-word.
PARAGRAPH_END = SENTENCE_END | frozenset("；;：:" + ELLIPSIS)


def has_sentence_punctuation(text: str) -> bool:
    return any(ch in SENTENCE_PUNCTUATION for ch in text)


def ends_paragraph(line: str) -> bool:
    """True if ``line`` stops on a paragraph-ending mark, allowing trailing quotes/brackets.

    A closing bracket alone does not count: ``……（见图）`` style endings are rare
    in body text, while a word cut right before a bracket is not.
    """
    stripped = line.rstrip()
    core = stripped.rstrip("".join(CLOSERS))
    return bool(core) and core[-1] in PARAGRAPH_END
