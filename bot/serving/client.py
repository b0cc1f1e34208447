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

    def send(self, sender: str, text: str) -> Turn:
        resp = self._http.post(
            f"{self.base_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=self.timeout,
        )
        resp.raise_for_status()
        texts, custom = [], []
        for message in resp.json():
            if message.get("text"):
                texts.append(message["text"])
            if message.get("custom") is not None:
                custom.append(message["custom"])
        turn = Turn(question=text, reply="\n".join(texts), custom=custom)
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
