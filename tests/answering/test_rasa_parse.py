"""RasaParser against a loopback HTTP server that answers like Rasa's /model/parse."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from bot.answering.rasa_parse import TOKEN_ENV, URL_ENV, RasaParser


class FakeRasa(BaseHTTPRequestHandler):
    requests = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeRasa.requests.append((self.path, body))
        if "token=secret" not in self.path:
            self.send_response(401)
            self.end_headers()
            return
        payload = json.dumps({"text": body["text"], "intent": {"name": "faq", "confidence": 0.9}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def rasa_url():
    server = HTTPServer(("127.0.0.1", 0), FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_parses_with_the_runs_token(rasa_url):
    parse = RasaParser(rasa_url, "secret")("加强针怎么打？ 那智飞的呢")
    assert parse["intent"]["name"] == "faq"
    assert FakeRasa.requests[-1] == ("/model/parse?token=secret", {"text": "加强针怎么打？ 那智飞的呢"})


def test_a_refusal_or_no_server_gives_none(rasa_url):
    assert RasaParser(rasa_url, "wrong")("那智飞的呢") is None
    assert RasaParser("http://127.0.0.1:9", "secret", timeout=0.5)("那智飞的呢") is None


def test_from_env(monkeypatch):
    monkeypatch.delenv(URL_ENV, raising=False)
    assert RasaParser.from_env() is None
    monkeypatch.setenv(URL_ENV, "http://127.0.0.1:5005/")
    monkeypatch.setenv(TOKEN_ENV, "t")
    assert RasaParser.from_env() == RasaParser("http://127.0.0.1:5005", "t")
