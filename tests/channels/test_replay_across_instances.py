"""Two Rasa servers behind one WeCom app and one Official Account, sharing the
delivery memory in Redis (dedup_store: redis): a callback captured on its way
to instance A and replayed, byte for byte, to instance B within the timestamp
window is not answered again; replayed after the window, it is refused.

Redis comes from scripts/services.sh (tests/support/services.py). Each
instance keeps its own SQLite conversations, so B's tracker shows whether
anything reached B's bot.
"""

import secrets
import time
import uuid

import pytest
import requests

from bot.paths import PROJECT_ROOT
from tests.support.fake_wechat_api import FakeWeChatApi
from tests.support.fake_wecom_api import FakeWeComApi
from tests.support.wechat_client import WeChatClient, wechat_message_xml
from tests.support.wecom_client import WeComClient, make_encoding_aes_key, message_xml

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

CORP_ID, AGENT_ID = "ww" + secrets.token_hex(8), 1000002
APP_ID, ACCOUNT = "wx" + secrets.token_hex(8), "gh_" + secrets.token_hex(6)
SOURCE = "【来源】"
LOG_DIR = PROJECT_ROOT / "artifacts" / "logs"
START_TIMEOUT = 600


@pytest.fixture(scope="module")
def apis():
    with (
        FakeWeComApi(CORP_ID, secrets.token_urlsafe(24)) as wecom,
        FakeWeChatApi(APP_ID, secrets.token_urlsafe(24)) as wechat,
    ):
        yield wecom, wechat


@pytest.fixture(scope="module")
def pair(apis, store_env, tmp_path_factory):
    from bot.serving.stack import Stack, free_port

    redis_env = store_env  # PostgreSQL and Redis from the session fixture; only Redis is used
    wecom_api, wechat_api = apis
    secrets_ = {
        "wecom_token": secrets.token_hex(12),
        "wecom_key": make_encoding_aes_key(),
        "wechat_token": secrets.token_hex(12),
        "wechat_key": make_encoding_aes_key(),
    }
    env = {
        **{k: v for k, v in redis_env.items() if k.startswith("BOT_REDIS_")},
        "WECOM_CORP_ID": CORP_ID,
        "WECOM_TOKEN": secrets_["wecom_token"],
        "WECOM_ENCODING_AES_KEY": secrets_["wecom_key"],
        "WECOM_AGENT_ID": str(AGENT_ID),
        "WECOM_SECRET": wecom_api.secret,
        "WECOM_API_BASE": wecom_api.url,
        "WECOM_DEDUP_STORE": "redis",
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": wechat_api.secret,
        "WECHAT_TOKEN": secrets_["wechat_token"],
        "WECHAT_ENCODING_AES_KEY": secrets_["wechat_key"],
        "WECHAT_API_BASE": wechat_api.url,
        "WECHAT_DEDUP_STORE": "redis",
    }
    a = Stack(
        rasa_port=free_port(),
        actions_port=free_port(),
        log_dir=LOG_DIR,
        extra_env=env,
        tracker_db=tmp_path_factory.mktemp("a") / "conversations.db",
    )
    b = Stack(
        rasa_port=free_port(),
        actions_port=a.actions_port,
        start_actions=False,
        log_dir=LOG_DIR,
        extra_env=env,
        tracker_db=tmp_path_factory.mktemp("b") / "conversations.db",
    )
    # One after the other, with room to spare: two model loads at once on a
    # busy two-core machine can take minutes.
    a.start(timeout=START_TIMEOUT)
    try:
        b.start(timeout=START_TIMEOUT)
        try:
            for stack in (a, b):
                # A fresh server's first turn loads lazily-built pieces; keep it out of the tests.
                requests.post(
                    f"{stack.rasa_url}/webhooks/rest/webhook",
                    json={"sender": "warm-up", "message": "加强针怎么打"},
                    timeout=120,
                )
                stack.wecom = WeComClient(
                    f"{stack.rasa_url}/webhooks/wecom/webhook",
                    secrets_["wecom_token"],
                    secrets_["wecom_key"],
                    CORP_ID,
                    AGENT_ID,
                )
                stack.wechat = WeChatClient(
                    f"{stack.rasa_url}/webhooks/wechat/webhook",
                    secrets_["wechat_token"],
                    secrets_["wechat_key"],
                    APP_ID,
                    ACCOUNT,
                )
            yield a, b
        finally:
            b.stop()
    finally:
        a.stop()


