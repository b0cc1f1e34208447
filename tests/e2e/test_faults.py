"""Faults: a dead action server, and junk through the channel."""
import uuid

import pytest
import requests

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_junk_through_rest_gets_an_answer_not_a_crash(client, stack):
    for text in ("", " ", "\x00\x01", "问" * 10000, "😷" * 50, "<script>alert(1)</script>"):
        resp = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                             json={"sender": uuid.uuid4().hex, "message": text}, timeout=60)
        assert resp.status_code < 500, text[:20]
    assert client.send(uuid.uuid4().hex, "加强针怎么打").answer["answer_id"] == "booster_schedule"


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
