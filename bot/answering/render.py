"""The exact text users read. Single newlines only: Rasa's REST channel splits a
message at blank lines, which would tear the source line off its answer."""

from __future__ import annotations

from bot.answering.citation import Source, source_line

PARTIAL_NOTE = "（原文在此处转版，后续内容未收录。）"

# No fact before the user picks: the clarification only names the explainer's questions.
CLARIFY_TEXT = "您是想问下面哪个问题？请选择，我再按资料回答。"
# Said plainly, so a health question the source does not cover (孕妇能打吗) is
# never left to look answered by whatever follows.
NOT_COVERED_TEXT = (
    "抱歉，我依据的市疾控中心专家答问没有涉及这个问题。为避免误导，我不作回答。"
    "请咨询接种单位、当地疾控中心，或拨打12320卫生健康热线。"
)
# Offered after NOT_COVERED_TEXT: worded as other questions, not as its answer.
SUGGESTIONS_TEXT = "猜你想问（以下是资料能回答的其他问题）："
NONE_OF_THESE_TEXT = (
    "好的。资料中没有与您的问题对应的答问，为避免误导，我不作猜测。"
    "请咨询接种单位、当地疾控中心，或拨打12320卫生健康热线。"
)
UNKNOWN_CHOICE_TEXT = "抱歉，这个选项已经失效。请直接输入您的问题。"
NO_TOPIC_TEXT = "请先提一个问题，我再给出它的完整答问。"
TARGETED_INTRO = "资料原文中与您的问题最相关的内容是："


def faq_source(faq) -> Source:
    return Source(faq.article_title, faq.newspaper, faq.date, question=faq.question)


def render_faq_answer(faq) -> str:
    body = faq.display_answer
    if faq.partial:
        body += PARTIAL_NOTE
    return f"{body}\n{source_line(faq_source(faq))}"


def render_passage_answer(passage_text: str, source: Source) -> str:
    return f"{TARGETED_INTRO}\n“{passage_text}”\n{source_line(source)}"


def render_decline(with_suggestions: bool) -> str:
    return f"{NOT_COVERED_TEXT}\n{SUGGESTIONS_TEXT}" if with_suggestions else NOT_COVERED_TEXT
