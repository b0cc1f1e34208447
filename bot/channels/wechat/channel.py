"""The Rasa input channel for a WeChat Official Account (公众号) in safe mode.

WeChat calls /webhooks/wechat/webhook: GET once to verify the URL (signature
over token, timestamp and nonce; we echo `echostr`), POST for every message or
event, signed twice (`signature` over token/timestamp/nonce and
`msg_signature` over those plus the ciphertext) and AES-encrypted.

WeChat waits five seconds for the answer and then retries (three times in
all). The reply is preferably *passive*: the encrypted text message is the
body of our HTTP answer. A turn that is not done by `reply_deadline` (4 s) is
answered "success" (WeChat then neither retries nor shows anything) and its
reply goes out later through the customer-service message API, so a slow
turn is never lost and never answered twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.choices import with_choice
from bot.channels.conversation import knows_intent, record_bot_message
from bot.channels.dedup import SeenStore, load_store
from bot.channels.options import text_channel_replies
from bot.channels.splitting import split_text
from bot.channels.wechat.api import WeChatApi
from bot.channels.wechat.replies import (
    NO_REPLY,
    TEXT_LIMIT_BYTES,
    TROUBLE_REPLY,
    canned_reply,
    encrypted_reply,
    suggestion_buttons,
    text_reply_xml,
    welcome_text,
)
from bot.channels.wechat.settings import WeChatSettings, resolve
from bot.channels.wxapi import WxApiError
from bot.channels.wxcrypto import (
    DecryptError,
    ReceiverMismatch,
    SignatureError,
    StaleTimestamp,
    WxCrypto,
    check_timestamp,
)
from bot.channels.wxmessages import IncomingMessage, MalformedMessage, parse_envelope, parse_message
from bot.paths import PROJECT_ROOT
from bot.text.validate import check_question

logger = logging.getLogger(__name__)

# Real callbacks are well under 2 KB; anything this large is not from WeChat.
MAX_BODY_BYTES = 64 * 1024
MAX_ECHOSTR_CHARS = 256
SENDER_PREFIX = "wechat:"
FAQ_PATH = PROJECT_ROOT / "data" / "faq.yml"

Replies = List[str]


def _refuse(status: int, reason: str) -> HTTPResponse:
    logger.warning("WeChat callback refused (%s): %s", status, reason)
    return response.text(reason, status=status)


def _suggested_questions(faq_ids: tuple) -> List[Dict[str, str]]:
    # Imported here: the knowledge module is only needed once, at start-up.
    from bot.knowledge import load_faqs

    by_id = {faq.id: faq for faq in load_faqs(FAQ_PATH)}
    unknown = [faq_id for faq_id in faq_ids if faq_id not in by_id]
    if unknown:
        logger.warning("WeChat suggested_faqs: unknown FAQ ids %s ignored", ", ".join(unknown))
    return [{"id": faq_id, "question": by_id[faq_id].question} for faq_id in faq_ids if faq_id in by_id]


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        settings, problems = resolve(credentials, os.environ)
        if settings is None:
            logger.warning("WeChat channel disabled: %s (see docs/channels.md)", "; ".join(problems))
        return cls(settings)

    def __init__(self, settings: Optional[WeChatSettings], seen: Optional[SeenStore] = None) -> None:
        self.settings = settings
        self._tasks: Set[asyncio.Task] = set()
        if settings is None:
            return
        self.crypto = WxCrypto(settings.token, settings.encoding_aes_key, settings.app_id)
        self.api = WeChatApi(settings.app_id, settings.app_secret, api_base=settings.api_base)
        self.seen = seen or load_store(settings.dedup_store, f"wechat:{settings.app_id}", os.environ)
        self.suggested = _suggested_questions(settings.suggested_faqs)

    @property
    def enabled(self) -> bool:
        return self.settings is not None

    @property
    def _configured(self) -> WeChatSettings:
        """The settings, for the webhook's handlers: they run only when the channel is enabled."""
        assert self.settings is not None, "channel is not configured"
        return self.settings

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        wechat = Blueprint("wechat_webhook", __name__)

        @wechat.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "enabled": self.enabled})

        @wechat.route("/webhook", methods=["GET", "POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                # Not configured means there is no such endpoint here: 404, not a server fault.
                return response.text("WeChat channel is not configured", status=404)
            if request.method == "GET":
                return self._verify_url(request)
            return await self._receive(request, on_new_message)

        @wechat.listener("after_server_stop")
        async def close_clients(*_: Any) -> None:
            if self.enabled:
                await self.api.close()

        return wechat

    # --- checks ---------------------------------------------------------------

    def _check_plain_signature(self, request: Request) -> Optional[HTTPResponse]:
        """The `signature` every request carries (token, timestamp, nonce)."""
        sig, timestamp, nonce = (request.args.get(k) for k in ("signature", "timestamp", "nonce"))
        if not (sig and timestamp and nonce):
            return _refuse(403, "missing signature parameters")
        try:
            self.crypto.verify_plain(sig, timestamp, nonce)
            check_timestamp(timestamp, tolerance=self._configured.timestamp_tolerance)
        except SignatureError:
            return _refuse(403, "bad signature")
        except StaleTimestamp:
            return _refuse(403, "stale or invalid timestamp")
        return None

    def _verify_url(self, request: Request) -> HTTPResponse:
        refused = self._check_plain_signature(request)
        if refused:
            return refused
        echostr = request.args.get("echostr") or ""
        if not echostr or len(echostr) > MAX_ECHOSTR_CHARS or not echostr.isprintable():
            return _refuse(400, "missing or malformed echostr")
        logger.info("WeChat callback URL verified")
        # WeChat compares the body byte for byte: no quotes, no newline.
        return response.text(echostr)

    def _open(self, request: Request) -> "IncomingMessage | HTTPResponse":
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _refuse(413, "body too large")
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            return _refuse(413, "body too large")
        refused = self._check_plain_signature(request)
        if refused:
            return refused
        if (request.args.get("encrypt_type") or "").lower() != "aes":
            # Plain-text and compatible mode would let anyone on the path read
            # and forge messages; this channel speaks safe mode only.
            return _refuse(400, "safe mode (encrypt_type=aes) required")
        msg_signature = request.args.get("msg_signature")
        if not msg_signature:
            return _refuse(403, "missing msg_signature")
        try:
            envelope = parse_envelope(body)
        except MalformedMessage as exc:
            return _refuse(400, str(exc))
        args = request.args
        try:
            plain = self.crypto.open(
                msg_signature,
                args.get("timestamp"),
                args.get("nonce"),
                envelope.encrypt,
                tolerance=self._configured.timestamp_tolerance,
            )
        except SignatureError:
            return _refuse(403, "bad msg_signature")
        except StaleTimestamp:
            return _refuse(403, "stale or invalid timestamp")
        except ReceiverMismatch:
            return _refuse(403, "not addressed to this account")
        except DecryptError:
            return _refuse(400, "undecryptable payload")
        try:
            return parse_message(plain)
        except MalformedMessage as exc:
            return _refuse(400, f"inner message: {exc}")

    # --- answering -------------------------------------------------------------

    async def _receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        opened = self._open(request)
        if isinstance(opened, HTTPResponse):
            return opened
        message = opened
        if not await self.seen.first_seen(message.dedup_key):
            # The first copy is answered (passively or through the API); a
            # second answer would reach the user twice.
            logger.info("WeChat delivery %s seen before; not answering again", message.dedup_key)
            return response.text(NO_REPLY)

        agent = getattr(request.app.ctx, "agent", None)
        sender_id = SENDER_PREFIX + message.from_user
        if message.msg_type == "event":
            if message.event != "subscribe":
                return response.text(NO_REPLY)
            buttons = suggestion_buttons(self.suggested, knows_intent(agent, "choose_faq"))
            text = welcome_text(buttons)
            # In the conversation, so that a typed "1" maps to the first suggestion.
            await record_bot_message(agent, sender_id, text, buttons)
            return self._passive(message, [text])
        canned = canned_reply(message)
        if canned is not None:
            return self._passive(message, [canned])
        checked = check_question(message.content)
        if not checked.ok:
            assert checked.message is not None  # a failed check always carries its message
            return self._passive(message, [checked.message])

        turn = asyncio.get_running_loop().create_task(
            self._ask_bot(message, checked.text, agent, sender_id, on_new_message)
        )
        self._tasks.add(turn)  # the loop keeps only weak references to tasks
        turn.add_done_callback(self._tasks.discard)
        done, _ = await asyncio.wait({turn}, timeout=self._configured.reply_deadline)
        if turn in done:
            replies = self._result(turn)
            if len(replies) == 1:
                return self._passive(message, replies)
            self._send_later(message, turn)
            return response.text(NO_REPLY)
        logger.info(
            "WeChat turn slower than %.1fs; replying through the customer-service API", self._configured.reply_deadline
        )
        self._send_later(message, turn)
        return response.text(NO_REPLY)

    async def _ask_bot(
        self,
        message: IncomingMessage,
        text: str,
        agent: Any,
        sender_id: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> Replies:
        collector = CollectingOutputChannel()
        await on_new_message(
            UserMessage(
                await with_choice(agent, sender_id, text),
                collector,
                sender_id,
                input_channel=self.name(),
                metadata={"wechat": {"msg_id": message.msg_id}},
            )
        )
        return text_channel_replies(collector.messages)

    def _result(self, turn: "asyncio.Task[Replies]") -> Replies:
        """The turn's reply cut into WeChat-sized messages; an apology if it failed."""
        if turn.cancelled() or turn.exception() is not None:
            logger.error("WeChat turn failed: %s", "cancelled" if turn.cancelled() else type(turn.exception()).__name__)
            return [TROUBLE_REPLY]
        texts = turn.result()
        if not texts:
            return []
        return split_text("\n\n".join(texts), TEXT_LIMIT_BYTES)

    def _passive(self, message: IncomingMessage, replies: Replies) -> HTTPResponse:
        if not replies:
            return response.text(NO_REPLY)
        plain = text_reply_xml(message.from_user, message.to_user, replies[0])
        return response.raw(encrypted_reply(self.crypto, plain), content_type="application/xml; charset=utf-8")

    def _send_later(self, message: IncomingMessage, turn: "asyncio.Task[Replies]") -> None:
        async def send() -> None:
            try:
                await asyncio.wait({turn})
                for chunk in self._result(turn):
                    await self.api.send_text(message.from_user, chunk)
            except WxApiError as exc:
                logger.error("WeChat reply not sent: errcode %s (%s)", exc.errcode, exc.errmsg)
            except Exception:  # a background task has nobody else to report to
                logger.exception("WeChat customer-service send failed")

        task = asyncio.get_running_loop().create_task(send())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
