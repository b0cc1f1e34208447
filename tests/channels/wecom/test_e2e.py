"""The WeCom channel inside the real Rasa server, driven the way WeCom drives it.

This module starts its own stack with the shipped credentials.yml and WeCom
settings in the children's environment, the messaging API pointed at a fake on
loopback; the fake records what the channel sends back.
"""

import base64
import os
import secrets
import time
import uuid

import pytest
import requests

from bot.paths import PROJECT_ROOT
from tests.support.fake_wecom_api import FakeWeComApi
from tests.support.wecom_client import WeComClient, message_xml
from tests.support.wecom_stack import wecom_stack as start_wecom_stack

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ROOT = PROJECT_ROOT
CORP_ID = "ww" + secrets.token_hex(8)
AGENT_ID = 1000002
SOURCE = "【来源】"
POLITE = "请直接输入文字问题"


@pytest.fixture(scope="module")
def fake_api():
    with FakeWeComApi(CORP_ID, secret=secrets.token_urlsafe(24)) as fake:
        yield fake


@pytest.fixture(scope="module")
def wecom_stack(fake_api):
    with start_wecom_stack(fake_api, CORP_ID, AGENT_ID) as stack:
        yield stack


@pytest.fixture
def wecom(wecom_stack) -> WeComClient:
    return wecom_stack.wecom


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


def new_msg_id() -> str:
    return str(secrets.randbelow(10**18) + 10**18)


def contents(fake: FakeWeComApi, user: str):
    return [send["body"]["text"]["content"] for send in fake.sends_to(user)]


def wait_reply(fake: FakeWeComApi, user: str, timeout: float = 20.0) -> str:
    assert fake.wait_for(lambda: fake.sends_to(user), timeout), f"no reply for {user} within {timeout}s"
    time.sleep(0.5)  # a long answer goes out in several sends
    return "\n".join(contents(fake, user))


def test_channel_is_enabled(wecom_stack):
    resp = requests.get(f"{wecom_stack.rasa_url}/webhooks/wecom/", timeout=5)
    assert resp.json() == {"status": "ok", "enabled": True}


def test_url_verification_returns_the_echostr(wecom):
    resp = wecom.verify_url("1616140317555161061")
    assert resp.status_code == 200 and resp.text == "1616140317555161061"


def test_url_verification_with_a_bad_signature_is_refused(wecom):
    assert wecom.verify_url("123", signature="0" * 40).status_code == 403


def test_text_message_is_answered_through_the_api_with_its_source(wecom, fake_api):
    user = new_user()
    resp = wecom.text(user, "加强针怎么打", new_msg_id())
    assert resp.status_code == 200 and resp.text == ""
    assert resp.elapsed.total_seconds() < 2, "the callback must be acknowledged before the bot answers"
    reply = wait_reply(fake_api, user)
    assert SOURCE in reply
    send = fake_api.sends_to(user)[0]["body"]
    assert send["msgtype"] == "text" and send["agentid"] == AGENT_ID and send["touser"] == user
    assert all(len(c.encode("utf-8")) <= 2048 for c in contents(fake_api, user))


def test_duplicate_msg_id_is_answered_once(wecom, fake_api):
    question = "哪些人可以打新冠疫苗"
    # The same question delivered once, to learn how many sends one answer takes.
    control = new_user()
    wecom.text(control, question, new_msg_id())
    wait_reply(fake_api, control)
    user, msg_id = new_user(), new_msg_id()
    plain = message_xml(CORP_ID, user, "text", AGENT_ID, content=question, msg_id=msg_id)
    first = wecom.post_plain(plain)
    retries = [wecom.post_plain(plain) for _ in range(2)]  # WeCom re-sends unanswered callbacks
    assert first.status_code == 200 and all(r.status_code == 200 for r in retries)
    wait_reply(fake_api, user)
    time.sleep(3)  # long enough for a second answer, had a retry started one
    sent = contents(fake_api, user)
    assert len(sent) == len(contents(fake_api, control)), sent
    assert sent == contents(fake_api, control) and SOURCE in sent[-1]


def test_token_is_refreshed_after_it_expires(wecom, fake_api):
    warm = new_user()  # make sure a token is cached before expiring it
    wecom.text(warm, "你好", new_msg_id())
    wait_reply(fake_api, warm)
    fetched = len(fake_api.token_requests)
    fake_api.expire_tokens()
    user = new_user()
    wecom.text(user, "加强针怎么打", new_msg_id())
    assert SOURCE in wait_reply(fake_api, user)
    assert len(fake_api.token_requests) == fetched + 1
    refused = [r for r in fake_api.refused_sends if r["body"]["touser"] == user]
    assert [r["errcode"] for r in refused] == [42001]
    assert fake_api.sends_to(user)[0]["token"] != refused[0]["token"]


def test_token_is_refreshed_when_the_api_says_42001_once(wecom, fake_api):
    fetched = len(fake_api.token_requests)
    fake_api.fail_next_send(42001)
    user = new_user()
    wecom.text(user, "加强针怎么打", new_msg_id())
    assert SOURCE in wait_reply(fake_api, user)
    assert len(fake_api.token_requests) == fetched + 1


