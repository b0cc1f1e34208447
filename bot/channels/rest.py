"""The REST channel with input limits, at the standard /webhooks/rest/webhook.

Rasa's own RestInput answers malformed JSON with a server error and accepts
any size and type of `message`. This subclass checks the request first and
answers bad input with a 4xx and a clear message, before it reaches the bot.
Loaded by the Rasa server (credentials.yml).
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.rest_checks import check_rest_payload


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def guard(request: Request) -> Optional[Any]:
            if request.method != "POST":
                return None
            payload, rejection = check_rest_payload(request.content_type, request.body)
            if rejection is not None:
                return response.json(rejection.as_dict(), status=rejection.status)
            # Later handlers read request.json: hand them the cleaned message.
            request.parsed_json = payload
            return None

        return webhook
