"""Reading the callback XML that WeCom and WeChat Official Accounts send.

XML comes from the network before (outer envelope) and after (inner message)
decryption, so it goes through defusedxml with DTDs, entities and external
references all forbidden: a DOCTYPE has no business in a callback, and refusing
it outright closes XXE and entity-expansion bombs alike. Both platforms use
the same flat layout (ToUserName, FromUserName, CreateTime, MsgType, Content,
MsgId, Event), so one parser serves both channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class MalformedMessage(ValueError):
    """The body is not the XML the platform sends (or it tries something XML should not)."""


def _parse_xml(data: bytes) -> Element:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, UnicodeError, ValueError) as exc:
        raise MalformedMessage(f"not acceptable XML ({type(exc).__name__})") from exc
    if root.tag != "xml":
        raise MalformedMessage("root element is not <xml>")
    return root


def _fields(root: Element) -> Dict[str, str]:
    # Callback messages are flat: keep the direct children's text, which is all we read.
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
