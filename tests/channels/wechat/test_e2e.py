"""The Official Account channel inside the real Rasa server, driven the way
WeChat drives it (tests/support/wechat_client.py signs and encrypts on its own).

This module starts its own Rasa server with the shipped credentials.yml and
WECHAT_* settings, the customer-service API pointed at a fake on loopback that
records every send. The real action server sits behind a SlowProxy, so a test
can make a bot turn slower than WeChat's five seconds.
"""

import base64
import os
import secrets
import time
import uuid

import pytest
import requests

from bot.channels.options import CHOICE_HINT
from bot.paths import PROJECT_ROOT
from tests.support.fake_wechat_api import FakeWeChatApi
from tests.support.slow_proxy import SlowProxy
from tests.support.wechat_client import WeChatClient, wechat_message_xml
from tests.support.wecom_client import make_encoding_aes_key

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

APP_ID = "wx" + secrets.token_hex(8)
ACCOUNT = "gh_" + secrets.token_hex(6)
SOURCE = "【来源】"
POLITE = "请直接输入文字问题"
WELCOME = "猜你想问"
DEADLINE = 4.0
SLOW = 6.5  # longer than WeChat's 5 s: only the customer-service API can deliver this turn
LOG_DIR = PROJECT_ROOT / "artifacts" / "logs"


@pytest.fixture(scope="module")
def fake_api():
    with FakeWeChatApi(APP_ID, app_secret=secrets.token_urlsafe(24)) as fake:
        yield fake


@pytest.fixture(scope="module")
def wechat_stack(fake_api, tmp_path_factory):
    from bot.serving.stack import Stack, free_port

    token, aes_key = secrets.token_hex(12), make_encoding_aes_key()
    env = {
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": fake_api.secret,
        "WECHAT_TOKEN": token,
        "WECHAT_ENCODING_AES_KEY": aes_key,
        "WECHAT_API_BASE": fake_api.url,
        "WECHAT_REPLY_DEADLINE": str(DEADLINE),
    }
    rasa_port = free_port()
    actions = Stack(rasa_port=rasa_port, actions_port=free_port(), log_dir=LOG_DIR)
    actions.start_action_server()
    proxy = None
    try:
        actions.wait_ready(timeout=600, only_actions=True)
        proxy = SlowProxy(actions.actions_url).start()
        stack = Stack(
            rasa_port=rasa_port,
            actions_port=proxy.port,
            start_actions=False,
            log_dir=LOG_DIR,
            extra_env=env,
            tracker_db=tmp_path_factory.mktemp("wechat") / "conversations.db",
        )
        stack.start(timeout=600)  # a busy two-core machine can take minutes to load the model
        try:
            stack.proxy = proxy
            stack.wechat = WeChatClient(f"{stack.rasa_url}/webhooks/wechat/webhook", token, aes_key, APP_ID, ACCOUNT)
            # The first turn of a fresh server loads lazily-built pieces; keep it out of the timings.
            requests.post(
                f"{stack.rasa_url}/webhooks/rest/webhook",
                json={"sender": "warm-up", "message": "加强针怎么打"},
                timeout=120,
            )
            yield stack
        finally:
            stack.stop()
    finally:
        if proxy is not None:
            proxy.stop()
        actions.stop()


@pytest.fixture
def wechat(wechat_stack) -> WeChatClient:
    return wechat_stack.wechat


@pytest.fixture
def slow_turns(wechat_stack):
    wechat_stack.proxy.delay = SLOW
    try:
        yield wechat_stack.proxy
    finally:
        wechat_stack.proxy.delay = 0.0


def new_user() -> str:
    return f"o{uuid.uuid4().hex[:20]}"


def new_msg_id() -> str:
    return str(secrets.randbelow(10**18) + 10**18)


def user_turns(stack, openid: str) -> list:
    """What reached the bot for this user (the tracker's user events)."""
    resp = requests.get(
        f"{stack.rasa_url}/conversations/wechat:{openid}/tracker", params={"token": stack.auth_token}, timeout=10
    )
    resp.raise_for_status()
    return [e.get("text") for e in resp.json()["events"] if e["event"] == "user"]


def sent_texts(fake: FakeWeChatApi, openid: str) -> list:
    return [send["body"]["text"]["content"] for send in fake.sends_to(openid)]


def delivered(reply, fake: FakeWeChatApi, openid: str) -> str:
    """The answer, whichever way it went: passively, or (a turn slower than the
    deadline on a busy machine) through the API. Only the passive test and the
    slow-turn tests care which."""
    if reply.content is not None:
        return reply.content
    assert reply.raw == b"success", reply.raw[:200]
    assert fake.wait_for(lambda: fake.sends_to(openid), timeout=30), "no answer either way"
    return "\n".join(sent_texts(fake, openid))


# --- URL verification -------------------------------------------------------------


