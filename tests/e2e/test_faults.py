"""Faults: a dead action server, and junk through the channel."""

import re
import uuid

import pytest
import requests

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


# Each kind of junk gets its own outcome: a refusal with the reason in Chinese,
# or an ordinary reply (which for these is a decline, never a made-up answer).
JUNK = [
    ("", 400, "empty"),
    (" ", 400, "empty"),
    ("\x00\x01", 400, "binary"),
    ("问" * 10000, 413, "too_long"),
    ("😷" * 50, 200, None),
    ("<script>alert(1)</script>", 200, None),
]


@pytest.mark.parametrize("text, status, code", JUNK, ids=["empty", "blank", "binary", "huge", "emoji", "html"])
def test_junk_through_rest_gets_a_clear_outcome_not_a_crash(client, stack, text, status, code):
    resp = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": uuid.uuid4().hex, "message": text}, timeout=60
    )
    assert resp.status_code == status, (text[:20], resp.status_code, resp.text[:200])
    body = resp.json()
    if code:
        assert body["error"] == code
        assert re.search(r"[\u4e00-\u9fff]", body["message"]), body  # said in Chinese
        return
    replies = [m["text"] for m in body if m.get("text")]
    assert replies, body
    assert not any("【来源】" in r for r in replies), replies  # nothing answered from the article
    assert not any("<script>" in r for r in replies), replies


def test_the_bot_still_answers_after_junk(client, stack):
    for text, _, _ in JUNK:
        requests.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": "junk-then-question", "message": text},
            timeout=60,
        )
    assert client.send("junk-then-question", "加强针怎么打").answer["answer_id"] == "booster_schedule"


def test_faq_still_answered_when_the_action_server_is_down(stack, client):
    stack.stop_action_server()
    try:
        turn = client.send(uuid.uuid4().hex, "加强针怎么打")
        assert "暂不用进行加强免疫" in turn.reply  # the intent layer's own FAQ answer
        assert "【来源】" in turn.reply
        assert "详细检索暂时不可用" in turn.reply
        declined = client.send(uuid.uuid4().hex, "政采贷怎么申请")
        assert "12320" in declined.reply
    finally:
        stack.start_action_server()
        stack.wait_ready()
    recovered = client.send(uuid.uuid4().hex, "加强针怎么打")
    assert recovered.answer.get("answer_id") == "booster_schedule"
    assert "详细检索暂时不可用" not in recovered.reply
