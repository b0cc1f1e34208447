"""The slice of the Official Account API the channel needs: the customer-service
message (客服消息, /cgi-bin/message/custom/send), used when a turn is too slow
for the passive reply. The access token comes from /cgi-bin/token
(grant_type=client_credential); caching and refreshing it, also on 40001 and
42001, is shared with WeCom in bot/channels/wxapi.py.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Tuple

from bot.channels.wechat.settings import DEFAULT_API_BASE
from bot.channels.wxapi import TokenApi

# 客服消息 may be sent only within 48 hours of the user's last message (45015).
OUT_OF_TIME_ERRCODE = 45015


class WeChatApi(TokenApi):
    platform = "WeChat"

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        api_base: str = DEFAULT_API_BASE,
        timeout: float = 10.0,
        retry_pause: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(api_base, timeout=timeout, retry_pause=retry_pause, clock=clock)
        self.app_id = app_id
        self._secret = app_secret

    def __repr__(self) -> str:
        return f"WeChatApi(api_base={self.api_base!r}, app_id={self.app_id!r})"

    def _token_request(self) -> Tuple[str, Dict[str, str]]:
        return "/cgi-bin/token", {"grant_type": "client_credential", "appid": self.app_id, "secret": self._secret}

    async def send_text(self, openid: str, content: str) -> Dict[str, Any]:
        return await self.post(
            "/cgi-bin/message/custom/send", {"touser": openid, "msgtype": "text", "text": {"content": content}}
        )