def test_channel_is_enabled(wechat_stack):
    resp = requests.get(f"{wechat_stack.rasa_url}/webhooks/wechat/", timeout=5)
    assert resp.json() == {"status": "ok", "enabled": True}


def test_url_verification_echoes_echostr(wechat):
    resp = wechat.verify_url("7313546391021645632")
    assert resp.status_code == 200 and resp.text == "7313546391021645632"


@pytest.mark.parametrize("forgery", ["signature", "old timestamp", "no signature"])
def test_forged_url_verification_is_403(wechat, forgery):
    if forgery == "signature":
        resp = wechat.verify_url("123", signature="0" * 40)
    elif forgery == "old timestamp":
        resp = wechat.verify_url("123", timestamp=int(time.time()) - 3600)
    else:
        resp = wechat.http.get(wechat.url, params={"echostr": "123"}, timeout=5)
    assert resp.status_code == 403 and "123" not in resp.text


# --- answers ------------------------------------------------------------------------


def test_text_is_answered_passively_with_its_source(wechat_stack, wechat, fake_api):
    user = new_user()
    reply = wechat.text(user, "加强针怎么打", new_msg_id())
    assert reply.status == 200 and reply.content, reply.raw[:200]
    assert SOURCE in reply.content
    assert reply.fields["ToUserName"] == user and reply.fields["FromUserName"] == ACCOUNT
    assert reply.fields["MsgType"] == "text" and len(reply.content.encode()) <= 2047
    time.sleep(1)
    assert fake_api.sends_to(user) == [], "a passive reply must not also go through the API"
    assert user_turns(wechat_stack, user) == ["加强针怎么打"]


def test_slow_turn_says_success_then_sends_through_the_api_once(wechat_stack, wechat, fake_api, slow_turns):
    user = new_user()
    reply = wechat.text(user, "哪些人可以打新冠疫苗", new_msg_id())
    assert reply.is_silent and reply.raw == b"success", reply.raw[:200]
    assert reply.elapsed < 5, "WeChat must get an answer within its 5 s"
    assert fake_api.wait_for(lambda: fake_api.sends_to(user), timeout=SLOW + 20), "the slow turn's reply was lost"
    time.sleep(2)
    texts = sent_texts(fake_api, user)
    assert len(texts) == 1 and SOURCE in texts[0], texts
    assert fake_api.sends_to(user)[0]["body"]["msgtype"] == "text"
    assert user_turns(wechat_stack, user) == ["哪些人可以打新冠疫苗"]


def test_retries_of_a_slow_turn_are_answered_once(wechat_stack, wechat, fake_api, slow_turns):
    """WeChat re-sends a callback it got no answer for; every copy is signed anew."""
    user, msg_id = new_user(), new_msg_id()
    plain = wechat_message_xml(ACCOUNT, user, "text", content="我们这有哪几种疫苗", msg_id=msg_id)
    first = wechat.post_plain(plain, user)
    retries = [wechat.post_plain(plain, user) for _ in range(2)]
    assert first.raw == b"success" and all(r.raw == b"success" for r in retries)
    assert all(r.elapsed < 1 for r in retries), "a retry must not run the turn again"
    assert fake_api.wait_for(lambda: fake_api.sends_to(user), timeout=SLOW + 20)
    time.sleep(SLOW)  # long enough for a second turn's reply, had there been one
    assert len(sent_texts(fake_api, user)) == 1
    assert user_turns(wechat_stack, user) == ["我们这有哪几种疫苗"]


def test_a_repeated_msg_id_is_answered_once(wechat_stack, wechat, fake_api):
    user, msg_id = new_user(), new_msg_id()
    plain = wechat_message_xml(ACCOUNT, user, "text", content="加强针的接种对象是谁", msg_id=msg_id)
    first = wechat.post_plain(plain, user)
    again = wechat.post_plain(plain, user)
    assert again.raw == b"success"
    assert SOURCE in delivered(first, fake_api, user)
    time.sleep(1)
    assert len(sent_texts(fake_api, user)) == (0 if first.content else 1)
    assert user_turns(wechat_stack, user) == ["加强针的接种对象是谁"]


def test_api_send_recovers_from_a_refused_token(wechat, fake_api, slow_turns):
    fetched = len(fake_api.token_requests)
    fake_api.fail_next_send(40001)
    user = new_user()
    assert wechat.text(user, "加强针怎么打", new_msg_id()).raw == b"success"
    assert fake_api.wait_for(lambda: fake_api.sends_to(user), timeout=SLOW + 20)
    assert SOURCE in sent_texts(fake_api, user)[0]
    assert len(fake_api.token_requests) >= fetched + 1
    assert [r["errcode"] for r in fake_api.refused_sends if r["body"]["touser"] == user] == [40001]


