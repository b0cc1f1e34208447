"""A stand-in for qyapi.weixin.qq.com on loopback: /cgi-bin/gettoken and
/cgi-bin/message/send with WeCom's JSON shapes (see fake_wx_api.py)."""

from __future__ import annotations

from typing import Dict

from tests.support.fake_wx_api import FakeWxApi


class FakeWeComApi(FakeWxApi):
    token_path = "/cgi-bin/gettoken"
    send_path = "/cgi-bin/message/send"

    def __init__(self, corp_id: str, secret: str, expires_in: int = 7200) -> None:
        super().__init__(expires_in)
        self.corp_id = corp_id
        self.secret = secret

    def credentials_ok(self, query: Dict[str, str]) -> bool:
        return query.get("corpid") == self.corp_id and query.get("corpsecret") == self.secret

    def token_request_record(self, query: Dict[str, str]) -> Dict[str, str]:
        return {"corpid": query.get("corpid", "")}

    def send_ok_answer(self, n: int) -> dict:
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"m{n}"}
