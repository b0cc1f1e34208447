"""Plays WeCom's side of the callback protocol against our server, for tests.

Written from the protocol description, not from bot.channels.wecom, so the
channel's crypto is checked against a second implementation rather than
against itself:

  msg_signature = sha1(''.join(sorted([token, timestamp, nonce, encrypt])))
  key = base64decode(EncodingAESKey + '='), iv = key[:16], AES-256-CBC
  plaintext = random(16) + len(msg).to_bytes(4, 'big') + msg + corp_id,
              PKCS#7-padded to a multiple of 32 bytes
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import time
from typing import Dict, Optional
from xml.sax.saxutils import escape

import requests
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def make_encoding_aes_key() -> str:
    """A fresh 43-character EncodingAESKey, as the admin console generates."""
    return base64.b64encode(os.urandom(32)).decode("ascii").rstrip("=")


def sha1_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


class WeComSide:
    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        self.token = token
        self.corp_id = corp_id
        self.key = base64.b64decode(encoding_aes_key + "=")
        assert len(self.key) == 32

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def seal(self, msg: bytes, random16: Optional[bytes] = None, receive_id: Optional[str] = None) -> str:
        random16 = os.urandom(16) if random16 is None else random16
        receiver = (self.corp_id if receive_id is None else receive_id).encode()
        plain = random16 + len(msg).to_bytes(4, "big") + msg + receiver
        pad = 32 - len(plain) % 32
        plain += bytes([pad]) * pad
        enc = self._cipher().encryptor()
        return base64.b64encode(enc.update(plain) + enc.finalize()).decode()

    def unseal(self, encrypt: str) -> bytes:
        dec = self._cipher().decryptor()
        plain = dec.update(base64.b64decode(encrypt)) + dec.finalize()
        plain = plain[: -plain[-1]]
        length = int.from_bytes(plain[16:20], "big")
        assert plain[20 + length :] == self.corp_id.encode()
        return plain[20 : 20 + length]

    def signed_params(
        self, encrypt: str, timestamp: Optional[int] = None, nonce: Optional[str] = None
    ) -> Dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or str(secrets.randbelow(10**10))
        return {"msg_signature": sha1_signature(self.token, ts, nonce, encrypt), "timestamp": ts, "nonce": nonce}

    @staticmethod
    def envelope(encrypt: str, to_user: str = "", agent_id: str = "") -> bytes:
        return (
            f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName>"
            f"<AgentID><![CDATA[{agent_id}]]></AgentID>"
            f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        ).encode()


def message_xml(
    corp_id: str,
    from_user: str,
    msg_type: str,
    agent_id: int = 1000002,
    content: Optional[str] = None,
    msg_id: Optional[str] = None,
    event: Optional[str] = None,
    create_time: Optional[int] = None,
) -> bytes:
    parts = [
        f"<ToUserName><![CDATA[{corp_id}]]></ToUserName>",
        f"<FromUserName><![CDATA[{from_user}]]></FromUserName>",
        f"<CreateTime>{int(time.time()) if create_time is None else create_time}</CreateTime>",
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>",
        f"<AgentID>{agent_id}</AgentID>",
    ]
    if content is not None:
        parts.append(f"<Content>{escape(content)}</Content>")
    if msg_id is not None:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    if event is not None:
        parts.append(f"<Event><![CDATA[{event}]]></Event>")
    if msg_type == "image":
        parts.append("<PicUrl><![CDATA[http://127.0.0.1/none.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>")
    return ("<xml>" + "".join(parts) + "</xml>").encode()


class WeComClient(WeComSide):
    """WeComSide plus HTTP: sends callbacks to a running channel."""

    def __init__(
        self, webhook_url: str, token: str, encoding_aes_key: str, corp_id: str, agent_id: int = 1000002
    ) -> None:
        super().__init__(token, encoding_aes_key, corp_id)
        self.url = webhook_url
        self.agent_id = agent_id
        self.http = requests.Session()

    def verify_url(
        self, echo_plain: str, timestamp: Optional[int] = None, signature: Optional[str] = None
    ) -> requests.Response:
        echostr = self.seal(echo_plain.encode())
        params = self.signed_params(echostr, timestamp)
        if signature is not None:
            params["msg_signature"] = signature
        params["echostr"] = echostr
        return self.http.get(self.url, params=params, timeout=10)

    def post_plain(
        self, plain_xml: bytes, timestamp: Optional[int] = None, signature: Optional[str] = None
    ) -> requests.Response:
        encrypt = self.seal(plain_xml)
        params = self.signed_params(encrypt, timestamp)
        if signature is not None:
            params["msg_signature"] = signature
        body = self.envelope(encrypt, self.corp_id, str(self.agent_id))
        return self.post_raw(body, params)

    def post_raw(self, body: bytes, params: Optional[Dict[str, str]] = None) -> requests.Response:
        return self.http.post(
            self.url,
            params=params or self.signed_params("x"),
            data=body,
            headers={"Content-Type": "text/xml"},
            timeout=10,
        )

    def text(self, from_user: str, content: str, msg_id: str, **kw) -> requests.Response:
        return self.post_plain(
            message_xml(self.corp_id, from_user, "text", self.agent_id, content=content, msg_id=msg_id), **kw
        )
