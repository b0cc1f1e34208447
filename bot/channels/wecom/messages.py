"""What the WeCom app says by itself, without asking the bot.

Parsing lives in bot/channels/wxmessages.py (shared with the WeChat Official
Account channel) and splitting in bot/channels/splitting.py.
"""

from __future__ import annotations

from typing import Optional

from bot.channels.wxmessages import IncomingMessage

# WeCom truncates text messages beyond this many UTF-8 bytes.
TEXT_LIMIT_BYTES = 2048

NON_TEXT_REPLY = "抱歉，我目前只能理解文字消息。请直接输入文字问题，例如“加强针怎么打”。"
WELCOME_REPLY = "您好，我是新冠疫苗接种问答助手，回答均来自官方解读并附来源。请直接输入文字问题，例如“加强针怎么打”。"
# Events a person causes by opening or adding the app; the rest (location
# reports, menu views, system notices) arrive without anyone waiting for a reply.
WELCOME_EVENTS = frozenset({"subscribe", "enter_agent"})


def canned_reply(message: IncomingMessage) -> Optional[str]:
    """The fixed reply for anything that is not a question, or None to stay silent.

    Returns None for text messages too: those go to the bot (an empty text gets
    the non-text hint).
    """
    if message.msg_type == "text":
        return NON_TEXT_REPLY if not message.content.strip() else None
    if message.msg_type == "event":
        return WELCOME_REPLY if message.event in WELCOME_EVENTS else None
    return NON_TEXT_REPLY
