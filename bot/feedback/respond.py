"""What the bot says to a rating, and what it records about it.

The reply is a domain response (the wording lives in domain.yml with the
bot's other texts) plus, after 没用, 猜你想问 buttons. The metadata is
stored with the bot event and is what the report reads: the rated answer's
id and kind, the value, and whether the rating counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

from bot.answering.evidence import RetrievalView
from bot.feedback.events import TurnKind, faq_of, is_payload
from bot.feedback.rated import FeedbackValue, Rated, RatingStatus
from bot.feedback.related import related_faqs

# A status alone, or a recorded rating with its value.
RESPONSES: Dict[Union[RatingStatus, Tuple[RatingStatus, Optional[FeedbackValue]]], str] = {
    (RatingStatus.RECORDED, FeedbackValue.USEFUL): "utter_feedback_useful",
    (RatingStatus.RECORDED, FeedbackValue.USELESS): "utter_feedback_useless",
    RatingStatus.ALREADY_RATED: "utter_feedback_already_rated",
    RatingStatus.NOTHING_TO_RATE: "utter_feedback_nothing_to_rate",
    RatingStatus.UNCLEAR: "utter_feedback_unclear",
}


def choose_faq_payload(faq_id: str) -> str:
    return "/choose_faq" + json.dumps({"faq_id": faq_id}, ensure_ascii=False, separators=(",", ":"))


@dataclass
class FeedbackReply:
    response: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    metadata: Dict = field(default_factory=dict)


def respond(
    rated: Rated,
    value: Optional[FeedbackValue],
    faq_questions: Mapping[str, str],
    search: Callable[[str], Optional[RetrievalView]],
) -> FeedbackReply:
    """`faq_questions`: FAQ id -> its question (button titles). `search` runs
    retrieval for a question (None when retrieval is unavailable)."""
    status = rated.status if value is not None or rated.status is not RatingStatus.RECORDED else RatingStatus.UNCLEAR
    meta: Dict[str, Any] = {
        "answer_id": None,
        "kind": TurnKind.FEEDBACK.value,
        "status": status.value,
        "feedback": value.value if value is not None and status is RatingStatus.RECORDED else None,
        "rated": None,
        "options": [],
    }
    if status is not RatingStatus.RECORDED:
        return FeedbackReply(RESPONSES[status], metadata=meta)

    answer = rated.answer or {}
    meta["rated"] = {"answer_id": answer.get("answer_id"), "kind": answer.get("kind")}
    if value is FeedbackValue.USEFUL:
        return FeedbackReply(RESPONSES[(status, value)], metadata=meta)

    answered_faq = faq_of(answer.get("answer_id"))
    options = related_faqs(
        answered_faq, faq_questions.keys(), search(_query_of(rated, answered_faq, faq_questions)), rated.question_parse
    )
    meta["options"] = options
    buttons = [{"title": faq_questions[fid], "payload": choose_faq_payload(fid)} for fid in options]
    return FeedbackReply(RESPONSES[(status, value)], buttons=buttons, metadata=meta)


def _query_of(rated: Rated, answered_faq: Optional[str], faq_questions: Mapping[str, str]) -> str:
    """What to search the neighbours of: the text retrieval searched for the
    answer (a follow-up's combined question), else the user's words; for a
    tapped button, the FAQ's own question."""
    answer = rated.answer or {}
    if answer.get("search_query"):
        return answer["search_query"]
    if rated.question and not is_payload(rated.question):
        return rated.question
    return faq_questions.get(answered_faq or "", "")