def test_token_is_renewed_before_expires_in_runs_out(wecom, fake_api):
    fake_api.expires_in = 2  # the next token lives two seconds
    try:
        fake_api.expire_tokens()
        first = new_user()
        wecom.text(first, "你好", new_msg_id())
        wait_reply(fake_api, first)
        fetched, refused = len(fake_api.token_requests), len(fake_api.refused_sends)
        time.sleep(2.5)
        second = new_user()
        wecom.text(second, "你好", new_msg_id())
        wait_reply(fake_api, second)
        assert len(fake_api.token_requests) == fetched + 1
        assert len(fake_api.refused_sends) == refused, "the token should be renewed before WeCom refuses it"
    finally:
        fake_api.expires_in = 7200
        fake_api.expire_tokens()


@pytest.mark.parametrize("kind", ["image", "voice", "location"])
def test_non_text_messages_get_the_polite_hint(wecom, fake_api, kind):
    user = new_user()
    assert wecom.post_plain(message_xml(CORP_ID, user, kind, AGENT_ID, msg_id=new_msg_id())).status_code == 200
    assert POLITE in wait_reply(fake_api, user)


def test_entering_the_app_gets_a_welcome_once(wecom, fake_api):
    user = new_user()
    for offset in (0, 1):
        event = message_xml(
            CORP_ID, user, "event", AGENT_ID, event="enter_agent", create_time=int(time.time()) + offset
        )
        assert wecom.post_plain(event).status_code == 200
    assert POLITE in wait_reply(fake_api, user)
    time.sleep(2)
    assert len(fake_api.sends_to(user)) == 1


def _text_plain(user: str) -> bytes:
    return message_xml(CORP_ID, user, "text", AGENT_ID, content="加强针怎么打", msg_id=new_msg_id())


ATTACK_USERS = []


def _attacker() -> str:
    ATTACK_USERS.append(new_user())
    return ATTACK_USERS[-1]


def test_wrong_signature_is_403(wecom):
    assert wecom.post_plain(_text_plain(_attacker()), signature="0" * 40).status_code == 403
    no_params = wecom.http.post(wecom.url, data=wecom.envelope(wecom.seal(_text_plain(_attacker()))), timeout=5)
    assert no_params.status_code == 403


@pytest.mark.parametrize("skew", [-600, 600])
def test_stale_or_future_timestamp_is_403(wecom, skew):
    assert wecom.post_plain(_text_plain(_attacker()), timestamp=int(time.time()) + skew).status_code == 403


def test_message_for_another_corp_is_403(wecom):
    encrypt = wecom.seal(_text_plain(_attacker()), receive_id="wwsomebodyelse")
    assert wecom.post_raw(wecom.envelope(encrypt), wecom.signed_params(encrypt)).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><Encrypt>abc</Encrypt>",
        b'{"Encrypt": "abc"}',
        b"",
        b"<xml><ToUserName>x</ToUserName></xml>",
    ],
)
def test_malformed_or_non_xml_is_400(wecom, body):
    assert wecom.post_raw(body).status_code == 400


def test_xxe_and_entity_bombs_are_400(wecom):
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<xml><Encrypt>&x;</Encrypt></xml>"
    )
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "haha">'
        + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10) for i in range(8))
        + b"]><xml><Encrypt>&i;</Encrypt></xml>"
    )
    for body in (xxe, laughs):
        assert wecom.post_raw(body).status_code == 400
    # The same inside a correctly signed and encrypted payload.
    inner = (
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<xml><FromUserName>" + _attacker().encode() + b"</FromUserName><MsgType>text</MsgType>"
        b"<Content>&x;</Content><MsgId>1</MsgId></xml>"
    )
    assert wecom.post_plain(inner).status_code == 400


def test_oversized_body_is_400(wecom):
    encrypt = base64.b64encode(os.urandom(75 * 1024)).decode()  # ~100 KB once base64-encoded
    resp = wecom.post_raw(wecom.envelope(encrypt), wecom.signed_params(encrypt))
    assert resp.status_code == 400


def test_refused_callbacks_never_reached_the_bot_and_the_server_still_answers(wecom, fake_api):
    user = new_user()
    wecom.text(user, "加强针怎么打", new_msg_id())
    assert SOURCE in wait_reply(fake_api, user)
    assert ATTACK_USERS and not any(fake_api.sends_to(u) for u in ATTACK_USERS)


def test_channel_stays_off_without_its_settings(stack):
    """The default stack has no WECOM_* variables: it starts, and the channel says so."""
    if os.environ.get("WECOM_CORP_ID"):
        pytest.skip("WeCom variables are set in this environment")
    assert requests.get(f"{stack.rasa_url}/webhooks/wecom/", timeout=5).json()["enabled"] is False
    assert requests.post(f"{stack.rasa_url}/webhooks/wecom/webhook", data=b"<xml/>", timeout=5).status_code == 404
    if not os.environ.get("WECHAT_APP_ID"):  # the Official Account channel behaves the same
        assert requests.get(f"{stack.rasa_url}/webhooks/wechat/", timeout=5).json()["enabled"] is False
        assert requests.post(f"{stack.rasa_url}/webhooks/wechat/webhook", data=b"<xml/>", timeout=5).status_code == 404


def test_options_are_numbered_and_a_typed_number_picks_one(wecom, fake_api):
    from tests.e2e.test_clarify import CLARIFIED

    user = new_user()
    wecom.text(user, CLARIFIED, new_msg_id())
    asked = wait_reply(fake_api, user)
    assert "1. " in asked and "回复数字即可选择" in asked and SOURCE not in asked
    before = len(fake_api.sends_to(user))
    wecom.text(user, "1", new_msg_id())
    assert fake_api.wait_for(lambda: len(fake_api.sends_to(user)) > before, 20)
    time.sleep(0.5)
    assert SOURCE in "\n".join(contents(fake_api, user)[before:])
