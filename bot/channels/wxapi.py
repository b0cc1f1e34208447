"""The part of the WeCom and WeChat server APIs both channels share: an access
token, cached and refreshed, and posting one message with it.

The token comes from a token endpoint (WeCom /cgi-bin/gettoken, WeChat
/cgi-bin/token), is valid for `expires_in` seconds (7200 today) and must be
cached: both platforms rate-limit the token endpoint and a fresh token per
reply would hit that limit. It is refreshed a little before it expires and
whenever an API call reports it invalid or expired (40001, 40014, 42001).

Subclasses say where the token comes from (`_token_request`) and what a text
message looks like (`send_text`). The secret and the token travel in query
strings, so nothing here logs a URL or an exception's text (aiohttp puts the
URL in some of them).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Callable, Dict, Optional, Tuple

import aiohttp

logger = logging.getLogger(__name__)

# 40014 invalid access_token, 42001 access_token expired, 40001 invalid credential.
TOKEN_ERRCODES = frozenset({40014, 42001, 40001})
# -1: "system busy", worth one more try after a pause.
BUSY_ERRCODE = -1
NETWORK_ERRCODE = -2  # ours, not the platform's: the call did not get an answer


class WxApiError(Exception):
    def __init__(self, errcode: int, errmsg: str = "") -> None:
        super().__init__(f"API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class TokenApi:
    """Token cache plus one authenticated POST; see the module docstring."""

    # Named in logs only.
    platform = "API"

    def __init__(
        self,
        api_base: str,
        timeout: float = 10.0,
        retry_pause: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry_pause = retry_pause
        self._clock = clock
        self._token: Optional[str] = None
        self._token_expires_at = 0.0
        self._lock: Optional[asyncio.Lock] = None
        self._session: Optional[aiohttp.ClientSession] = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_base={self.api_base!r})"

    def _token_request(self) -> Tuple[str, Dict[str, str]]:
        """The token endpoint's path and query parameters."""
        raise NotImplementedError

    def _http(self) -> aiohttp.ClientSession:
        # Created on first use, inside the server's event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def _call(
        self, method: str, path: str, params: Dict[str, str], json_body: Optional[Dict[str, Any]] = None
    ) -> Dict[str, Any]:
        try:
            # UTF-8 JSON as Tencent's samples send it (wechatpy does the same): escaped
            # \uXXXX text has been reported to show up literally in some WeChat APIs.
            data_bytes = None if json_body is None else json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            async with self._http().request(
                method,
                f"{self.api_base}{path}",
                params=params,
                data=data_bytes,
                headers={"Content-Type": "application/json; charset=utf-8"} if data_bytes is not None else None,
            ) as resp:
                if resp.status != 200:
                    raise WxApiError(NETWORK_ERRCODE, f"HTTP {resp.status} from {path}")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise WxApiError(NETWORK_ERRCODE, f"{type(exc).__name__} calling {path}") from None
        if not isinstance(data, dict):
            raise WxApiError(NETWORK_ERRCODE, f"unexpected answer from {path}")
        return data

    async def _fetch_token(self) -> None:
        path, params = self._token_request()
        data = await self._call("GET", path, params)
        if data.get("errcode", 0) != 0 or not data.get("access_token"):
            raise WxApiError(int(data.get("errcode", NETWORK_ERRCODE)), str(data.get("errmsg", "")))
        try:
            lifetime = int(data.get("expires_in", 7200))
        except (TypeError, ValueError):
            lifetime = 7200
        # Refresh early (a fifth of the lifetime, at most five minutes) so a
        # token never expires between our check and the platform's.
        margin = min(300, lifetime // 5)
        self._token = str(data["access_token"])
        self._token_expires_at = self._clock() + max(lifetime - margin, 0)
        logger.info("%s access token refreshed (valid %ss)", self.platform, lifetime)

    async def access_token(self, stale: Optional[str] = None) -> str:
        """A valid token; pass the one the platform just refused as `stale` to force a new one."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if stale is not None and self._token == stale:
                self._token = None
            if self._token is None or self._clock() >= self._token_expires_at:
                await self._fetch_token()
            assert self._token is not None
            return self._token

    async def post(self, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        """POST `body` with a valid token; WxApiError when the platform refuses it."""
        refreshed = busy_retried = False
        while True:
            token = await self.access_token()
            try:
                data = await self._call("POST", path, {"access_token": token}, body)
                code = int(data.get("errcode", 0))
            except WxApiError as exc:
                data, code = {"errmsg": exc.errmsg}, exc.errcode
            if code == 0:
                return data
            if code in TOKEN_ERRCODES and not refreshed:
                refreshed = True
                await self.access_token(stale=token)
                continue
            # A lost answer may still mean a delivered message, so only the
            # platform's own "busy" is retried: a duplicate reply is worse than
            # a logged failure.
            if code == BUSY_ERRCODE and not busy_retried:
                busy_retried = True
                await asyncio.sleep(self._retry_pause)
                continue
            raise WxApiError(code, str(data.get("errmsg", "")))
