"""`python -m bot ask` against the running bot, fed good and bad lines."""

import json
import subprocess
import sys

import pytest

from bot.serving.stack import PROJECT_ROOT, base_env

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def ask(stack, stdin: bytes):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--url", stack.rasa_url, "--token", stack.auth_token],
        input=stdin,
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=base_env(),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def test_one_json_object_per_line_even_for_bad_lines(stack):
    lines = [
        "加强针怎么打".encode(),
        b"",
        ("问" * 10000).encode(),
        "加强针\x07\x1b怎么打".encode(),
        b"\xff\xfe\x00bad",
        "政采贷怎么申请".encode(),
    ]
    out = ask(stack, b"\n".join(lines) + b"\n")
    assert len(out) == len(lines)
    first, empty, huge, control, binary, oos = out
    assert first["answer_id"] == "booster_schedule" and first["intent"] == "faq"
    assert 0 < first["confidence"] <= 1 and first["sources"] and "【来源】" in first["reply"]
    assert set(first) >= {"question", "reply", "intent", "confidence", "answer_id", "sources"}
    assert empty["error"] == "empty" and empty["reply"]
    assert huge["error"] == "too_long"
    assert control["answer_id"] == "booster_schedule"
    assert binary["error"] in ("invalid_utf8", "binary")
    assert oos["answer_id"] is None and "12320" in oos["reply"]


def test_unreachable_bot_is_reported_per_line():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--url", "http://127.0.0.1:9"],
        input="加强针怎么打\n".encode(),
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=base_env(),
        timeout=60,
    )
    record = json.loads(result.stdout.decode().splitlines()[0])
    assert record["error"] == "bot_unavailable" and record["reply"]
