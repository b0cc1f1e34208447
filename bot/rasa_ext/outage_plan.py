"""The fixed plan the outage policy follows (no Rasa import, so it is unit-tested
in the main environment)."""

from __future__ import annotations

from typing import Optional, Sequence

BOT_UTTERED = "<bot_uttered>"
# The answering action always sets this slot; test stories replay it too, while
# `rasa test` never runs custom actions, so it is the marker that works in both.
ANSWERED = "<answered>"
ANSWER_SLOT = "answer_id"
NOTICE = "utter_search_unavailable"


def _fallback_answer(intent: Optional[str]) -> str:
    if intent == "faq":
        # ActionRetrieveResponse answers with the ResponseSelector's choice.
        return "utter_faq"
    if intent == "out_of_scope":
        return "utter_out_of_scope"
    return "utter_default"


def next_outage_action(turn: Sequence[str], intent: Optional[str], answering_action: str) -> Optional[str]:
    """Given this turn's actions and utterances (oldest first), say what to run
    next, or None when the answering action worked (or never ran).

    A turn where `answering_action` ran but neither uttered nor set its slot
    is an outage: answer from the domain, then add the notice, then listen.
    """
    if answering_action not in turn:
        return None
    after = list(turn[turn.index(answering_action) + 1 :])
    if after and after[0] in (BOT_UTTERED, ANSWERED):
        return None  # the action answered itself
    fallback = _fallback_answer(intent)
    fallback_done = fallback in after
    if not fallback_done:
        return fallback
    if NOTICE not in after:
        return NOTICE
    return "action_listen"
