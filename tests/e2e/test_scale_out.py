"""Two Rasa servers sharing one conversation store (PostgreSQL) and one lock
store (Redis), with endpoints.scale-out.yml: any instance serves any turn.

PostgreSQL and Redis come from scripts/services.sh (Debian packages, loopback,
throwaway data under .cache/services/). As root, and always in CI, the script
installs what is missing; the module is skipped only where the packages are
missing and cannot be installed (no root, not CI).
"""

from __future__ import annotations

import os
import signal
import threading
import uuid
from typing import Dict, List

import pytest
import requests

from bot.serving.client import BotClient
from bot.serving.stack import PROJECT_ROOT, RASA_BIN, Stack, free_port
from tests.support.services import parse_env, services

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ENDPOINTS = "endpoints.scale-out.yml"
LOG_DIR = PROJECT_ROOT / "artifacts" / "logs"
SOURCE_MARK = "【来源】"
GREETING_MARK = "新冠疫苗接种问答助手"
THANKS_MARK = "不客气"
# What Rasa's FailSafeTrackerStore logs when it answers a turn without history.
TRACKER_STORE_FAILURE = "Error happened when trying to"


def new_sender(kind: str) -> str:
    return f"scale-{kind}-{uuid.uuid4().hex[:8]}"


def tracker(stack: Stack, sender: str) -> dict:
    resp = requests.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.auth_token}, timeout=30
    )
    resp.raise_for_status()
    return resp.json()


def user_texts(events: List[dict]) -> List[str]:
    return [e.get("text") for e in events if e["event"] == "user"]


def dialogue(events: List[dict]) -> List[tuple]:
    """The conversation as both sides said it, for comparing instances."""
    return [(e["event"], e.get("text")) for e in events if e["event"] in ("user", "bot")]


def assert_turns_never_interleave(events: List[dict]) -> None:
    # Every user message is answered before the next one is read.
    said = [e["event"] for e in events if e["event"] in ("user", "bot")]
    for first, second in zip(said, said[1:], strict=False):  # adjacent pairs: one shorter by design
        assert not (first == "user" and second == "user"), said
    assert said[-1] == "bot", said


class LogWatch:
    """Lines a Rasa instance logs from now on (its log file is appended to)."""

    def __init__(self, stack: Stack):
        self.path = stack.log_dir / f"rasa-{stack.rasa_port}.log"
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def new_text(self) -> str:
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            return fh.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def pair(store_env, tmp_path_factory):
    """Instance A runs the action server; B uses A's."""
    common = dict(
        endpoints=ENDPOINTS,
        extra_env=store_env,
        log_dir=LOG_DIR,
        # Not used by endpoints.scale-out.yml; keeps the runner's SQLite default out of state/.
        tracker_db=tmp_path_factory.mktemp("unused") / "conversations.db",
    )
    a = Stack(rasa_port=free_port(), actions_port=free_port(), **common)
    b = Stack(rasa_port=free_port(), actions_port=a.actions_port, start_actions=False, **common)
    a.start()
    try:
        b.start()
    except BaseException:
        a.stop()
        raise
    yield a, b
    b.stop()
    a.stop()


def test_services_script_is_idempotent(store_env):
    again = services("start", timeout=60)
    assert again.returncode == 0, again.stderr
    assert parse_env(again.stdout) == store_env
    assert services("status").returncode == 0


def test_one_conversation_alternating_between_instances(pair):
    a, b = pair
    sender = new_sender("alt")
    ca, cb = BotClient(a.rasa_url, a.auth_token), BotClient(b.rasa_url, b.auth_token)

    greet = ca.send(sender, "你好")
    faq = cb.send(sender, "加强针怎么打")
    follow_up = ca.send(sender, "那智飞的呢")
    thanks = cb.send(sender, "谢谢")

    assert GREETING_MARK in greet.reply
    assert SOURCE_MARK in faq.reply and faq.answer["answer_id"] == "booster_schedule"
    # A answers the follow-up from the question B handled: the history is shared.
    assert SOURCE_MARK in follow_up.reply
    assert follow_up.answer["answer_id"].startswith("booster_schedule")
    assert THANKS_MARK in thanks.reply

    seen_by_a, seen_by_b = tracker(a, sender)["events"], tracker(b, sender)["events"]
    assert user_texts(seen_by_a) == ["你好", "加强针怎么打", "那智飞的呢", "谢谢"]
    assert dialogue(seen_by_a) == dialogue(seen_by_b)
    assert_turns_never_interleave(seen_by_a)


