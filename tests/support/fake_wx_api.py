"""A stand-in for a WeChat-family server API (WeCom's qyapi.weixin.qq.com, the
Official Account's api.weixin.qq.com) on loopback, recording what a channel calls.

Serves a token endpoint and a send endpoint with the platforms' JSON shapes and
error codes, and lets a test expire the issued tokens or make the next send
fail with a given errcode. Subclasses name the paths and check the credentials.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional
from urllib.parse import parse_qs, urlparse


class FakeWxApi:
    token_path = ""
    send_path = ""

    def __init__(self, expires_in: int = 7200) -> None:
        self.expires_in = expires_in
        self.token_requests: List[Dict[str, str]] = []
        self.sends: List[dict] = []  # accepted messages, each with the token used and when
        self.refused_sends: List[dict] = []
        self._valid_tokens: set = set()
        self._expired_tokens: set = set()
        self._fail_next_send: Optional[int] = None
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # What subclasses decide.
    def credentials_ok(self, query: Dict[str, str]) -> bool:
        raise NotImplementedError

    def token_request_record(self, query: Dict[str, str]) -> Dict[str, str]:
        return {}

    # Test controls.
    def expire_tokens(self) -> None:
        """Every token issued so far now answers 42001 (access_token expired)."""
        with self._lock:
            self._expired_tokens |= self._valid_tokens
            self._valid_tokens.clear()

    def fail_next_send(self, errcode: int) -> None:
        with self._lock:
            self._fail_next_send = errcode

    def sends_to(self, user: str) -> List[dict]:
        with self._lock:
            return [s for s in self.sends if s["body"].get("touser") == user]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.1)
        return condition()

    # Endpoints.
    def _token(self, query: Dict[str, str]) -> dict:
        with self._lock:
            self.token_requests.append(self.token_request_record(query))
            if not self.credentials_ok(query):
                return {"errcode": 40001, "errmsg": "invalid credential"}
            token = f"fake-token-{next(self._counter)}"
            self._valid_tokens.add(token)
            return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.expires_in}

    def _send(self, query: Dict[str, str], body: dict) -> dict:
        token = query.get("access_token", "")
        with self._lock:
            record = {"token": token, "body": body, "at": time.time()}
            if self._fail_next_send is not None:
                code, self._fail_next_send = self._fail_next_send, None
                self.refused_sends.append(dict(record, errcode=code))
                return {"errcode": code, "errmsg": "forced by test"}
            if token in self._expired_tokens:
                self.refused_sends.append(dict(record, errcode=42001))
                return {"errcode": 42001, "errmsg": "access_token expired"}
            if token not in self._valid_tokens:
                self.refused_sends.append(dict(record, errcode=40014))
                return {"errcode": 40014, "errmsg": "invalid access_token"}
            self.sends.append(record)
            return self.send_ok_answer(len(self.sends))

    def send_ok_answer(self, n: int) -> dict:
        return {"errcode": 0, "errmsg": "ok"}

    def _handler_class(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, payload: dict, status: int = 200) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _query(self) -> Dict[str, str]:
                return {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}

            def do_GET(self) -> None:
                if urlparse(self.path).path == api.token_path:
                    self._answer(api._token(self._query()))
                else:
                    self._answer({"errcode": 404, "errmsg": "not found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if urlparse(self.path).path != api.send_path:
                    self._answer({"errcode": 404, "errmsg": "not found"}, 404)
                    return
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    self._answer({"errcode": 47001, "errmsg": "data format error"})
                    return
                self._answer(api._send(self._query(), body))

            def log_message(self, *args) -> None:  # keep test output clean
                pass

        return Handler
