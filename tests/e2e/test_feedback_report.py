"""有用/没用 through the real stack, then the report read from the same
tracker store the Rasa server wrote (SQLite)."""

import csv
import uuid

import pytest
import requests

from bot.reporting.conversations import conversations, questions, ratings
from bot.reporting.store import read_events

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

USELESS = '/feedback{"value":"useless"}'
USEFUL = '/feedback{"value":"useful"}'


def new_sender() -> str:
    return f"report-e2e-{uuid.uuid4().hex[:10]}"


def send(stack, sender, text):
    resp = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120
    )
    resp.raise_for_status()
    return resp.json()


def answer_of(messages):
    return next(
        (m["custom"]["answer"] for m in messages if isinstance((m.get("custom") or {}).get("answer"), dict)), {}
    )


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


@pytest.fixture(scope="module")
def rated_conversation(stack, faqs):
    sender = new_sender()
    answered = send(stack, sender, "加强针怎么打")
    assert answer_of(answered)["kind"] in ("faq", "passage")
    useless = send(stack, sender, USELESS)
    again = send(stack, sender, USEFUL)
    return sender, answer_of(answered), useless, again


def test_useless_is_recorded_and_offers_related_questions_and_12320(rated_conversation, faqs):
    _, answered, useless, _ = rated_conversation
    meta = answer_of(useless)
    assert meta["kind"] == "feedback" and meta["status"] == "recorded" and meta["feedback"] == "useless"
    assert meta["rated"]["answer_id"] == answered["answer_id"]
    assert "12320" in texts(useless)
    buttons = [b for m in useless for b in (m.get("buttons") or [])]
    titles = {f.id: f.question for f in faqs}
    assert buttons and all(b["payload"].startswith('/choose_faq{"faq_id":') for b in buttons)
    assert all(b["title"] in titles.values() for b in buttons)
    assert titles[answered["answer_id"].split("#")[0]] not in [b["title"] for b in buttons]


def test_a_second_rating_gets_a_note_not_a_record(rated_conversation):
    again = rated_conversation[3]
    assert answer_of(again)["status"] == "already_rated" and "已经评价过" in texts(again)


def test_rating_a_decline_gets_a_polite_note(stack):
    sender = new_sender()
    declined = send(stack, sender, "政采贷怎么申请")
    assert answer_of(declined)["kind"] == "decline"
    note = send(stack, sender, USELESS)
    assert answer_of(note)["status"] == "nothing_to_rate" and "评价" in texts(note)


def test_the_report_reads_what_the_server_stored(stack, rated_conversation, tmp_path, monkeypatch):
    sender = rated_conversation[0]
    mine = [c for c in conversations(read_events(str(stack.tracker_db))) if c.sender_id == sender]
    assert [q.turn.text for q in questions(mine)] == ["加强针怎么打"]
    [rating] = ratings(mine)
    assert (rating.value, rating.question.text) == ("useless", "加强针怎么打")

    from bot.cli import main

    monkeypatch.setenv("BOT_REPORT_SALT", "e2e")
    assert main(["report", "--db", str(stack.tracker_db), "--out", str(tmp_path)]) == 0
    with open(tmp_path / "rated_answers.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert any("加强针怎么打" in r["questions_marked_useless"] for r in rows)
    assert sender not in (tmp_path / "report.html").read_text(encoding="utf-8")