def test_concurrent_messages_for_one_sender_are_serialised(pair):
    a, b = pair
    sender = new_sender("conc")
    questions = [
        "你好",
        "加强针怎么打",
        "哪些人可以打新冠疫苗",
        "谢谢",
        "我们这有哪几种疫苗可以打",
        "你是机器人吗",
        "加强针的接种对象是哪些人",
        "再见",
        "你能做什么",
        "打完疫苗发烧怎么办",
    ]
    gate = threading.Barrier(len(questions))
    results: Dict[int, object] = {}

    def send(i: int) -> None:
        target = a if i % 2 == 0 else b
        gate.wait()  # all ten requests leave together
        try:
            resp = requests.post(
                f"{target.rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": questions[i]},
                timeout=180,
            )
            results[i] = (resp.status_code, resp.json() if resp.ok else resp.text[:200])
        except Exception as exc:  # reported below with the others
            results[i] = exc

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(questions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for i, result in sorted(results.items()):
        assert isinstance(result, tuple) and result[0] == 200, (questions[i], result)
        assert any(m.get("text") for m in result[1]), (questions[i], result)
    events = tracker(b, sender)["events"]
    said = user_texts(events)
    assert len(said) == len(questions), said
    assert sorted(said) == sorted(questions)
    assert_turns_never_interleave(events)
    assert dialogue(events) == dialogue(tracker(a, sender)["events"])


def test_conversation_continues_across_a_database_restart(pair):
    a, b = pair
    sender = new_sender("pg")
    ca, cb = BotClient(a.rasa_url, a.auth_token), BotClient(b.rasa_url, b.auth_token)
    # Both instances hold pooled connections when the database goes away.
    assert GREETING_MARK in cb.send(sender, "你好").reply
    assert ca.send(sender, "加强针怎么打").answer["answer_id"] == "booster_schedule"
    watches = [LogWatch(a), LogWatch(b)]

    restarted = services("restart-pg", timeout=120)
    assert restarted.returncode == 0, restarted.stderr

    # The first turn on each instance after the restart meets a pool of dead
    # connections; both must read the stored history and keep their turn.
    follow_up = cb.send(sender, "那智飞的呢")
    assert follow_up.answer["answer_id"].startswith("booster_schedule")
    assert THANKS_MARK in ca.send(sender, "谢谢").reply

    expected = ["你好", "加强针怎么打", "那智飞的呢", "谢谢"]
    for stack in (a, b):
        assert user_texts(tracker(stack, sender)["events"]) == expected
    for watch in watches:
        assert TRACKER_STORE_FAILURE not in watch.new_text()


def test_instance_killed_mid_conversation(pair):
    a, b = pair
    sender = new_sender("kill")
    ca, cb = BotClient(a.rasa_url, a.auth_token), BotClient(b.rasa_url, b.auth_token)
    assert GREETING_MARK in ca.send(sender, "你好").reply
    assert cb.send(sender, "哪些人可以打新冠疫苗").answer["answer_id"]
    assert ca.send(sender, "加强针怎么打").answer["answer_id"] == "booster_schedule"

    # SIGKILL: no shutdown hook runs, as when a machine or container dies.
    rasa_a = next(p for p in a._procs if p.args[0] == str(RASA_BIN))
    os.killpg(rasa_a.pid, signal.SIGKILL)
    rasa_a.wait(timeout=30)
    a._procs.remove(rasa_a)
    with pytest.raises(requests.ConnectionError):
        ca.send(sender, "谢谢")

    follow_up = cb.send(sender, "那智飞的呢")
    assert follow_up.answer["answer_id"].startswith("booster_schedule")
    expected = ["你好", "哪些人可以打新冠疫苗", "加强针怎么打", "那智飞的呢"]
    assert user_texts(tracker(b, sender)["events"]) == expected

    # A replacement instance (what an orchestrator would start) picks the
    # conversation up where B left it.
    a.start_rasa_server()
    a.wait_ready()
    assert THANKS_MARK in ca.send(sender, "谢谢").reply
    assert user_texts(tracker(a, sender)["events"]) == expected + ["谢谢"]
    assert dialogue(tracker(a, sender)["events"]) == dialogue(tracker(b, sender)["events"])
