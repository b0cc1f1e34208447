"""Action texts in the user's script: the action-server side of bot/text/script.py.

Every action that writes text itself makes its first line

    dispatcher = in_user_script(dispatcher, tracker)

and then utters as usual. Text, button titles and the display fields of the
custom payload (full_answer, lead, sources) come out in Traditional characters
when the user writes in Traditional; payloads and ids never change. Domain
responses (`response="utter_..."`) are converted on the Rasa side
(bot/rasa_ext/script_nlg.py), because that is where they are rendered.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.text.script import (
    Script,
    conversation_script,
    localize_buttons,
    localize_custom,
    to_traditional,
    user_texts_from_events,
)


class ScriptDispatcher(CollectingDispatcher):
    """A dispatcher that converts what is uttered, then hands it to the real one."""

    def __init__(self, inner: CollectingDispatcher, script: Script) -> None:
        super().__init__()
        self.inner = inner
        self.script = script
        # One list: rasa_sdk reads the messages from the dispatcher it created.
        self.messages = inner.messages

    def utter_message(
        self,
        text: Optional[Text] = None,
        image: Optional[Text] = None,
        json_message: Optional[Dict[Text, Any]] = None,
        template: Optional[Text] = None,
        response: Optional[Text] = None,
        attachment: Optional[Text] = None,
        buttons: Optional[List[Dict[Text, Any]]] = None,
        elements: Optional[List[Dict[Text, Any]]] = None,
        **kwargs: Any,
    ) -> None:
        if self.script is Script.TRADITIONAL:
            text = to_traditional(text) if isinstance(text, str) else text
            buttons = localize_buttons(buttons, self.script)
            json_message = localize_custom(json_message, self.script)
        self.inner.utter_message(
            text=text,
            image=image,
            json_message=json_message,
            template=template,
            response=response,
            attachment=attachment,
            buttons=buttons,
            elements=elements,
            **kwargs,
        )


def in_user_script(dispatcher: CollectingDispatcher, tracker: Tracker) -> CollectingDispatcher:
    if isinstance(dispatcher, ScriptDispatcher):
        return dispatcher  # hooked twice (an action calling another's run)
    script = conversation_script(user_texts_from_events(tracker.events))
    if script is not Script.TRADITIONAL:
        return dispatcher
    return ScriptDispatcher(dispatcher, script)
