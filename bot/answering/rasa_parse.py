"""The intent layer's parse of a question the user did not type: a follow-up
rewritten with its topic (加强针怎么打？ 那智飞的呢). The action server asks the
Rasa server it serves (its HTTP API, /model/parse, with the run's token), so
the combiner weighs the same evidence for a follow-up as for any question.

Measured on eval/dialogues.yml: the parse of the rewritten question, not of
the fragment, is what makes follow-ups answerable (docs/evaluation.md).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Optional

logger = logging.getLogger(__name__)

# Set by the stack runner (bot/serving/stack.py) for the action server.
URL_ENV = "BOT_RASA_URL"
TOKEN_ENV = "BOT_RASA_TOKEN"


@dataclass
class RasaParser:
    url: str
    token: Optional[str] = None
    timeout: float = 2.0

    @classmethod
    def from_env(cls) -> Optional["RasaParser"]:
        url = os.environ.get(URL_ENV)
        return cls(url.rstrip("/"), os.environ.get(TOKEN_ENV) or None) if url else None

    def __call__(self, text: str) -> Optional[dict]:
        """The parse, or None when the Rasa server cannot give it (the caller
        then keeps the parse of what the user typed)."""
        import requests

        try:
            resp = requests.post(
                f"{self.url}/model/parse",
                json={"text": text},
                params={"token": self.token} if self.token else None,
                timeout=self.timeout,
            )
            resp.raise_for_status()
            parse = resp.json()
        except (requests.RequestException, ValueError) as exc:
            logger.warning("Could not parse a follow-up's rewritten question with Rasa: %s", exc)
            return None
        return parse if isinstance(parse, dict) else None
