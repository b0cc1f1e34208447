"""Withdraws the personal booster check from a message about no one.

The classifier's `booster_check` for 它加强针咋打 or 我们这有康希诺吗 would open
the form and ask for the user's doses; the rule (bot/dialogue/persons.py,
data/dictionary/persons.yml) sends such a message to the answering action as
`nlu_fallback` instead, which reads it with retrieval and the conversation.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.dialogue.persons import BOOSTER_CHECK, load_person_words, opens_booster_check

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class BoosterCheckGate(GraphComponent):
    """Must run after the entity extractors (an age or a last dose makes a
    message personal). The intent ranking is kept, so the answering action's
    combiner sees the classifier's scores as before."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._confidence = float(config["fallback_confidence"])
        load_person_words()  # a broken word list fails at model load, not on a user's message

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"fallback_confidence": 0.55}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "BoosterCheckGate":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") != BOOSTER_CHECK:
                continue
            if opens_booster_check(BOOSTER_CHECK, message.get(TEXT) or "", message.get(ENTITIES) or []):
                continue
            logger.debug("booster_check for a message about no one; predicting nlu_fallback.")
            fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": self._confidence}
            message.set(INTENT, fallback, add_to_output=True)
            message.data.setdefault(INTENT_RANKING_KEY, [])
            message.data[INTENT_RANKING_KEY].insert(0, dict(fallback))
        return messages
