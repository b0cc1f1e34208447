"""The slice of the WeCom server API the channel needs: sending a text message
to one member as the app. Token caching and retries are shared with the WeChat
channel in bot/channels/wxapi.py.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Dict, Tuple

from bot.channels.wecom.settings import DEFAULT_API_BASE
from bot.channels.wxapi import TokenApi

logger = logging.getLogger(__name__)


class WeComApi(TokenApi):
    platform = "WeCom"

    def __init__(
        self,
        corp_id: str,
        secret: str,
        agent_id: int,
        api_base: str = DEFAULT_API_BASE,
        timeout: float = 10.0,
        retry_pause: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(api_base, timeout=timeout, retry_pause=retry_pause, clock=clock)
        self.agent_id = agent_id
        self._corp_id = corp_id
        self._secret = secret

    def __repr__(self) -> str:
        return f"WeComApi(api_base={self.api_base!r}, agent_id={self.agent_id})"

    def _token_request(self) -> Tuple[str, Dict[str, str]]:
        return "/cgi-bin/gettoken", {"corpid": self._corp_id, "corpsecret": self._secret}

    async def send_text(self, touser: str, content: str) -> Dict[str, Any]:
        data = await self.post(
            "/cgi-bin/message/send",
            {"touser": touser, "msgtype": "text", "agentid": self.agent_id, "text": {"content": content}, "safe": 0},
        )
        if data.get("invaliduser"):
            logger.warning("WeCom did not deliver to some recipients (invaliduser)")
        return data
