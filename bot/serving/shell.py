"""`make shell`: chat with the bot in the terminal, through the guarded REST
channel, as a text-only channel shows it.

Rasa's own `rasa shell` talks to its built-in cmdline channel and prints the
answer metadata as "Custom json" after every reply. Staff want the answer:
here buttons are numbered lines (reply "1" to pick one, mapped back by the
REST channel), and the metadata is printed only with BOT_DEBUG=1.
"""

from __future__ import annotations

import json
import os
import secrets
from typing import Callable, Optional, TextIO

import requests

from bot.channels.options import text_channel_replies
from bot.serving.client import BotClient

EXIT_WORDS = {"/stop", "/exit", "/quit"}
DEBUG_ENV = "BOT_DEBUG"


def debug_enabled(env=os.environ) -> bool:
    return env.get(DEBUG_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def chat(
    client: BotClient, out: TextIO, read: Callable[[], Optional[str]], debug: bool = False, sender: Optional[str] = None
) -> int:
    """Reads lines with `read` (None ends the chat) until /stop; returns the number of turns."""
    sender = sender or f"shell-{secrets.token_hex(6)}"
    print("已连接问答助手。请输入问题（输入 /stop 退出）。", file=out, flush=True)
    turns = 0
    while True:
        line = read()
        if line is None or line.strip() in EXIT_WORDS:
            return turns
        if not line.strip():
            continue
        try:
            messages = client.exchange(sender, line)
        except requests.HTTPError as exc:
            # The guarded channel refuses bad input with a reason in Chinese.
            print(_refusal(exc.response), file=out, flush=True)
            continue
        except requests.RequestException as exc:
            print(f"无法连接问答助手：{exc}", file=out, flush=True)
            continue
        turns += 1
        for reply in text_channel_replies(messages):
            print(reply, file=out)
        if debug:
            for message in messages:
                if message.get("custom") is not None:
                    print("[debug] " + json.dumps(message["custom"], ensure_ascii=False), file=out)
        print(file=out, flush=True)


def _refusal(response) -> str:
    try:
        return str(response.json().get("message") or response.text)
    except ValueError:
        return response.text if response is not None else "请求被拒绝。"


def _read_line() -> Optional[str]:
    try:
        return input("您：")
    except (EOFError, KeyboardInterrupt):
        return None
