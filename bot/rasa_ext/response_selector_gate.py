"""Turns a confident retrieval intent with an unsure sub-answer into nlu_fallback."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_ext.fallback import predict_fallback
from bot.rasa_ext.selection_confidence import selection_is_unsure

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ResponseSelectorGate(GraphComponent):
    """Must run after ResponseSelector and FallbackClassifier.

    The intent ranking is kept, so later stages still see that `faq` was the
    first guess.
    """

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._intent = config["retrieval_intent"]
        self._threshold = float(config["threshold"])
        self._ambiguity = float(config["ambiguity_threshold"])

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"retrieval_intent": "faq", "threshold": 0.5, "ambiguity_threshold": 0.15}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ResponseSelectorGate":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") != self._intent:
                continue
            selector = (message.get("response_selector") or {}).get(self._intent) or {}
            ranking = [r.get("confidence", 0.0) for r in selector.get("ranking", [])]
            if not selection_is_unsure(ranking, self._threshold, self._ambiguity):
                continue
            logger.debug("Sub-answer ranking %s is unsure; predicting nlu_fallback.", ranking[:2])
            predict_fallback(message, self._threshold)
        return messages
