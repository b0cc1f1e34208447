"""How the project's pipeline components overrule an intent: `nlu_fallback`
in first place, with the classifier's ranking kept below it, so the answering
action's combiner still sees what the classifier thought."""

from __future__ import annotations

from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def predict_fallback(message: Message, confidence: float) -> None:
    fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": confidence}
    message.set(INTENT, fallback, add_to_output=True)
    message.data.setdefault(INTENT_RANKING_KEY, [])
    message.data[INTENT_RANKING_KEY].insert(0, dict(fallback))
