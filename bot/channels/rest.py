"""The REST channel with input limits, at the standard /webhooks/rest/webhook.

Rasa's own RestInput answers malformed JSON with a server error and accepts
any size and type of `message`. This subclass checks the request first and
answers bad input with a 4xx and a clear message, before it reaches the bot.
It also maps a typed option number to the button it names (bot/channels/choices.py),
so `make shell` and other text-only REST clients can answer a clarification.
Loaded by the Rasa server (credentials.yml).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.choices import with_choice
from bot.channels.rest_checks import check_rest_payload


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def guard(request: Request) -> Optional[Any]:
            if request.method != "POST":
                return None
            payload, rejection = check_rest_payload(request.content_type, request.body)
            if rejection is not None:
                return response.json(rejection.as_dict(), status=rejection.status)
            # A bare "1" (or a button title) typed after buttons means that
            # button: send its payload, which Rasa parses without NLU.
            agent = getattr(request.app.ctx, "agent", None)
            assert payload is not None  # check_rest_payload returns one of the two
            payload["message"] = await with_choice(agent, payload["sender"], payload["message"])
            # Later handlers read request.json: hand them the cleaned message.
            request.parsed_json = payload  # type: ignore[assignment]  # sanic declares it None until parsed
            return None

        return webhook
