"""Which answer a 有用/没用 refers to.

Feedback is accepted only right after an answer: the bot's reply to the
previous user message must have been a rateable answer. On text channels
"1"/"2" become the feedback payloads only because they were the last
buttons; a stray /feedback later (an old button in the widget, a typed
"没用" an hour on) must not be booked against whatever came before.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, List, Mapping, Optional, Sequence

from bot.feedback.events import RATEABLE, TurnKind, answer_metadata, is_payload


class FeedbackValue(str, Enum):
    USEFUL = "useful"
    USELESS = "useless"


class RatingStatus(str, Enum):
    RECORDED = "recorded"  # right after an answer
    ALREADY_RATED = "already_rated"  # the previous reply was our thanks for a rating
    NOTHING_TO_RATE = "nothing_to_rate"  # the previous reply was not an answer
    UNCLEAR = "unclear"  # neither useful nor useless could be read


# Typed feedback (when the NLU, not a button, chose the intent): the value
# entity may be missing, so read it from the words. Negative words first:
# "没有用" contains "有用".
# Traditional spellings are listed too: the raw text reaches the action unfolded.
_USELESS_WORDS = (
    "没用",
    "没有用",
    "無用",
    "无用",
    "没帮助",
    "没有帮助",
    "不管用",
    "不对",
    "答非所问",
    "没解决",
    "沒用",
    "沒有用",
    "沒幫助",
    "沒有幫助",
    "不對",
    "答非所問",
    "沒解決",
    "useless",
)
_USEFUL_WORDS = ("有用", "有帮助", "有幫助", "管用", "解决了", "解決了", "很好", "useful")


def feedback_value(entity_value: Any, text: Optional[str]) -> Optional[FeedbackValue]:
    """The rating from the `value` entity, else from the user's words; None if unreadable."""
    if isinstance(entity_value, str):
        try:
            return FeedbackValue(entity_value.strip().lower())
        except ValueError:
            pass
    words = (text or "").lower()
    if is_payload(words):
        return None  # a payload with a bad value: do not guess from its JSON
    if any(w in words for w in _USELESS_WORDS):
        return FeedbackValue.USELESS
    if any(w in words for w in _USEFUL_WORDS):
        return FeedbackValue.USEFUL
    return None


@dataclass(frozen=True)
class Rated:
    status: RatingStatus
    answer: Optional[dict] = None  # the rated reply's custom.answer metadata
    question: Optional[str] = None  # the user message that reply answered
    question_parse: Optional[dict] = None  # its parse_data (intent and ResponseSelector rankings)


def _previous_turn(events: Sequence[Mapping[str, Any]]) -> tuple:
    """(user event, [bot events]) of the turn before the latest user event."""
    users = [i for i, e in enumerate(events) if isinstance(e, Mapping) and e.get("event") == "user"]
    if len(users) < 2:
        return None, []
    start, end = users[-2], users[-1]
    bots = [e for e in events[start + 1 : end] if e.get("event") == "bot"]
    return events[start], bots


def rated_answer(events: Sequence[Mapping[str, Any]]) -> Rated:
    """What the latest user event (the feedback) rates, from the tracker's events."""
    user, bots = _previous_turn(list(events))
    kinds: List[Optional[str]] = []
    for bot in bots:
        meta = answer_metadata(bot)
        if meta is None:
            continue
        kinds.append(meta.get("kind"))
        if meta.get("kind") in RATEABLE:
            return Rated(RatingStatus.RECORDED, meta, user.get("text"), user.get("parse_data") or {})
    if TurnKind.FEEDBACK.value in kinds:
        return Rated(RatingStatus.ALREADY_RATED)
    return Rated(RatingStatus.NOTHING_TO_RATE)
