"""The slice of the WeCom server API the channel needs: an access token and
sending a text message to one member as the app.

The token comes from /cgi-bin/gettoken, is valid for `expires_in` seconds
(7200 today) and must be cached: WeCom rate-limits gettoken and a fresh token
per reply would hit that limit. It is refreshed a little before it expires and
whenever an API call reports it invalid or expired.

Both the corp secret and the token travel in query strings, so nothing here
logs a URL or an exception's text (aiohttp puts the URL in some of them).
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, Dict, Optional

import aiohttp

from bot.channels.wecom.settings import DEFAULT_API_BASE

logger = logging.getLogger(__name__)

# 40014 invalid access_token, 42001 access_token expired, 40001 invalid credential.
TOKEN_ERRCODES = frozenset({40014, 42001, 40001})
# -1: "system busy", worth one more try after a pause.
BUSY_ERRCODE = -1
NETWORK_ERRCODE = -2  # ours, not WeCom's: the call did not get an answer


class WeComApiError(Exception):
    def __init__(self, errcode: int, errmsg: str = "") -> None:
        super().__init__(f"WeCom API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class WeComApi:
    def __init__(self, corp_id: str, secret: str, agent_id: int,
                 api_base: str = DEFAULT_API_BASE, timeout: float = 10.0,
                 retry_pause: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.api_base = api_base.rstrip("/")
        self.agent_id = agent_id
        self._corp_id = corp_id
        self._secret = secret
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry_pause = retry_pause
        self._clock = clock
        self._token: Optional[str] = None
        self._token_expires_at = 0.0
        self._lock: Optional[asyncio.Lock] = None
        self._session: Optional[aiohttp.ClientSession] = None

    def __repr__(self) -> str:
        return f"WeComApi(api_base={self.api_base!r}, agent_id={self.agent_id})"

    def _http(self) -> aiohttp.ClientSession:
        # Created on first use, inside the server's event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def _call(self, method: str, path: str, params: Dict[str, str],
                    json_body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        try:
            async with self._http().request(method, f"{self.api_base}{path}", params=params,
                                            json=json_body) as resp:
                if resp.status != 200:
                    raise WeComApiError(NETWORK_ERRCODE, f"HTTP {resp.status} from {path}")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise WeComApiError(NETWORK_ERRCODE, f"{type(exc).__name__} calling {path}") from None
        if not isinstance(data, dict):
            raise WeComApiError(NETWORK_ERRCODE, f"unexpected answer from {path}")
        return data

    async def _fetch_token(self) -> None:
        data = await self._call("GET", "/cgi-bin/gettoken",
                                {"corpid": self._corp_id, "corpsecret": self._secret})
        if data.get("errcode", 0) != 0 or not data.get("access_token"):
            raise WeComApiError(int(data.get("errcode", NETWORK_ERRCODE)), str(data.get("errmsg", "")))
        try:
            lifetime = int(data.get("expires_in", 7200))
        except (TypeError, ValueError):
            lifetime = 7200
        # Refresh early (a fifth of the lifetime, at most five minutes) so a
        # token never expires between our check and WeCom's.
        margin = min(300, lifetime // 5)
        self._token = str(data["access_token"])
        self._token_expires_at = self._clock() + max(lifetime - margin, 0)
        logger.info("WeCom access token refreshed (valid %ss)", lifetime)

    async def access_token(self, stale: Optional[str] = None) -> str:
        """A valid token; pass the one WeCom just refused as `stale` to force a new one."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if stale is not None and self._token == stale:
                self._token = None
            if self._token is None or self._clock() >= self._token_expires_at:
                await self._fetch_token()
            assert self._token is not None
            return self._token

    async def send_text(self, touser: str, content: str) -> Dict[str, Any]:
        body = {"touser": touser, "msgtype": "text", "agentid": self.agent_id,
                "text": {"content": content}, "safe": 0}
        refreshed = busy_retried = False
        while True:
            token = await self.access_token()
            try:
                data = await self._call("POST", "/cgi-bin/message/send", {"access_token": token}, body)
                code = int(data.get("errcode", 0))
            except WeComApiError as exc:
                data, code = {"errmsg": exc.errmsg}, exc.errcode
            if code == 0:
                if data.get("invaliduser"):
                    logger.warning("WeCom did not deliver to some recipients (invaliduser)")
                return data
            if code in TOKEN_ERRCODES and not refreshed:
                refreshed = True
                await self.access_token(stale=token)
                continue
            # A lost answer may still mean a delivered message, so only WeCom's own
            # "busy" is retried: a duplicate reply is worse than a logged failure.
            if code == BUSY_ERRCODE and not busy_retried:
                busy_retried = True
                await asyncio.sleep(self._retry_pause)
                continue
            raise WeComApiError(code, str(data.get("errmsg", "")))
