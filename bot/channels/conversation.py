"""What a text channel needs from the conversation's tracker, inside the Rasa
server: the buttons the bot showed last (so a typed "1" can be mapped to its
payload before NLU) and recording a message the channel itself sent (a welcome
with numbered options, so that "1" means something afterwards).

Rasa-side only: it takes the server's Agent (`request.app.ctx.agent`).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Optional, Sequence

from rasa.core.agent import Agent
from rasa.shared.core.events import BotUttered

from bot.channels.options import last_bot_buttons

logger = logging.getLogger(__name__)


async def latest_buttons(agent: Optional[Agent], sender_id: str) -> List[Dict[str, Any]]:
    """The buttons of the bot's latest turn for `sender_id`; [] when unknown."""
    if agent is None or agent.tracker_store is None:
        return []
    try:
        tracker = await agent.tracker_store.retrieve(sender_id)
    except Exception as exc:  # a store outage must not cost the user the answer to plain text
        logger.error("could not read the conversation to map a numbered reply (%s)", type(exc).__name__)
        return []
    if tracker is None:
        return []
    return last_bot_buttons(event.as_dict() for event in tracker.events)


async def record_bot_message(agent: Optional[Agent], sender_id: str, text: str,
                             buttons: Sequence[Mapping[str, Any]] = ()) -> bool:
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
