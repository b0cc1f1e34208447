"""A typed "1" on a text channel, turned into the payload of the button the
bot just showed, before the message reaches NLU.

The buttons are read from the conversation's tracker in the Rasa server's
own tracker store (SQLite, PostgreSQL…), so this works across restarts and
across instances sharing the store. No Rasa import: the agent is duck-typed.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, Optional

from bot.channels.options import last_bot_buttons, resolve_choice

logger = logging.getLogger(__name__)

# A choice is short ("1", "第一个", "都不是", "有用"); longer text is a question
# and never costs a tracker read.
MAX_CHOICE_CHARS = 8


async def chosen_payload(agent: Any, sender_id: str, text: Optional[str]) -> Optional[str]:
    """The payload `text` picks from the bot's latest buttons, or None."""
    if not isinstance(text, str) or not text.strip() or len(text.strip()) > MAX_CHOICE_CHARS:
        return None
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None
    try:
        tracker = store.retrieve(sender_id)
        if inspect.isawaitable(tracker):
            tracker = await tracker
    except Exception:  # a broken store must not cost the user their message
        logger.exception("Could not read the conversation to resolve a numbered choice")
        return None
    if tracker is None:
        return None
    events = [event.as_dict() if hasattr(event, "as_dict") else event for event in tracker.events]
    return resolve_choice(text, last_bot_buttons(events))


async def with_choice(agent: Any, sender_id: str, text: str) -> str:
    """`text`, or the payload it picks."""
    return await chosen_payload(agent, sender_id, text) or text
