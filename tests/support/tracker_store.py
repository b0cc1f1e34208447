"""A real Rasa SQL tracker store for the report's tests, and a scripted
set of conversations over several days whose figures are known.

The rows are written by Rasa's own SQLTrackerStore in the Rasa environment
(tests/support/write_trackers.py), so the report reads exactly what a Rasa
server stores.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from typing import Dict, List

from bot.serving.stack import PROJECT_ROOT, base_env

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
WRITER = PROJECT_ROOT / "tests" / "support" / "write_trackers.py"
BEIJING = timezone(timedelta(hours=8))


def write_conversations(store: Dict, conversations: List[Dict], env: Dict = None) -> None:
    """`env`: e.g. POSTGRESQL_SCHEMA, which Rasa's SQL store reads from the environment."""
    proc = subprocess.run(
        [str(RASA_PYTHON), str(WRITER)],
        input=json.dumps({"store": store, "conversations": conversations}),
        capture_output=True,
        text=True,
        env={**base_env(), **(env or {})},
        cwd=PROJECT_ROOT,
        timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"writing trackers failed:\n{proc.stderr[-3000:]}")


def at(day: int, hour: int, minute: int = 0, second: float = 0.0) -> float:
    """Unix time of 2026-11-<day> <hour>:<minute> Beijing time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BEIJING).timestamp() + second


class Script:
    """Builds one conversation's events turn by turn, a second apart."""

    def __init__(self, sender: str, start: float):
        self.sender, self.t = sender, start
        self.events: List[Dict] = [{"session": start}]

    def _tick(self) -> float:
        self.t += 1.0
        return self.t

    def new_session(self, start: float) -> "Script":
        """Rasa starts a new session after the idle time; the same sender, a new conversation."""
        self.t = start
        self.events.append({"session": start})
        return self

    def say(self, text: str, intent: str, entities=None) -> "Script":
        self.events.append({"user": text, "intent": intent, "entities": entities or [], "t": self._tick()})
        return self

    def reply(self, text: str, action: str, answer: Dict = None, buttons=None) -> "Script":
        self.events.append({"action": action, "t": self._tick()})
        custom = {"answer": answer} if answer is not None else None
        self.events.append({"bot": text, "custom": custom, "buttons": buttons, "t": self._tick()})
        self.events.append({"action": "action_listen", "t": self._tick()})
        return self

    def answer(self, text: str, answer_id: str, kind: str = "faq") -> "Script":
        return self.say(text, "faq").reply(
            "……【来源】……", "action_answer", {"kind": kind, "answer_id": answer_id, "confidence": 0.9}
        )

    def decline(self, text: str) -> "Script":
        return self.say(text, "out_of_scope").reply(
            "抱歉……12320", "action_answer", {"kind": "decline", "answer_id": None, "confidence": 0.2}
        )

    def rate(self, value: str, status: str = "recorded", rated: Dict = None) -> "Script":
        meta = {
            "kind": "feedback",
            "answer_id": None,
            "status": status,
            "feedback": value if status == "recorded" else None,
            "rated": rated,
            "options": [],
        }
        return self.say(f'/feedback{{"value":"{value}"}}', "feedback", [{"entity": "value", "value": value}]).reply(
            "谢谢", "action_feedback", meta
        )

    def as_dict(self) -> Dict:
        return {"sender": self.sender, "events": self.events}


# Sender ids as channels really send them: they identify people.
ALICE, BOB, CAROL, DAVE = "wecom-zhangsan", "oWx_lisi_openid", "web-9f1c-wangwu", "wecom-zhaoliu"
PHONE = "13812345678"


def scripted_conversations() -> List[Dict]:
    """Nov 2: 2 conversations, 3 questions (1 answered, 2 declined), one 没用.
    Nov 3: 2 conversations, 4 questions (1 clarified then tapped to an answer, 3 declined), one 有用.
    Nov 4: nobody.  Nov 5: Alice again (a new Rasa session of the same sender): 2 questions (1 passage answer,
    1 decline), and a rating of the decline, which does not count."""
    return [
        Script(ALICE, at(2, 9))
        .say("你好", "greet")
        .reply("您好！", "utter_greet")
        .answer("加强针怎么打", "booster_schedule")
        .rate("useless", rated={"answer_id": "booster_schedule", "kind": "faq"})
        .new_session(at(5, 7))
        .answer("科兴是哪种疫苗", "vaccine_types#s2", kind="passage")
        .decline("政采贷怎么申请")
        .rate("useless", status="nothing_to_rate")
        .as_dict(),
        Script(BOB, at(2, 20)).decline("打完疫苗发烧怎么办").decline("打完疫苗发烧了怎么办？").as_dict(),
        Script(CAROL, at(3, 8, 30))
        .say("加强针隔多久", "faq")
        .reply(
            "您是想问：",
            "action_answer",
            {"kind": "clarify", "answer_id": None, "options": ["booster_schedule", "booster_target"]},
        )
        .say('/choose_faq{"faq_id":"booster_schedule"}', "choose_faq")
        .reply("……", "action_answer", {"kind": "faq", "answer_id": "booster_schedule"})
        .rate("useful", rated={"answer_id": "booster_schedule", "kind": "faq"})
        .as_dict(),
        Script(DAVE, at(3, 23, 50))
        .decline("打完疫苗發燒怎麼辦")
        .decline("孕妇能打吗")
        .decline(f"我的电话{PHONE}，能帮我预约吗")
        .as_dict(),
    ]
