"""Intent readings the project's rules overrule.

Withdrawn, so the answering action reads the message (as `nlu_fallback`, with
retrieval and the conversation's topic):
- the personal booster check for a message about no one (它加强针咋打, 我们这
  有康希诺吗): bot/dialogue/persons.py, data/dictionary/persons.yml;
- small talk for a vaccination question (怎么打 read as capabilities, 管用多久啊
  as feedback): bot/dialogue/small_talk.py, data/dictionary/small_talk.yml.

Raised to the booster check: a fact statement (`inform`) that switches to
another person with their facts (那我爸呢 66了 打的两针科兴 去年四月打完的),
and a case stated with its facts but read as an FAQ question (68岁 两针国药
一年多前打完的 能加强不 as "who may get a booster").

The rules have no Rasa import, so they are unit-tested in the main environment.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.dialogue.persons import (
    BOOSTER_CHECK,
    INFORM,
    load_person_words,
    opens_booster_check,
    raises_booster_check,
    switches_person,
)
from bot.dialogue.small_talk import keeps_small_talk, load_small_talk_rules
from bot.rasa_ext.fallback import predict_fallback

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class IntentGate(GraphComponent):
    """Must run after the entity extractors (an age or a last dose makes a
    message personal). The intent ranking is kept, so the answering action's
    combiner sees the classifier's scores as before."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._confidence = float(config["fallback_confidence"])
        # Broken word lists fail at model load, not on a user's message.
        load_person_words()
        load_small_talk_rules()

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
    ) -> "IntentGate":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            name = intent.get("name")
            text = message.get(TEXT) or ""
            raised = name == INFORM and switches_person(text, message.get(ENTITIES) or [])
            if raised or raises_booster_check(name, text):
                logger.debug("%s states a person's case; predicting booster_check.", name)
                message.set(
                    INTENT, {"name": BOOSTER_CHECK, "confidence": intent.get("confidence", 1.0)}, add_to_output=True
                )
                continue
            if name == BOOSTER_CHECK:
                withdrawn = not opens_booster_check(name, text, message.get(ENTITIES) or [])
            else:
                withdrawn = not keeps_small_talk(name, text)
            if not withdrawn:
                continue
            logger.debug("Intent %s withdrawn by the project's rules; predicting nlu_fallback.", name)
            predict_fallback(message, self._confidence)
        return messages
