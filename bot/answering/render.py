"""The exact text users read. Single newlines only: Rasa's REST channel splits a
message at blank lines, which would tear the source line off its answer."""
from __future__ import annotations

from bot.answering.citation import Source, source_line

PARTIAL_NOTE = "（原文在此处转版，后续内容未收录。）"


def faq_source(faq) -> Source:
    return Source(faq.article_title, faq.newspaper, faq.date, question=faq.question)


def render_faq_answer(faq) -> str:
    body = faq.display_answer
    if faq.partial:
        body += PARTIAL_NOTE
    return f"{body}\n{source_line(faq_source(faq))}"


def render_passage_answer(passage_text: str, source: Source) -> str:
    return f"资料原文中与您的问题最相关的内容是：\n“{passage_text}”\n{source_line(source)}"
