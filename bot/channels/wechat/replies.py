"""What the Official Account says without asking the bot, and the XML of a
passive reply.

A passive reply is the body of the HTTP answer to WeChat's callback: a text
message XML, encrypted and signed like the callback itself (safe mode). The
literal body "success" tells WeChat there is nothing to show and not to retry.
"""

from __future__ import annotations

import os
import time
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bot.channels.options import numbered_text
from bot.channels.wxcrypto import WxCrypto
from bot.channels.wxmessages import IncomingMessage

NO_REPLY = "success"
# WeChat shows at most 2047 bytes of UTF-8 in a text message (passive or
# customer-service); stay a little under it.
TEXT_LIMIT_BYTES = 2000

WELCOME_TEXT = (
    "您好，感谢关注！我是新冠疫苗接种问答助手，回答均来自市疾控中心专家的答问文章，"
    "每条都注明来源；本助手提供公开信息，不构成医疗建议。请直接输入文字问题。\n猜你想问："
)
NON_TEXT_REPLY = (
    "抱歉，我目前只能理解文字消息，暂时看不懂语音、图片、位置、视频和链接。请直接输入文字问题，例如“加强针怎么打”。"
)
TROUBLE_REPLY = "抱歉，系统暂时无法回答，请稍后再试。如有急需，请拨打12320卫生健康热线。"


def suggestion_buttons(questions: Sequence[Mapping[str, str]], choose_faq: bool) -> List[Dict[str, str]]:
    """猜你想问 buttons for FAQs given as {"id", "question"}.

    With the `choose_faq` intent in the model the payload answers that FAQ
    without NLU; a model trained before that intent existed gets the question
    itself, which NLU answers just as well.
    """
    buttons = []
    for faq in questions:
        title = faq["question"].rstrip("？?")
        payload = f'/choose_faq{{"faq_id":"{faq["id"]}"}}' if choose_faq else faq["question"]
        buttons.append({"title": title, "payload": payload})
    return buttons


def welcome_text(buttons: Sequence[Mapping[str, Any]]) -> str:
    return numbered_text(WELCOME_TEXT, buttons) if buttons else WELCOME_TEXT.rsplit("\n", 1)[0]


def canned_reply(message: IncomingMessage) -> Optional[str]:
    """The fixed reply to a message that is not a text question, or None.

    None for text (the bot answers), for subscribe (the welcome needs the
    conversation, see the channel) and for events nobody waits on (unsubscribe,
    menu clicks, location reports), which get "success".
    """
    if message.msg_type in ("text", "event"):
        return None
    return NON_TEXT_REPLY


def _cdata(value: str) -> str:
    # "]]>" would end the section early: split it across two sections.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply_xml(to_user: str, from_user: str, content: str, now: Optional[int] = None) -> bytes:
    created = int(time.time()) if now is None else now
    return (
        "<xml>"
        f"<ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(content)}</Content>"
        "</xml>"
    ).encode("utf-8")


def encrypted_reply(crypto: WxCrypto, plain: bytes, now: Optional[int] = None, nonce: Optional[str] = None) -> bytes:
    """The safe-mode envelope WeChat expects around a passive reply."""
    timestamp = str(int(time.time()) if now is None else now)
    nonce = nonce or str(int.from_bytes(os.urandom(4), "big"))
    encrypt = crypto.encrypt(plain)
    signature = crypto.sign(timestamp, nonce, encrypt)
    return (
        "<xml>"
        f"<Encrypt>{_cdata(encrypt)}</Encrypt>"
        f"<MsgSignature>{_cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp>"
        f"<Nonce>{_cdata(nonce)}</Nonce>"
        "</xml>"
    ).encode("utf-8")
