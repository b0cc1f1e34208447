"""The callback crypto shared by WeCom (企业微信) and WeChat Official Accounts
(公众号, 安全模式): both channels import it from here.

Every encrypted callback carries msg_signature = sha1 over the sorted strings
[token, timestamp, nonce, encrypt]; the payload is AES-256-CBC with
key = base64decode(EncodingAESKey + "="), iv = key[:16], PKCS#7 padding to a
32-byte block, and plaintext = random(16) | len(msg) as uint32 big-endian |
msg | receive id (the corp id for WeCom; the AppID for an Official Account).
Official Accounts also sign every request in the clear: signature = sha1 over
the sorted [token, timestamp, nonce] (`signature()` with three parts).

Decryption is strict on purpose: every length and padding byte is checked so a
forged or truncated payload ends in a WxCryptoError, never an IndexError or
a half-decoded message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import time
from typing import Optional

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAD_BLOCK = 32
AES_BLOCK = 16
RANDOM_PREFIX = 16
# The sender signs its own clock; allow ordinary drift and the retries it makes
# within a few seconds, refuse anything replayed later than this. A replay inside
# the window is caught by the delivery memory (bot/channels/dedup.py), which is
# why a channel's tolerance may not exceed half of that memory's lifetime.
DEFAULT_TIMESTAMP_TOLERANCE = 300


class WxCryptoError(Exception):
    """A callback that cannot be trusted or read."""


class SignatureError(WxCryptoError):
    pass


class StaleTimestamp(WxCryptoError):
    pass


class DecryptError(WxCryptoError):
    pass


class ReceiverMismatch(WxCryptoError):
    pass


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key behind the 43-character EncodingAESKey."""
    if not isinstance(encoding_aes_key, str) or len(encoding_aes_key) != 43:
        raise ValueError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("EncodingAESKey is not base64") from exc
    if len(key) != 32:
        raise ValueError("EncodingAESKey must decode to 32 bytes")
    return key


def signature(*parts: str) -> str:
    """sha1 over the sorted, concatenated parts (token first by convention)."""
    joined = "".join(sorted(parts))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def same_signature(expected: str, given: Optional[str]) -> bool:
    """Constant-time comparison of a hex signature with what the request carried."""
    given = (given or "").strip().lower()
    return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace"))


def check_timestamp(timestamp: str, now: Optional[float] = None, tolerance: int = DEFAULT_TIMESTAMP_TOLERANCE) -> None:
    """Refuse replays: the signed timestamp must be within `tolerance` seconds of now."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError) as exc:
        raise StaleTimestamp("timestamp is not an integer") from exc
    current = time.time() if now is None else now
    if abs(current - sent) > tolerance:
        raise StaleTimestamp("timestamp outside the accepted window")


def pkcs7_pad(data: bytes, block: int = PAD_BLOCK) -> bytes:
    count = block - len(data) % block
    return data + bytes([count]) * count


def pkcs7_unpad(data: bytes, block: int = PAD_BLOCK) -> bytes:
    if not data:
        raise DecryptError("empty plaintext")
    count = data[-1]
    if not 1 <= count <= block or count > len(data):
        raise DecryptError("bad padding")
    if data[-count:] != bytes([count]) * count:
        raise DecryptError("bad padding")
    return data[:-count]


class WxCrypto:
    """Signature checks and payload encryption for one app's or account's callback settings."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        if not token:
            raise ValueError("token must not be empty")
        self.token = token
        self.receive_id = receive_id.encode("utf-8")
        self._key = aes_key(encoding_aes_key)

    def __repr__(self) -> str:  # never show the token or the key in logs or tracebacks
        return "WxCrypto(<redacted>)"

    def sign(self, timestamp: str, nonce: str, encrypt: str) -> str:
        return signature(self.token, timestamp, nonce, encrypt)

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        if not same_signature(self.sign(timestamp, nonce, encrypt), msg_signature):
            raise SignatureError("msg_signature does not match")

    def verify_plain(self, plain_signature: str, timestamp: str, nonce: str) -> None:
        """The Official Account's `signature` parameter, which signs no payload."""
        if not same_signature(signature(self.token, timestamp, nonce), plain_signature):
            raise SignatureError("signature does not match")

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:AES_BLOCK]))

    def encrypt(self, msg: bytes, random_prefix: Optional[bytes] = None) -> str:
        prefix = os.urandom(RANDOM_PREFIX) if random_prefix is None else random_prefix
        if len(prefix) != RANDOM_PREFIX:
            raise ValueError("the random prefix must be 16 bytes")
        plain = prefix + struct.pack(">I", len(msg)) + msg + self.receive_id
        encryptor = self._cipher().encryptor()
        sealed = encryptor.update(pkcs7_pad(plain)) + encryptor.finalize()
        return base64.b64encode(sealed).decode("ascii")

    def decrypt(self, encrypt: str) -> bytes:
        try:
            sealed = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DecryptError("payload is not base64") from exc
        if not sealed or len(sealed) % AES_BLOCK:
            raise DecryptError("payload length is not a whole number of AES blocks")
        decryptor = self._cipher().decryptor()
        plain = pkcs7_unpad(decryptor.update(sealed) + decryptor.finalize())
        if len(plain) < RANDOM_PREFIX + 4:
            raise DecryptError("payload too short")
        (length,) = struct.unpack(">I", plain[RANDOM_PREFIX : RANDOM_PREFIX + 4])
        start = RANDOM_PREFIX + 4
        if start + length > len(plain):
            raise DecryptError("declared message length exceeds the payload")
        msg, receiver = plain[start : start + length], plain[start + length :]
        if receiver != self.receive_id:
            raise ReceiverMismatch("payload is addressed to another corp/app")
        return msg

    def open(
        self,
        msg_signature: str,
        timestamp: str,
        nonce: str,
        encrypt: str,
        now: Optional[float] = None,
        tolerance: int = DEFAULT_TIMESTAMP_TOLERANCE,
    ) -> bytes:
        """Verify (signature first, then freshness) and decrypt one callback payload."""
        self.verify(msg_signature, timestamp, nonce, encrypt)
        check_timestamp(timestamp, now, tolerance)
        return self.decrypt(encrypt)
