"""A stand-in for the Official Account API (api.weixin.qq.com) on loopback:
/cgi-bin/token (grant_type=client_credential) and the customer-service message
/cgi-bin/message/custom/send, with WeChat's JSON shapes (see fake_wx_api.py)."""

from __future__ import annotations

from typing import Dict

from tests.support.fake_wx_api import FakeWxApi


class FakeWeChatApi(FakeWxApi):
    token_path = "/cgi-bin/token"
    send_path = "/cgi-bin/message/custom/send"

    def __init__(self, app_id: str, app_secret: str, expires_in: int = 7200) -> None:
        super().__init__(expires_in)
        self.app_id = app_id
        self.secret = app_secret

    def credentials_ok(self, query: Dict[str, str]) -> bool:
        return (
            query.get("grant_type") == "client_credential"
            and query.get("appid") == self.app_id
            and query.get("secret") == self.secret
        )

    def token_request_record(self, query: Dict[str, str]) -> Dict[str, str]:
        return {"appid": query.get("appid", "")}
