"""The address and API token of the bot `make run` started, for `python -m bot ask`.
Owner-readable only: the token opens Rasa's HTTP API."""

from __future__ import annotations

import json
from typing import Optional

from bot.paths import PROJECT_ROOT

RUN_INFO = PROJECT_ROOT / ".cache" / "run" / "rasa.json"


def write_run_info(url: str, token: str) -> None:
    RUN_INFO.parent.mkdir(parents=True, exist_ok=True)
    RUN_INFO.touch(mode=0o600)
    RUN_INFO.write_text(json.dumps({"url": url, "token": token}))


def clear_run_info() -> None:
    RUN_INFO.unlink(missing_ok=True)


def known_token(url: str) -> Optional[str]:
    """The token of the bot running at `url`, if `make run` started it."""
    try:
        info = json.loads(RUN_INFO.read_text())
    except (OSError, ValueError):
        return None
    return info.get("token") if info.get("url", "").rstrip("/") == url.rstrip("/") else None
