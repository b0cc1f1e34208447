"""Reading WeCom callback XML and shaping the text we send back.

XML comes from the network before (outer envelope) and after (inner message)
decryption, so it goes through defusedxml with DTDs, entities and external
references all forbidden: a DOCTYPE has no business in a callback, and refusing
it outright closes XXE and entity-expansion bombs alike.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

# WeCom truncates text messages beyond this many UTF-8 bytes.
TEXT_LIMIT_BYTES = 2048

NON_TEXT_REPLY = "抱歉，我目前只能理解文字消息。请直接输入文字问题，例如“加强针怎么打”。"
WELCOME_REPLY = ("您好，我是新冠疫苗接种问答助手，回答均来自官方解读并附来源。"
                 "请直接输入文字问题，例如“加强针怎么打”。")
# Events a person causes by opening or adding the app; the rest (location
# reports, menu views, system notices) arrive without anyone waiting for a reply.
WELCOME_EVENTS = frozenset({"subscribe", "enter_agent"})


class MalformedMessage(ValueError):
    """The body is not the XML WeCom sends (or it tries something XML should not)."""


def _parse_xml(data: bytes) -> Element:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, UnicodeError, ValueError) as exc:
        raise MalformedMessage(f"not acceptable XML ({type(exc).__name__})") from exc
    if root.tag != "xml":
        raise MalformedMessage("root element is not <xml>")
    return root


def _fields(root: Element) -> Dict[str, str]:
    # WeCom messages are flat: keep the direct children's text, which is all we read.
    return {child.tag: (child.text or "").strip() for child in root}


@dataclass(frozen=True)
class Envelope:
    """The outer, still encrypted callback body."""
    encrypt: str
    to_user: str = ""
    agent_id: str = ""


def parse_envelope(body: bytes) -> Envelope:
    fields = _fields(_parse_xml(body))
    encrypt = fields.get("Encrypt", "")
    if not encrypt:
        raise MalformedMessage("no <Encrypt> element")
    return Envelope(encrypt=encrypt, to_user=fields.get("ToUserName", ""), agent_id=fields.get("AgentID", ""))


@dataclass(frozen=True)
class IncomingMessage:
    msg_type: str
    from_user: str
    to_user: str = ""
    create_time: str = ""
    content: str = ""
    msg_id: str = ""
    agent_id: str = ""
    event: str = ""

    @property
    def dedup_key(self) -> str:
        """Retries of one delivery share this; distinct messages never do."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        # Events carry no MsgId: the sender, time and kind identify a delivery.
        return f"event:{self.from_user}:{self.create_time}:{self.event}"


def parse_message(plain: bytes) -> IncomingMessage:
    fields = _fields(_parse_xml(plain))
    msg_type = fields.get("MsgType", "").lower()
    from_user = fields.get("FromUserName", "")
    if not msg_type or not from_user:
        raise MalformedMessage("message lacks MsgType or FromUserName")
    return IncomingMessage(
        msg_type=msg_type,
        from_user=from_user,
        to_user=fields.get("ToUserName", ""),
        create_time=fields.get("CreateTime", ""),
        content=fields.get("Content", ""),
        msg_id=fields.get("MsgId", ""),
        agent_id=fields.get("AgentID", ""),
        event=fields.get("Event", "").lower() if msg_type == "event" else "",
    )


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


# Preferred break points, coarsest first: after a line, after a sentence, after
# a clause. A piece still too long at the last level is cut between characters.
_BREAKS = [
    re.compile(r"(?<=\n)"),
    re.compile(r"(?<=[。！？!?；;…])"),
    re.compile(r"(?<=[，,、：:\s])"),
]


def _pieces(text: str, level: int) -> List[str]:
    if level < len(_BREAKS):
        return [piece for piece in _BREAKS[level].split(text) if piece]
    return list(text)


def split_text(text: str, limit: int = TEXT_LIMIT_BYTES) -> List[str]:
    """Cut `text` into messages of at most `limit` UTF-8 bytes each.

    Cuts fall on line, then sentence, then clause boundaries when they can, and
    always between characters, so no message ends in half a multi-byte char.
    """
    if limit < 4:
        raise ValueError("limit must hold at least one UTF-8 character")
    chunks: List[str] = []

    def pack(segment: str, level: int) -> None:
        current, size = "", 0
        for piece in _pieces(segment, level):
            piece_size = len(piece.encode("utf-8"))
            if size + piece_size <= limit:
                current, size = current + piece, size + piece_size
                continue
            if current:
                chunks.append(current)
                current, size = "", 0
            if piece_size <= limit:
                current, size = piece, piece_size
            else:
                pack(piece, level + 1)
        if current:
            chunks.append(current)

    pack(text, 0)
    return [chunk.strip() for chunk in chunks if chunk.strip()]
