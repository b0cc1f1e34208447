"""WeCom (企业微信) channel: callback crypto, message parsing, the messaging API
client, duplicate suppression, and the Rasa input channel that ties them up.

credentials.yml names the channel as `bot.channels.wecom.WeComInput`. The
Rasa-facing class is imported lazily so that the pure modules (crypto,
messages, dedup) stay importable from the test environment, which has no Rasa.
"""

from typing import Any

__all__ = ["WeComInput"]


def __getattr__(name: str) -> Any:
    if name == "WeComInput":
        from bot.channels.wecom.channel import WeComInput

        return WeComInput
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
