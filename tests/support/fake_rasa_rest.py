"""A stand-in for Rasa's REST channel on loopback, for the widget's rendering tests.

It speaks the same protocol as the real channel (POST /webhooks/rest/webhook
with {"sender", "message"}, a JSON list of messages back, CORS for the demo
page's origin) and answers from a script: message text or button payload ->
the messages the real bot would send. It records what the widget posted, so
a test can check the payload a button sent. The real bot is driven by the
other tests in tests/web/test_widget.py; this one reaches states on demand.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional

WEBHOOK = "/webhooks/rest/webhook"
SOURCE = "【来源】大同日报《市疾控中心专家就新冠病毒疫苗接种再释疑》（2022年5月）"
ARTICLE = {"article": "市疾控中心专家就新冠病毒疫苗接种再释疑", "newspaper": "大同日报", "date": "2022-05"}
FEEDBACK_BUTTONS = [
    {"title": "有用", "payload": '/feedback{"value":"useful"}'},
    {"title": "没用", "payload": '/feedback{"value":"useless"}'},
]


def answer_messages(text: str, answer: dict, buttons: Optional[list] = None) -> List[dict]:
    """What the answering action sends: the text (with buttons), then its metadata."""
    first = {"recipient_id": "x", "text": text}
    if buttons:
        first["buttons"] = buttons
    return [first, {"recipient_id": "x", "custom": {"answer": answer}}]


class FakeRasaRest:
    def __init__(self, script: Dict[str, List[dict]], default: Optional[List[dict]] = None) -> None:
        self.script = script
        self.default = default or [{"recipient_id": "x", "text": "抱歉，这个问题超出了我能回答的范围。"}]
        self.posts: List[dict] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeRasaRest":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeRasaRest":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def messages_sent(self) -> List[str]:
        with self._lock:
            return [p.get("message") for p in self.posts]

    def _reply_for(self, body: dict) -> List[dict]:
        with self._lock:
            self.posts.append(body)
        return self.script.get(body.get("message"), self.default)

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _cors(self) -> None:
                # The demo page runs on another port: answer as Rasa's --cors does.
                self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
                self.send_header("Access-Control-Allow-Headers", "content-type")
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")

            def do_OPTIONS(self) -> None:  # noqa: N802 (http.server's naming)
                self.send_response(204)
                self._cors()
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:  # noqa: N802
                if self.path != WEBHOOK:
                    self.send_error(404)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length).decode("utf-8"))
                except ValueError:
                    self.send_error(400)
                    return
                payload = json.dumps(fake._reply_for(body), ensure_ascii=False).encode("utf-8")
                self.send_response(200)
                self._cors()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args) -> None:
                pass

        return Handler