def user_turns(stack, sender: str) -> list:
    resp = requests.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.auth_token}, timeout=10
    )
    resp.raise_for_status()
    return [e.get("text") for e in resp.json()["events"] if e["event"] == "user"]


def new_msg_id() -> str:
    return str(secrets.randbelow(10**18) + 10**18)


def test_wechat_replay_to_the_other_instance_is_not_answered(pair, apis):
    a, b = pair
    _, wechat_api = apis
    user = f"o{uuid.uuid4().hex[:20]}"
    encrypt = a.wechat.seal(wechat_message_xml(ACCOUNT, user, "text", content="加强针怎么打", msg_id=new_msg_id()))
    params, body = a.wechat.query(encrypt, user), a.wechat.envelope_for(encrypt)

    first = a.wechat.read(a.wechat.post_raw(body, params))
    replayed = b.wechat.read(b.wechat.post_raw(body, params))
    assert replayed.raw == b"success"
    if first.content is None:  # a turn slower than 4 s is delivered through the API instead
        assert first.raw == b"success" and wechat_api.wait_for(lambda: wechat_api.sends_to(user), 30)
    time.sleep(3)  # long enough for B to have answered, had it started a turn
    answers = ([first.content] if first.content else []) + [
        send["body"]["text"]["content"] for send in wechat_api.sends_to(user)
    ]
    assert len(answers) == 1 and SOURCE in answers[0], answers
    assert user_turns(a, f"wechat:{user}") == ["加强针怎么打"]
    assert user_turns(b, f"wechat:{user}") == [], "the replay reached instance B's bot"
    # B is not simply refusing: a new message from the same user starts a turn there.
    b.wechat.text(user, "哪些人可以接种", new_msg_id())
    assert user_turns(b, f"wechat:{user}") == ["哪些人可以接种"]


def test_wecom_replay_to_the_other_instance_is_not_answered(pair, apis):
    a, b = pair
    wecom_api, _ = apis
    user = f"user-{uuid.uuid4().hex[:10]}"
    encrypt = a.wecom.seal(message_xml(CORP_ID, user, "text", AGENT_ID, content="加强针怎么打", msg_id=new_msg_id()))
    params, body = a.wecom.signed_params(encrypt), a.wecom.envelope(encrypt, CORP_ID, str(AGENT_ID))

    assert a.wecom.post_raw(body, params).status_code == 200
    assert wecom_api.wait_for(lambda: wecom_api.sends_to(user))
    replayed = b.wecom.post_raw(body, params)
    assert replayed.status_code == 200 and replayed.text == ""
    time.sleep(3)  # long enough for B to have answered, had it started a turn
    assert user_turns(a, f"wecom:{user}") == ["加强针怎么打"]
    assert user_turns(b, f"wecom:{user}") == []
    sends = wecom_api.sends_to(user)
    assert len(sends) == 1 and SOURCE in sends[0]["body"]["text"]["content"]


@pytest.mark.parametrize("channel", ["wechat", "wecom"])
def test_a_replay_older_than_the_window_is_refused_everywhere(pair, channel):
    """The signed timestamp bounds a replay's life to 300 s, half the dedup memory."""
    stale = int(time.time()) - 301
    for stack in pair:
        if channel == "wechat":
            client = stack.wechat
            user = f"o{uuid.uuid4().hex[:20]}"
            resp = client.post_plain(
                wechat_message_xml(ACCOUNT, user, "text", content="加强针怎么打", msg_id=new_msg_id()),
                user,
                timestamp=stale,
            )
            assert resp.status == 403
        else:
            user = f"user-{uuid.uuid4().hex[:10]}"
            plain = message_xml(CORP_ID, user, "text", AGENT_ID, content="加强针怎么打", msg_id=new_msg_id())
            assert stack.wecom.post_plain(plain, timestamp=stale).status_code == 403