def test_subscribe_gets_the_welcome_and_a_number_picks_a_suggestion(wechat_stack, wechat, fake_api):
    user = new_user()
    welcome = wechat.send(user, "event", event="subscribe")
    assert welcome.content and WELCOME in welcome.content and CHOICE_HINT in welcome.content
    assert "\n2. 我市有哪些新冠病毒疫苗可选择接种" in welcome.content
    answer = delivered(wechat.text(user, "2", new_msg_id()), fake_api, user)
    assert SOURCE in answer and "灭活疫苗" in answer  # the vaccine_types answer, not a reply to "2"
    turns = user_turns(wechat_stack, user)
    assert len(turns) == 1 and turns[0] != "2", turns  # the payload went to Rasa, not the digit


def test_unsubscribe_and_menu_events_get_nothing(wechat, fake_api):
    user = new_user()
    for event in ("unsubscribe", "CLICK", "LOCATION"):
        assert wechat.send(user, "event", event=event, create_time=int(time.time())).raw == b"success"
    time.sleep(0.5)
    assert fake_api.sends_to(user) == []


@pytest.mark.parametrize("kind", ["voice", "image", "location", "video", "link"])
def test_non_text_messages_get_a_polite_text(wechat, fake_api, kind):
    reply = wechat.send(new_user(), kind, msg_id=new_msg_id())
    assert reply.content and POLITE in reply.content


def test_empty_or_overlong_text_gets_a_chinese_message(wechat):
    # Refused before the bot runs, so always passive.
    long = wechat.text(new_user(), "加强针" * 400, new_msg_id())
    assert long.content and "500" in long.content
    empty = wechat.text(new_user(), "   ", new_msg_id())
    assert empty.content and any("\u4e00" <= ch <= "\u9fff" for ch in empty.content)


# --- refused callbacks ---------------------------------------------------------------

ATTACK_USERS = []


def _attack_plain() -> bytes:
    ATTACK_USERS.append(new_user())
    return wechat_message_xml(ACCOUNT, ATTACK_USERS[-1], "text", content="加强针怎么打", msg_id=new_msg_id())


def test_forged_signature_is_403(wechat):
    assert wechat.post_plain(_attack_plain(), tamper={"signature": "0" * 40}).status == 403


def test_forged_msg_signature_is_403(wechat):
    assert wechat.post_plain(_attack_plain(), tamper={"msg_signature": "0" * 40}).status == 403


def test_missing_signatures_are_403(wechat):
    encrypt = wechat.seal(_attack_plain())
    params = wechat.query(encrypt)
    del params["msg_signature"]
    assert wechat.post_raw(wechat.envelope_for(encrypt), params).status_code == 403
    assert wechat.post_raw(wechat.envelope_for(encrypt), {}).status_code == 403


@pytest.mark.parametrize("skew", [-3600, -301, 301])
def test_replay_with_an_old_or_future_timestamp_is_403(wechat, skew):
    assert wechat.post_plain(_attack_plain(), timestamp=int(time.time()) + skew).status == 403


def test_message_for_another_account_is_403(wechat):
    encrypt = wechat.seal(_attack_plain(), receive_id="wxsomebodyelse00")
    assert wechat.post_raw(wechat.envelope_for(encrypt), wechat.query(encrypt)).status_code == 403


def test_plaintext_mode_is_refused(wechat):
    """Only safe mode: a plain-text callback (no encrypt_type) is a 400, even correctly signed."""
    params = wechat.query(None)
    assert wechat.post_raw(_attack_plain(), params).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><Encrypt>abc</Encrypt>",
        b'{"Encrypt": "abc"}',
        b"",
        b"<xml><ToUserName>gh</ToUserName></xml>",
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Encrypt>&x;</Encrypt></xml>',
    ],
)
def test_malformed_or_wrong_content_is_400(wechat, body):
    # Correctly signed query parameters: only the body's shape is wrong.
    assert wechat.post_raw(body, wechat.query("abc")).status_code == 400


def test_undecryptable_or_malformed_inner_message_is_400(wechat):
    garbage = base64.b64encode(os.urandom(64)).decode()
    assert wechat.post_raw(wechat.envelope_for(garbage), wechat.query(garbage)).status_code == 400
    inner = (
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<xml><FromUserName>" + new_user().encode() + b"</FromUserName><MsgType>text</MsgType>"
        b"<Content>&x;</Content><MsgId>1</MsgId></xml>"
    )
    assert wechat.post_plain(inner).status == 400


def test_oversized_body_is_413(wechat):
    encrypt = base64.b64encode(os.urandom(75 * 1024)).decode()  # ~100 KB once base64-encoded
    assert wechat.post_raw(wechat.envelope_for(encrypt), wechat.query(encrypt)).status_code == 413


def test_refused_callbacks_never_reached_the_bot(wechat_stack, wechat, fake_api):
    user = new_user()
    assert SOURCE in delivered(wechat.text(user, "加强针怎么打", new_msg_id()), fake_api, user)
    assert ATTACK_USERS
    for attacker in ATTACK_USERS:
        assert not fake_api.sends_to(attacker)
        assert user_turns(wechat_stack, attacker) == []
