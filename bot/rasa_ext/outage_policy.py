"""Keeps answering from the intent layer when the action server is down.

When a custom action cannot reach the action server, Rasa logs the error,
records the action as executed and carries on, so the user would hear nothing.
This policy notices that the answering action ran in the current turn without
uttering anything and, for that turn only, falls back to the domain responses:
the ResponseSelector's FAQ answer (or the decline), then a note that detailed
search is unavailable.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction, confidence_scores_for
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.outage_plan import ANSWER_SLOT, ANSWERED, BOT_UTTERED, next_outage_action


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class ActionServerOutagePolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 7, "action_name": "action_answer"}

    def train(
        self,
        training_trackers: List[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        # Nothing to learn: the behaviour is fixed.
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        turn: List[str] = []
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                break
            if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
                turn.append(event.action_name)
            elif isinstance(event, BotUttered):
                turn.append(BOT_UTTERED)
            elif isinstance(event, SlotSet) and event.key == ANSWER_SLOT:
                turn.append(ANSWERED)
        turn.reverse()
        intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
        action = next_outage_action(turn, intent, self.config["action_name"])
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(self._default_predictions(domain))
        return self._prediction(confidence_scores_for(action, 1.0, domain))
