"""The booster check on WeCom: the form's quick replies arrive as numbered
lines, and a typed number answers the question (real Rasa server with the
WeCom channel, action server, the messaging API faked on loopback)."""

import secrets
import time
import uuid

import pytest

from tests.support.fake_wecom_api import FakeWeComApi
from tests.support.wecom_stack import wecom_stack

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

CORP_ID = "ww" + secrets.token_hex(8)
AGENT_ID = 1000002


@pytest.fixture(scope="module")
def fake_api():
    with FakeWeComApi(CORP_ID, secret=secrets.token_urlsafe(24)) as fake:
        yield fake


@pytest.fixture(scope="module")
def wecom(fake_api):
    with wecom_stack(fake_api, CORP_ID, AGENT_ID) as stack:
        yield stack.wecom


def say(wecom, fake_api, user: str, text: str, timeout: float = 20.0) -> str:
    """Sends one message and returns everything the bot sent back for it."""
    before = len(fake_api.sends_to(user))
    assert wecom.text(user, text, str(secrets.randbelow(10**18) + 10**18)).status_code == 200
    assert fake_api.wait_for(lambda: len(fake_api.sends_to(user)) > before, timeout), f"no reply to {text!r}"
    time.sleep(1.0)  # one turn may go out in several sends
    return "\n".join(s["body"]["text"]["content"] for s in fake_api.sends_to(user)[before:])


def test_numbered_quick_replies_answer_the_form(wecom, fake_api):
    user = f"user-{uuid.uuid4().hex[:10]}"
    first = say(wecom, fake_api, user, "我能打加强针吗")
    assert "您之前打的新冠疫苗是哪一种？" in first
    assert "1. 科兴" in first and "5. 康希诺" in first
    doses = say(wecom, fake_api, user, "5")  # 5. 康希诺
    assert "康希诺疫苗您一共打了几针？" in doses and "1. 1针" in doses
    age = say(wecom, fake_api, user, "1")  # 1. 1针
    assert "您今年多大年龄？" in age
    say(wecom, fake_api, user, "45")
    verdict = say(wecom, fake_api, user, "去年3月")
    assert "结论：按文章的规定，您现在可以接种加强针。" in verdict
    assert "12320" in verdict and "2022年5月" in verdict
