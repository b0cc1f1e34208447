"""Sentence splitting for Chinese prose, and what may be shown of a cut answer.

Sentences end on 。！？ (or ASCII !?) plus any closing quotes/brackets that
follow, so ``太及时了！”`` stays one sentence.  An ellipsis ends a sentence only
when a closing quote follows it (``记录……”``) or it ends the text; otherwise
it is a pause.  ；
separates clauses *inside* a sentence and never splits.  A line break always
ends a sentence: paragraphs do not run into each other.
"""

from __future__ import annotations

from bot.ingest.punctuation import CLOSERS, ELLIPSIS, SENTENCE_END

CUT_MARK = "……"
_CLAUSE_END = "；;"
# Marks that would read oddly right before the CUT_MARK.
_TRAILING_CLAUSE_MARKS = "；;，,、：:"


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences, keeping their punctuation.

    A trailing fragment without an end mark is returned as the last item:
    nothing but whitespace and line breaks is lost.
    """
    sentences: list[str] = []
    start = 0
    for end in _sentence_ends(text):
        _append(sentences, text[start:end])
        start = end
    _append(sentences, text[start:])
    return sentences


def complete_sentences(text: str) -> str:
    """Trim ``text`` to its last complete sentence.

    If there is no complete sentence, fall back to the last clause closed by
    ；: for a cut-off answer that clause is the longest part still saying
    something whole.  Returns ``""`` when neither exists.
    """
    ends = [end for end in _sentence_ends(text) if text[:end].strip()]
    if ends:
        return text[: ends[-1]].strip()
    clause_end = max(text.rfind(mark) for mark in _CLAUSE_END)
    if clause_end >= 0:
        return text[: clause_end + 1].strip()
    return ""


def display_text(answer: str, partial: bool) -> str:
    """What a user may see of ``answer``.

    A whole answer is shown as printed.  A cut-off answer (its article hit a
    jump marker) is trimmed by :func:`complete_sentences` and ends in
    ``……`` so nobody mistakes it for the full reply; a trailing ；/， is
    replaced by ``……`` rather than kept in front of it, and no other
    wording changes.  If not even a ；-clause survives, the fragment itself is
    shown with ``……`` because an empty reply would help no one.  The jump
    marker is never part of ``answer``, so it can never be shown.
    """
    if not partial:
        return answer
    kept = complete_sentences(answer) or answer.strip()
    return kept.rstrip(_TRAILING_CLAUSE_MARKS) + CUT_MARK


def _sentence_ends(text: str) -> list[int]:
    """Offsets just past each sentence end (after trailing closers)."""
    ends: list[int] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\n":
            ends.append(index)
            index += 1
            continue
        if char in SENTENCE_END or char == ELLIPSIS:
            run_end = index
            while run_end < length and (text[run_end] in SENTENCE_END or text[run_end] == ELLIPSIS):
                run_end += 1
            after = run_end
            while after < length and text[after] in CLOSERS:
                after += 1
            only_ellipsis = all(ch == ELLIPSIS for ch in text[index:run_end])
            if not only_ellipsis or after > run_end or after == length:
                ends.append(after)
            index = after
            continue
        index += 1
    return ends


def _append(sentences: list[str], piece: str) -> None:
    piece = piece.strip()
    if piece:
        sentences.append(piece)
