"""Production behaviour of the default stack: conversations persist in SQLite,
public endpoints refuse junk with a 4xx and stay up, and any text gets a reply
or a clear error."""

import json
import uuid

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.serving.client import BotClient
from bot.serving.stack import PROJECT_ROOT, Stack, free_port

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ONE_MB = b"x" * (1024 * 1024)


def test_conversation_survives_a_restart(tmp_path):
    db = tmp_path / "conversations.db"
    sender = f"persist-{uuid.uuid4().hex[:8]}"

    def start() -> Stack:
        return Stack(
            rasa_port=free_port(), actions_port=free_port(), tracker_db=db, log_dir=PROJECT_ROOT / "artifacts" / "logs"
        ).start()

    first = start()
    try:
        client = BotClient(first.rasa_url, first.auth_token)
        client.send(sender, "你好")
        client.send(sender, "加强针怎么打")
    finally:
        first.stop()
    assert db.exists() and db.stat().st_size > 0

    second = start()
    try:
        tracker = requests.get(
            f"{second.rasa_url}/conversations/{sender}/tracker", params={"token": second.auth_token}, timeout=10
        ).json()
        said = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
        assert said == ["你好", "加强针怎么打"]
        # The restored history still serves follow-ups.
        follow_up = BotClient(second.rasa_url, second.auth_token).send(sender, "那智飞的呢")
        assert follow_up.answer.get("answer_id", "").startswith("booster_schedule")
    finally:
        second.stop()


def _public_endpoints(stack):
    return [f"{stack.rasa_url}/webhooks/rest/webhook", f"{stack.rasa_url}/webhooks/wecom/webhook", f"{stack.web_url}"]


@pytest.mark.parametrize("case", ["malformed_json", "wrong_content_type", "one_megabyte"])
def test_public_endpoints_refuse_junk_and_stay_up(stack, client, case):
    for url in _public_endpoints(stack):
        if case == "malformed_json":
            resp = requests.post(
                url, data=b'{"sender": "x", "message": ', timeout=30, headers={"Content-Type": "application/json"}
            )
        elif case == "wrong_content_type":
            resp = requests.post(
                url,
                data="sender=x&message=hi",
                timeout=30,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        else:
            resp = requests.post(url, data=ONE_MB, timeout=30, headers={"Content-Type": "application/json"})
        assert 400 <= resp.status_code < 500, (url, case, resp.status_code, resp.text[:200])
    assert client.send(uuid.uuid4().hex, "加强针怎么打").answer["answer_id"] == "booster_schedule"


def test_rest_refusals_explain_themselves(stack):
    resp = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": "u", "message": "问" * 600}, timeout=30
    )
    assert resp.status_code == 413
    assert resp.json()["error"] == "too_long" and "太长" in resp.json()["message"]


def test_http_api_needs_the_token(stack):
    assert requests.get(f"{stack.rasa_url}/status", timeout=10).status_code == 401
    assert requests.post(f"{stack.rasa_url}/model/parse", json={"text": "hi"}, timeout=10).status_code == 401


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=600))
def test_any_text_gets_a_reply_or_a_clear_error(stack, text):
    resp = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": "hypothesis", "message": text}),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    if resp.status_code == 200:
        messages = resp.json()
        assert any(m.get("text") for m in messages), (text, messages)
    else:
        assert 400 <= resp.status_code < 500, (text, resp.status_code)
        assert resp.json()["message"]


def test_logs_hold_neither_user_text_nor_the_token(stack, client):
    marker = f"独特问题{uuid.uuid4().hex[:6]}加强针怎么打"
    client.send(uuid.uuid4().hex, marker)
    logs = [p for p in stack.log_dir.glob(f"*-{stack.rasa_port}.log")]
    assert logs
    for path in logs:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert marker not in text, path
        assert stack.auth_token not in text, path
