"""Writing into the conversation from a channel, inside the Rasa server: a
message the channel itself sent (a welcome with numbered options) becomes the
bot's turn, so that a typed "1" afterwards maps to its first option
(bot/channels/choices.py reads the options back).

Rasa-side only: it takes the server's Agent (`request.app.ctx.agent`).
"""

from __future__ import annotations

import logging
from typing import Any, Mapping, Optional, Sequence

from rasa.core.agent import Agent
from rasa.shared.core.events import BotUttered

logger = logging.getLogger(__name__)


async def record_bot_message(
    agent: Optional[Agent], sender_id: str, text: str, buttons: Sequence[Mapping[str, Any]] = ()
) -> bool:
    """Append what the channel said as the bot's turn; False when it could not."""
    if agent is None or agent.processor is None:
        return False
    try:
        async with agent.lock_store.lock(sender_id):
            tracker = await agent.processor.fetch_tracker_with_initial_session(sender_id)
            # Made after the session start on purpose: the SQL store reads a
            # conversation's current session by timestamp, so an event stamped
            # before its session_started would be invisible on the next turn.
            tracker.update(BotUttered(text, data={"buttons": [dict(b) for b in buttons]}), agent.domain)
            await agent.tracker_store.save(tracker)
    except Exception as exc:
        logger.error("could not record the channel's message in the conversation (%s)", type(exc).__name__)
        return False
    return True


def knows_intent(agent: Optional[Agent], intent: str) -> bool:
    return agent is not None and agent.domain is not None and intent in agent.domain.intents
