"""Domain responses in the user's script (Rasa side of bot/text/script.py).

Every `utter_*` response — chit-chat, the decline, the outage fallback's
`utter_faq/<id>`, form questions — is rendered by the Rasa server's NLG, for
every channel alike. This generator renders them as Rasa's templated one does
and then, when the conversation is in Traditional characters, converts the
text and button titles (never payloads). Texts that actions write themselves
go through actions/reply_script.py instead.

Loaded by the Rasa server from endpoints.yml:

    nlg:
      type: bot.rasa_ext.script_nlg.ScriptAwareNaturalLanguageGenerator
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.text.script import conversation_script, localize_message, user_texts_from_events


class ScriptAwareNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    # A subclass of the templated generator, so the agent keeps handing it the
    # domain's responses whenever a new model is loaded.

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        super().__init__(domain.responses if domain else {})

    async def generate(
        self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        message = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if not message:
            return message
        script = conversation_script(user_texts_from_events(tracker.events))
        return localize_message(message, script)
