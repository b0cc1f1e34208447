"""Find 问：/答： pairs in an article body and locate them by character offset."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.ingest.model import Span

_QUESTION_LABEL = re.compile(r"^问[：:][\s\u3000]*")
_ANSWER_LABEL = re.compile(r"^答[：:][\s\u3000]*")
# Some pages print both halves on one line: 问：……？答：……
_INLINE_ANSWER = re.compile(r"(?<=[？?])[\s\u3000]*答[：:][\s\u3000]*")


@dataclass(frozen=True)
class QaMatch:
    question: str
    answer: str
    question_span: Span
    answer_span: Span


def starts_with_qa_label(line: str) -> bool:
    return bool(_QUESTION_LABEL.match(line) or _ANSWER_LABEL.match(line))


def find_qa_pairs(text: str) -> list[QaMatch]:
    """Return the pairs of ``text`` (paragraphs separated by ``"\\n"``) in order.

    An answer runs from its 答： label up to the next 问： paragraph, so answers
    printed over several paragraphs stay whole.  A question with no answer
    (e.g. the page was cut right after it) yields nothing: there is nothing to
    tell users.
    """
    pairs: list[QaMatch] = []
    question: Span | None = None
    answer: Span | None = None

    def close() -> None:
        if question is not None and answer is not None:
            pairs.append(_make_match(text, question, answer))

    for start, paragraph in _paragraphs(text):
        end = start + len(paragraph)
        if q_label := _QUESTION_LABEL.match(paragraph):
            close()
            question, answer = (start + q_label.end(), end), None
            if inline := _INLINE_ANSWER.search(paragraph, q_label.end()):
                question = (start + q_label.end(), start + inline.start())
                answer = (start + inline.end(), end)
        elif question is not None and answer is None and (a_label := _ANSWER_LABEL.match(paragraph)):
            answer = (start + a_label.end(), end)
        elif answer is not None:
            answer = (answer[0], end)
    close()
    return pairs


def _paragraphs(text: str) -> list[tuple[int, str]]:
    found = []
    offset = 0
    for paragraph in text.split("\n"):
        found.append((offset, paragraph))
        offset += len(paragraph) + 1
    return found


def _make_match(text: str, question: Span, answer: Span) -> QaMatch:
    return QaMatch(
        question=text[question[0] : question[1]],
        answer=text[answer[0] : answer[1]],
        question_span=question,
        answer_span=answer,
    )
