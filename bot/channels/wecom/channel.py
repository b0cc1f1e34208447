"""The Rasa input channel for a WeCom (企业微信) self-built app.

WeCom calls /webhooks/wecom/webhook: GET once to verify the URL, POST for
every message or event. It waits about five seconds for an answer and re-sends
otherwise, while a bot turn (NLU + action server) can take longer. So the POST
is checked and acknowledged at once with an empty 200, and the reply goes out
later through the messaging API from a background task.
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
from bot.channels.dedup import MemorySeenStore, SeenStore, load_store
from bot.channels.options import text_channel_replies
from bot.channels.splitting import split_text
from bot.channels.wecom.api import WeComApi
from bot.channels.wecom.messages import TEXT_LIMIT_BYTES, canned_reply
from bot.channels.wecom.settings import WeComSettings, resolve
from bot.channels.wxapi import WxApiError
from bot.channels.wxcrypto import DecryptError, ReceiverMismatch, SignatureError, StaleTimestamp, WxCrypto
from bot.channels.wxmessages import IncomingMessage, MalformedMessage, parse_envelope, parse_message

logger = logging.getLogger(__name__)

# Real callbacks are well under 2 KB; anything this large is not from WeCom.
MAX_BODY_BYTES = 64 * 1024
MAX_ECHOSTR_CHARS = 4096
SENDER_PREFIX = "wecom:"
# enter_agent fires each time a member opens the app: greet at most once a day.
WELCOME_INTERVAL_SECONDS = 24 * 3600


def _refuse(status: int, reason: str) -> HTTPResponse:
    logger.warning("WeCom callback refused (%s): %s", status, reason)
    return response.text(reason, status=status)


class WeComInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "wecom"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeComInput":
        settings, problems = resolve(credentials, os.environ)
        if settings is None:
            logger.warning("WeCom channel disabled: %s (see docs/channels.md)", "; ".join(problems))
        return cls(settings)

    def __init__(self, settings: Optional[WeComSettings], seen: Optional[SeenStore] = None) -> None:
        self.settings = settings
        self._tasks: Set[asyncio.Task] = set()
        self._welcomed = MemorySeenStore(ttl=WELCOME_INTERVAL_SECONDS)
        self._agent: Any = None  # the Rasa agent, seen on the first callback
        if settings is None:
            return
        self.crypto = WxCrypto(settings.token, settings.encoding_aes_key, settings.corp_id)
        self.api = WeComApi(settings.corp_id, settings.secret, settings.agent_id, api_base=settings.api_base)
        # Namespaced per corp and app: two apps' MsgIds are unrelated numbers.
        self.seen = seen or load_store(
            settings.dedup_store, f"wecom:{settings.corp_id}:{settings.agent_id}", os.environ
        )

    @property
    def enabled(self) -> bool:
        return self.settings is not None

    @property
    def _configured(self) -> WeComSettings:
        """The settings, for the webhook's handlers: they run only when the channel is enabled."""
        assert self.settings is not None, "channel is not configured"
        return self.settings

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        wecom = Blueprint("wecom_webhook", __name__)

        @wecom.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "enabled": self.enabled})

        @wecom.route("/webhook", methods=["GET", "POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                # Not configured means there is no such endpoint here: 404, not a server fault.
                return response.text("WeCom channel is not configured", status=404)
            if request.method == "GET":
                return self._verify_url(request)
            return await self._receive(request, on_new_message)

        @wecom.listener("after_server_stop")
        async def close_api(*_: Any) -> None:
            if self.enabled:
                await self.api.close()

        return wecom

    def _signed_params(self, request: Request) -> Optional[Dict[str, str]]:
        params = {key: request.args.get(key) for key in ("msg_signature", "timestamp", "nonce")}
        if not all(params.values()):
            return None
        return params

    def _open(self, params: Dict[str, str], encrypt: str) -> "bytes | HTTPResponse":
        try:
            return self.crypto.open(
                params["msg_signature"],
                params["timestamp"],
                params["nonce"],
                encrypt,
                tolerance=self._configured.timestamp_tolerance,
            )
        except SignatureError:
            return _refuse(403, "bad signature")
        except StaleTimestamp:
            return _refuse(403, "stale or invalid timestamp")
        except ReceiverMismatch:
            return _refuse(403, "not addressed to this corp")
        except DecryptError:
            return _refuse(400, "undecryptable payload")

    def _verify_url(self, request: Request) -> HTTPResponse:
        params = self._signed_params(request)
        if params is None:
            return _refuse(403, "missing signature parameters")
        echostr = request.args.get("echostr") or ""
        if not echostr or len(echostr) > MAX_ECHOSTR_CHARS:
            return _refuse(400, "missing or oversized echostr")
        # A '+' of the base64 echostr arrives as a space when the sender did not percent-encode it.
        opened = self._open(params, echostr.replace(" ", "+"))
        if isinstance(opened, HTTPResponse):
            return opened
        try:
            plain = opened.decode("utf-8")
        except UnicodeDecodeError:
            return _refuse(400, "echostr is not text")
        logger.info("WeCom callback URL verified")
        # WeCom compares the body byte for byte: no quotes, no newline.
        return response.text(plain)

    async def _receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _refuse(400, "body too large")
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            return _refuse(400, "body too large")
        params = self._signed_params(request)
        if params is None:
            return _refuse(403, "missing signature parameters")
        try:
            envelope = parse_envelope(body)
        except MalformedMessage as exc:
            return _refuse(400, str(exc))
        opened = self._open(params, envelope.encrypt)
        if isinstance(opened, HTTPResponse):
            return opened
        try:
            message = parse_message(opened)
        except MalformedMessage as exc:
            return _refuse(400, f"inner message: {exc}")

        # The tracker store, to read which options a typed "1" refers to.
        self._agent = getattr(request.app.ctx, "agent", None)
        if not await self.seen.first_seen(message.dedup_key):
            logger.info("WeCom delivery %s seen before; not answering again", message.dedup_key)
            return response.text("")
        task = asyncio.get_running_loop().create_task(self._answer(message, on_new_message))
        self._tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._tasks.discard)
        return response.text("")

    async def _answer(self, message: IncomingMessage, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        try:
            if message.msg_type == "text" and message.content.strip():
                texts = await self._ask_bot(message, on_new_message)
            else:
                canned = canned_reply(message)
                if canned is None:
                    return
                if message.event == "enter_agent" and not self._welcomed.check_and_remember(message.from_user):
                    return
                texts = [canned]
            for chunk in split_text("\n".join(texts), TEXT_LIMIT_BYTES):
                await self.api.send_text(message.from_user, chunk)
        except WxApiError as exc:
            logger.error("WeCom reply not sent: errcode %s (%s)", exc.errcode, exc.errmsg)
        except Exception:  # a background task has nobody else to report to
            logger.exception("WeCom message handling failed")

    async def _ask_bot(
        self, message: IncomingMessage, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> List[str]:
        collector = CollectingOutputChannel()
        sender = SENDER_PREFIX + message.from_user
        text = await with_choice(getattr(self, "_agent", None), sender, message.content.strip())
        await on_new_message(
            UserMessage(
                text,
                collector,
                sender,
                input_channel=self.name(),
                metadata={"wecom": {"msg_id": message.msg_id, "agent_id": message.agent_id}},
            )
        )
        # Buttons become numbered lines; the answer's `custom` payload only
        # decides how a full answer is offered (the source line is in the text).
        return text_channel_replies(collector.messages)
