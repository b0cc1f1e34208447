"""`python -m bot ask`: questions on stdin, one JSON object per line on stdout.

Every line gets exactly one output line, whatever it holds; a bad line never
stops the batch.
"""

from __future__ import annotations

import json
import uuid
from contextlib import ExitStack
from typing import IO, Iterable, Optional, Tuple

import requests

from bot.serving.client import BotClient, Turn
from bot.serving.run_info import known_token
from bot.serving.stack import Stack, StackError, free_port
from bot.text.validate import check_question

DEFAULT_URL = "http://127.0.0.1:5005"


def _result(question: str, turn: Optional[Turn] = None, **extra) -> dict:
    answer = turn.answer if turn else {}
    out = {
        "question": question,
        "reply": turn.reply if turn else None,
        "intent": (turn.intent or answer.get("intent")) if turn else None,
        "confidence": (turn.confidence if turn and turn.confidence is not None else answer.get("confidence")),
        "answer_id": answer.get("answer_id"),
        "kind": answer.get("kind"),
        "sources": answer.get("sources", []),
    }
    out.update(extra)
    return out


def _connect(url: Optional[str], token: Optional[str], resources: ExitStack) -> Tuple[BotClient, bool]:
    """Use the given or the already-running bot; start a private one when none answers."""
    target = url or DEFAULT_URL
    client = BotClient(target, token or known_token(target))
    if client.reachable():
        return client, False
    if url:
        raise StackError(f"no bot answers at {url}; start one with `make run`")
    stack = resources.enter_context(Stack(rasa_port=free_port(), actions_port=free_port()))
    return BotClient(stack.rasa_url, stack.auth_token), True


def answer_lines(
    lines: Iterable[bytes],
    out: IO[str],
    url: Optional[str] = None,
    token: Optional[str] = None,
    one_conversation: bool = False,
) -> int:
    conversation = f"cli-{uuid.uuid4().hex[:12]}"
    with ExitStack() as resources:
        client = None
        for number, raw in enumerate(lines, start=1):
            checked = check_question(raw)
            shown = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
            if not checked.ok:
                record = _result(shown[:200], error=checked.error, reply=checked.message)
            else:
                try:
                    if client is None:
                        client, _ = _connect(url, token, resources)
                    sender = conversation if one_conversation else f"{conversation}-{number}"
                    record = _result(checked.text, client.send(sender, checked.text))
                except (requests.RequestException, StackError, ValueError) as exc:
                    record = _result(
                        checked.text,
                        error="bot_unavailable",
                        detail=str(exc)[:300],
                        reply="服务暂时不可用，请稍后再试。",
                    )
            record["line"] = number
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
    return 0
