"""Reading the answer metadata actions attach to bot events.

Every action that answers, clarifies or declines sends
`json_message={"answer": {...}}`; Rasa stores it in the bot event's
`data.custom`. This module is the one place that knows that path, so the
feedback action and the report agree on it. Pure functions over the event
dicts Rasa serialises (tracker.events in the action server, the `data`
column of the SQL tracker store).
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Mapping, Optional


class TurnKind(str, Enum):
    """custom.answer.kind values (CONTRACT.md, message contract)."""

    FAQ = "faq"
    PASSAGE = "passage"
    CLARIFY = "clarify"
    DECLINE = "decline"
    BOOSTER_CHECK = "booster_check"
    FEEDBACK = "feedback"


# What a citizen can rate: a reply that answered (a FAQ, a quoted passage, a
# personal booster verdict). Clarifications and declines carry no 有用/没用.
RATEABLE = frozenset({TurnKind.FAQ.value, TurnKind.PASSAGE.value, TurnKind.BOOSTER_CHECK.value})


def answer_metadata(event: Mapping[str, Any]) -> Optional[dict]:
    """The `custom.answer` dict of a bot event, or None (small talk, notices,
    other events, or a malformed row)."""
    if not isinstance(event, Mapping) or event.get("event") != "bot":
        return None
    data = event.get("data")
    custom = data.get("custom") if isinstance(data, Mapping) else None
    answer = custom.get("answer") if isinstance(custom, Mapping) else None
    return answer if isinstance(answer, dict) else None


def is_payload(text: Optional[str]) -> bool:
    """Button payloads (`/choose_faq{...}`, `/feedback{...}`) reach Rasa as the
    user's text; they are taps, not questions somebody typed."""
    return text is not None and text.lstrip().startswith("/")


def faq_of(answer_id: Optional[str]) -> Optional[str]:
    """The FAQ an answer id belongs to: passage ids read "<faq id>#<part>"."""
    if not answer_id:
        return None
    return answer_id.split("#", 1)[0]
