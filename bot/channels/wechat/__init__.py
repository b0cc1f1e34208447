"""WeChat Official Account (微信公众号) channel in safe mode (安全模式): URL
verification, signed and encrypted callbacks, passive replies within WeChat's
five seconds, and the customer-service message API for slower turns.

credentials.yml names the channel as `bot.channels.wechat.WeChatInput`. The
Rasa-facing class is imported lazily so that the pure modules (settings, api,
replies) stay importable from the test environment, which has no Rasa.
"""

from typing import Any

__all__ = ["WeChatInput"]


def __getattr__(name: str) -> Any:
    if name == "WeChatInput":
        from bot.channels.wechat.channel import WeChatInput

        return WeChatInput
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
