"""The knowledge base: retrievable passages cut from the Q&A articles.

Every passage is text a user may be shown as is, so it is made of complete
sentences from ONE place in one article: a single FAQ question, a single FAQ
answer, or the article's introduction. Windows never cross an answer's
boundary, and nothing is stitched together from two answers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from bot.ingest.model import Article, FaqPair
from bot.ingest.punctuation import CLOSERS, ELLIPSIS, SENTENCE_END
from bot.ingest.sentences import CUT_MARK, split_sentences

FAQ_QUESTION = "faq_question"
FAQ_ANSWER = "faq_answer"
SENTENCE = "sentence"  # one sentence, or a window of consecutive sentences
KINDS = (FAQ_QUESTION, FAQ_ANSWER, SENTENCE)
# A paraphrase from the NLU training data (bot/retrieval/question_bank.py): a
# matching key only, never shown to users.
USER_QUESTION = "user_question"
# Embedded as queries: matching a question to a question is symmetric.
QUESTION_KINDS = (FAQ_QUESTION, USER_QUESTION)

WINDOW_SIZE = 2
_QUESTION_MARKERS = ("问：", "问:")

Span = tuple[int, int]


@dataclass(frozen=True)
class Passage:
    id: str  # stable across rebuilds, e.g. "booster_schedule#s3"
    kind: str  # one of KINDS
    text: str
    faq_id: str | None  # FAQ whose question/answer holds it; None for intro text
    article_id: str
    article_title: str
    newspaper: str
    date: str
    span: Span  # (start, end) into the article's text
    sentence_count: int = 1  # >1 for a sliding window of sentences


def build_passages(
    articles: Iterable[Article],
    faqs: Iterable[FaqPair],
    window_size: int = WINDOW_SIZE,
) -> list[Passage]:
    """Passages for all FAQ pairs plus the intro of every Q&A article.

    Articles without Q&A (politics, finance, ...) contribute nothing: the bot
    must not answer health questions from them.
    """
    qa_articles = {a.id: a for a in articles if a.has_qa}
    faqs = list(faqs)
    passages: list[Passage] = []
    for faq in faqs:
        passages.extend(_faq_passages(faq, window_size))
    for article in qa_articles.values():
        own = [f for f in faqs if f.article_id == article.id]
        passages.extend(_intro_passages(article, own))
    _check_unique_ids(passages)
    return passages


def passages_fingerprint(passages: Sequence[Passage]) -> str:
    """sha256 over everything that affects the index (ids, order, text, ...)."""
    payload = json.dumps([asdict(p) for p in passages], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _faq_passages(faq: FaqPair, window_size: int) -> list[Passage]:
    def make(suffix: str, kind: str, text: str, span: Span, count: int = 1) -> Passage:
        return Passage(
            id=f"{faq.id}#{suffix}",
            kind=kind,
            text=text,
            faq_id=faq.id,
            article_id=faq.article_id,
            article_title=faq.article_title,
            newspaper=faq.newspaper,
            date=faq.date,
            span=span,
            sentence_count=count,
        )

    answer_start = faq.answer_span[0]
    passages = [
        make("q", FAQ_QUESTION, faq.question, (faq.question_span[0], faq.question_span[1])),
        make("a", FAQ_ANSWER, faq.display_answer, _display_span(faq)),
    ]
    sentences = _complete_sentences_with_spans(faq.answer, answer_start, faq.partial)
    for n, (text, span) in enumerate(sentences):
        passages.append(make(f"s{n}", SENTENCE, text, span))
    for size in range(2, window_size + 1):
        for n in range(len(sentences) - size + 1):
            group = sentences[n : n + size]
            start, end = group[0][1][0], group[-1][1][1]
            # Sentences are contiguous in the answer, so the article slice is
            # exactly the window (no re-joining of separately stored strings).
            text = faq.answer[start - answer_start : end - answer_start]
            passages.append(make(f"w{size}-{n}", SENTENCE, text, (start, end), size))
    return passages


def _intro_passages(article: Article, faqs: Sequence[FaqPair]) -> list[Passage]:
    intro_end = _first_question_offset(article, faqs)
    sentences = _complete_sentences_with_spans(article.text[:intro_end], 0, partial=True)
    return [
        Passage(
            id=f"{article.id}#intro-s{n}",
            kind=SENTENCE,
            text=text,
            faq_id=None,
            article_id=article.id,
            article_title=article.title,
            newspaper=article.newspaper,
            date=article.date,
            span=span,
        )
        for n, (text, span) in enumerate(sentences)
    ]


def _first_question_offset(article: Article, faqs: Sequence[FaqPair]) -> int:
    candidates = [article.text.find(m) for m in _QUESTION_MARKERS]
    candidates = [c for c in candidates if c >= 0]
    candidates += [f.question_span[0] for f in faqs]
    return min(candidates, default=0)


def _complete_sentences_with_spans(text: str, offset: int, partial: bool) -> list[tuple[str, Span]]:
    """Sentences of ``text`` with article spans, dropping a cut-off tail.

    The last piece is kept without an end mark only when the text is known to
    be whole (an answer printed without a final 。 is still complete).
    """
    pieces = split_sentences(text)
    found: list[tuple[str, Span]] = []
    cursor = 0
    for index, piece in enumerate(pieces):
        start = text.find(piece, cursor)
        if start < 0:  # split_sentences only strips whitespace; be defensive
            raise ValueError(f"sentence not found in its source text: {piece!r}")
        cursor = start + len(piece)
        is_last = index == len(pieces) - 1
        if is_last and partial and not _ends_sentence(piece):
            break
        if "\n" in piece:
            continue
        found.append((piece, (offset + start, offset + cursor)))
    return found


def _ends_sentence(piece: str) -> bool:
    core = piece.rstrip("".join(CLOSERS))
    return bool(core) and (core[-1] in SENTENCE_END or core.endswith(ELLIPSIS))


def _display_span(faq: FaqPair) -> Span:
    start, end = faq.answer_span
    if not faq.partial:
        return (start, end)
    # A cut answer is shown trimmed and ending in CUT_MARK; point the span at
    # the printed part that is actually shown.
    shown = faq.display_answer.removesuffix(CUT_MARK)
    if faq.answer.startswith(shown):
        return (start, start + len(shown))
    return (start, end)


def _check_unique_ids(passages: Sequence[Passage]) -> None:
    seen: set[str] = set()
    for passage in passages:
        if passage.id in seen:
            raise ValueError(f"duplicate passage id {passage.id!r}: FAQ ids must be unique")
        seen.add(passage.id)
