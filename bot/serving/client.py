"""A client of the running bot: the REST channel for the reply users see, and
(with the run's token) the tracker for what the intent layer concluded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

import requests


@dataclass
class Turn:
    question: str
    reply: str
    custom: List[dict] = field(default_factory=list)
    intent: Optional[str] = None
    confidence: Optional[float] = None
    buttons: List[dict] = field(default_factory=list)  # every {"title", "payload"} the bot offered
    messages: List[dict] = field(default_factory=list)  # the REST channel's raw messages

    @property
    def answer(self) -> dict:
        """The answer metadata the action attached, if any."""
        for payload in self.custom:
            if isinstance(payload, dict) and isinstance(payload.get("answer"), dict):
                return payload["answer"]
        return {}


class BotClient:
    def __init__(self, base_url: str, auth_token: Optional[str] = None, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.auth_token = auth_token
        self.timeout = timeout
        self._http = requests.Session()

    def reachable(self) -> bool:
        try:
            return self._http.get(f"{self.base_url}/webhooks/rest/", timeout=2).ok
        except requests.RequestException:
            return False

    def exchange(self, sender: str, text: str) -> List[dict]:
        """The REST channel's messages for one user message (raises on a 4xx/5xx)."""
        resp = self._http.post(
            f"{self.base_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=self.timeout,
        )
        resp.raise_for_status()
        return resp.json()

    def send(self, sender: str, text: str) -> Turn:
        messages = self.exchange(sender, text)
        texts: List[str] = []
        custom: List[dict] = []
        buttons: List[dict] = []
        for message in messages:
            if message.get("text"):
                texts.append(message["text"])
            if message.get("custom") is not None:
                custom.append(message["custom"])
            buttons += message.get("buttons") or []
        turn = Turn(question=text, reply="\n".join(texts), custom=custom, buttons=buttons, messages=messages)
        if self.auth_token:
            self._add_intent(turn, sender)
        return turn

    def _add_intent(self, turn: Turn, sender: str) -> None:
        resp = self._http.get(
            f"{self.base_url}/conversations/{sender}/tracker",
            params={"token": self.auth_token, "include_events": "NONE"},
            timeout=self.timeout,
        )
        if resp.ok:
            intent = (resp.json().get("latest_message") or {}).get("intent") or {}
            turn.intent = intent.get("name")
            turn.confidence = intent.get("confidence")
