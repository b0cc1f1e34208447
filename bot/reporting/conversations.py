"""From stored events to conversations and turns, each turn classified by the
`custom.answer` metadata of the bot's reply (bot/feedback/events.py).

A conversation is one Rasa session of one sender (a new session starts after
the idle time in domain.yml). A turn is one user message and everything the
bot did until the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Dict, Iterable, List, Optional

from bot.feedback.events import RATEABLE, TurnKind, answer_metadata, is_payload
from bot.reporting.store import StoredEvent


class Outcome(str, Enum):
    """How the bot handled a question (the report's three rates)."""

    ANSWERED = "answered"
    CLARIFIED = "clarified"
    DECLINED = "declined"


# Looked up with an answer's kind, which is None for a turn without one.
_OUTCOMES: Dict[Optional[str], Outcome] = {
    **{k: Outcome.ANSWERED for k in RATEABLE},
    TurnKind.CLARIFY.value: Outcome.CLARIFIED,
    TurnKind.DECLINE.value: Outcome.DECLINED,
}
# A tap on one of a clarification's options resolves that clarification; it is
# not a new question.
_CLARIFY_TAPS = ("/choose_faq", "/none_of_these")


@dataclass
class Turn:
    text: str
    timestamp: float
    intent: Optional[str]
    answers: List[dict] = field(default_factory=list)  # custom.answer of each bot event
    actions: List[str] = field(default_factory=list)

    @property
    def answer(self) -> Optional[dict]:
        """The metadata that classifies the turn: the first answer-like one."""
        for meta in self.answers:
            if meta.get("kind") in _OUTCOMES or meta.get("kind") == TurnKind.FEEDBACK.value:
                return meta
        return None

    @property
    def kind(self) -> Optional[str]:
        meta = self.answer
        return meta.get("kind") if meta else None

    @property
    def outcome(self) -> Optional[Outcome]:
        return _OUTCOMES.get(self.kind)

    @property
    def typed(self) -> bool:
        return not is_payload(self.text)


@dataclass
class Conversation:
    sender_id: str
    turns: List[Turn] = field(default_factory=list)

    @property
    def started(self) -> float:
        return self.turns[0].timestamp


@dataclass(frozen=True)
class Question:
    """A question the bot answered, clarified or declined."""

    conversation: Conversation
    turn: Turn
    # For a clarification: what the next tap did (answered / declined), if any.
    resolved_by_tap: Optional[Outcome] = None
    tapped_answer_id: Optional[str] = None  # the answer the tap led to


@dataclass(frozen=True)
class Rating:
    conversation: Conversation
    value: str  # useful | useless
    rated_answer_id: Optional[str]
    rated_kind: Optional[str]
    question: Optional[Turn]  # the turn whose answer was rated
    timestamp: float


def conversations(events: Iterable[StoredEvent]) -> List[Conversation]:
    """Events must come grouped by sender in Rasa's order (store.read_events)."""
    found: List[Conversation] = []
    current: Optional[Conversation] = None
    turn: Optional[Turn] = None
    for event in events:
        if current is None or event.sender_id != current.sender_id or event.type_name == "session_started":
            current = Conversation(event.sender_id)
            found.append(current)
            turn = None
        if event.type_name == "user":
            intent = event.intent_name or ((event.data.get("parse_data") or {}).get("intent") or {}).get("name")
            turn = Turn(str(event.data.get("text") or ""), event.timestamp, intent)
            current.turns.append(turn)
        elif turn is not None and event.type_name == "bot":
            meta = answer_metadata(event.data)
            if meta is not None:
                turn.answers.append(meta)
        elif turn is not None and event.type_name == "action" and event.action_name:
            turn.actions.append(event.action_name)
    return [c for c in found if c.turns]


def _is_clarify_tap(turn: Turn) -> bool:
    return turn.text.lstrip().startswith(_CLARIFY_TAPS)


def questions(convs: Iterable[Conversation]) -> List[Question]:
    out: List[Question] = []
    for conv in convs:
        turns = conv.turns
        for i, turn in enumerate(turns):
            if turn.outcome is None:
                continue
            previous = turns[i - 1] if i else None
            if previous is not None and previous.outcome is Outcome.CLARIFIED and _is_clarify_tap(turn):
                continue  # counted with the clarification it resolves
            resolved, tapped = None, None
            if turn.outcome is Outcome.CLARIFIED and i + 1 < len(turns) and _is_clarify_tap(turns[i + 1]):
                resolved = turns[i + 1].outcome
                tapped = (turns[i + 1].answer or {}).get("answer_id") if resolved is Outcome.ANSWERED else None
            out.append(Question(conv, turn, resolved, tapped))
    return out


def _asked_before(turns: List[Turn], i: int) -> Optional[Turn]:
    """The question behind the answer rated at turn i: the answered turn, or,
    when that was a tap (a clarification's option), the typed question before it."""
    for turn in reversed(turns[:i]):
        if turn.typed:
            return turn
    return turns[i - 1] if i else None


def ratings(convs: Iterable[Conversation]) -> List[Rating]:
    """Recorded 有用/没用 ratings (action_feedback's metadata), with the rated turn."""
    out: List[Rating] = []
    for conv in convs:
        for i, turn in enumerate(conv.turns):
            meta = turn.answer
            if not meta or meta.get("kind") != TurnKind.FEEDBACK.value or meta.get("status") != "recorded":
                continue
            rated = meta.get("rated") or {}
            out.append(
                Rating(
                    conv,
                    str(meta.get("feedback")),
                    rated.get("answer_id"),
                    rated.get("kind"),
                    _asked_before(conv.turns, i),
                    turn.timestamp,
                )
            )
    return out
