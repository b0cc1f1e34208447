"""Plays WeChat's side of an Official Account's safe-mode callbacks, for tests.

Written from the protocol description, not from bot.channels: the AES layout
is WeComSide's (tests/support/wecom_client.py, the same 安全模式 scheme with the
AppID as receive id), and the rest is:

  every request: signature = sha1(''.join(sorted([token, timestamp, nonce])))
  URL check:     GET ?signature&timestamp&nonce&echostr  -> body == echostr
  message:       POST ?signature&timestamp&nonce&openid&encrypt_type=aes&msg_signature
                 body <xml><ToUserName>gh_…</ToUserName><Encrypt>…</Encrypt></xml>,
                 msg_signature = sha1(sorted([token, timestamp, nonce, encrypt]))
  reply:         "success" / empty, or <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>
                 whose Encrypt holds a text message XML
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Dict, Optional
from xml.etree.ElementTree import fromstring
from xml.sax.saxutils import escape

import requests

from tests.support.wecom_client import WeComSide, sha1_signature


def plain_signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def wechat_message_xml(
    account: str,
    openid: str,
    msg_type: str,
    content: Optional[str] = None,
    msg_id: Optional[str] = None,
    event: Optional[str] = None,
    create_time: Optional[int] = None,
) -> bytes:
    parts = [
        f"<ToUserName><![CDATA[{account}]]></ToUserName>",
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
        f"<CreateTime>{int(time.time()) if create_time is None else create_time}</CreateTime>",
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>",
    ]
    if content is not None:
        parts.append(f"<Content>{escape(content)}</Content>")
    if event is not None:
        parts.append(f"<Event><![CDATA[{event}]]></Event>")
    extra = {
        "image": "<PicUrl><![CDATA[http://127.0.0.1/none.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>",
        "voice": "<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format>",
        "location": (
            "<Location_X>39.9</Location_X><Location_Y>116.3</Location_Y><Scale>15</Scale>"
            "<Label><![CDATA[某地]]></Label>"
        ),
        "video": "<MediaId><![CDATA[m3]]></MediaId><ThumbMediaId><![CDATA[t3]]></ThumbMediaId>",
        "link": (
            "<Title><![CDATA[t]]></Title><Description><![CDATA[d]]></Description>"
            "<Url><![CDATA[http://127.0.0.1/]]></Url>"
        ),
    }
    parts.append(extra.get(msg_type, ""))
    if msg_id is not None:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return ("<xml>" + "".join(parts) + "</xml>").encode()


@dataclass
class Reply:
    status: int
    raw: bytes
    elapsed: float
    fields: Optional[Dict[str, str]] = None  # the decrypted text message, for a passive reply

    @property
    def content(self) -> Optional[str]:
        return None if self.fields is None else self.fields.get("Content")

    @property
    def is_silent(self) -> bool:
        """WeChat shows nothing for "success" or an empty body."""
        return self.status == 200 and self.raw.strip() in (b"", b"success")


class WeChatClient(WeComSide):
    def __init__(
        self, webhook_url: str, token: str, encoding_aes_key: str, app_id: str, account: str = "gh_0123456789ab"
    ) -> None:
        super().__init__(token, encoding_aes_key, app_id)
        self.url = webhook_url
        self.account = account
        self.http = requests.Session()

    def query(
        self, encrypt: Optional[str], openid: str = "", timestamp: Optional[int] = None, nonce: Optional[str] = None
    ) -> Dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or str(secrets.randbelow(10**10))
        params = {"signature": plain_signature(self.token, ts, nonce), "timestamp": ts, "nonce": nonce}
        if encrypt is not None:
            params.update(
                openid=openid, encrypt_type="aes", msg_signature=sha1_signature(self.token, ts, nonce, encrypt)
            )
        return params

    def verify_url(
        self, echostr: str, signature: Optional[str] = None, timestamp: Optional[int] = None
    ) -> requests.Response:
        params = self.query(None, timestamp=timestamp)
        if signature is not None:
            params["signature"] = signature
        params["echostr"] = echostr
        return self.http.get(self.url, params=params, timeout=10)

    def envelope_for(self, encrypt: str) -> bytes:
        return (
            f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        ).encode()

    def post_raw(self, body: bytes, params: Dict[str, str], timeout: float = 10) -> requests.Response:
        return self.http.post(self.url, params=params, data=body, headers={"Content-Type": "text/xml"}, timeout=timeout)

    def post_plain(
        self,
        plain_xml: bytes,
        openid: str = "",
        timestamp: Optional[int] = None,
        tamper: Optional[Dict[str, str]] = None,
    ) -> Reply:
        encrypt = self.seal(plain_xml)
        params = self.query(encrypt, openid, timestamp)
        params.update(tamper or {})
        return self.read(self.post_raw(self.envelope_for(encrypt), params))

    def send(self, openid: str, msg_type: str, msg_id: Optional[str] = None, **kw) -> Reply:
        return self.post_plain(wechat_message_xml(self.account, openid, msg_type, msg_id=msg_id, **kw), openid)

    def text(self, openid: str, content: str, msg_id: str) -> Reply:
        return self.send(openid, "text", msg_id=msg_id, content=content)

    def read(self, resp: requests.Response) -> Reply:
        return self.open_reply(resp.status_code, resp.content, resp.elapsed.total_seconds())

    def open_reply(self, status: int, body: bytes, elapsed: float = 0.0) -> Reply:
        """Check and open a passive reply as WeChat would (its signature first)."""
        reply = Reply(status, body, elapsed)
        if status != 200 or reply.is_silent:
            return reply
        outer = {child.tag: child.text or "" for child in fromstring(body)}
        expected = sha1_signature(self.token, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
        assert outer["MsgSignature"] == expected, "the passive reply's MsgSignature does not verify"
        inner = fromstring(self.unseal(outer["Encrypt"]))
        reply.fields = {child.tag: child.text or "" for child in inner}
        return reply
