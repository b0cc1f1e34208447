"""Buttons on channels that can only show text (WeCom, WeChat Official
Account, the terminal): numbered option lines out, and a typed "1" back in.

Pure functions, no Rasa import: the channels call them inside the Rasa server,
the tests call them anywhere. A reply "1" only means something next to the
buttons the bot just showed, so `last_bot_buttons` reads them from the
conversation's tracker events and `resolve_choice` turns the number into that
button's payload before the message reaches NLU.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

CHOICE_HINT = "（回复数字即可选择）"
FULL_ANSWER_HINT = "（回复“全文”查看完整答问）"
FEEDBACK_PREFIX = "/feedback"
# Feedback buttons are not numbered: they follow every answer, and a list of
# two options under each answer reads like a question. One short line instead,
# and the typed titles map back (see resolve_choice).
FEEDBACK_HINT = "（这个回答对您有帮助吗？可回复“有用”或“没用”）"

_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# "1", "１", "一", "第1个", "第一项", "选2", "2号", "1." — a bare choice, nothing else.
_CHOICE = re.compile(r"^(?:第|选|选择)?([0-9]{1,2}|[一二两三四五六七八九十])(?:个|项|条|号|项目)?$")
_STRIP = re.compile(r"[\s\.。,，、:：;；!！?？~～()（）\[\]【】\"“”'‘’]+")


def is_feedback(button: Mapping[str, Any]) -> bool:
    return str(button.get("payload") or "").startswith(FEEDBACK_PREFIX)


def choice_buttons(buttons: Optional[Sequence[Mapping[str, Any]]]) -> List[Mapping[str, Any]]:
    """The buttons that get numbers, in order (everything but feedback)."""
    return [b for b in buttons or () if isinstance(b, Mapping) and b.get("title") and not is_feedback(b)]


def numbered_text(text: Optional[str], buttons: Optional[Sequence[Mapping[str, Any]]]) -> str:
    """`text` followed by "1. 标题" lines and the hint, as a text channel shows them."""
    lines = [text] if text else []
    numbered = choice_buttons(buttons)
    lines += [f"{n}. {button['title']}" for n, button in enumerate(numbered, start=1)]
    if numbered:
        lines.append(CHOICE_HINT)
    if any(isinstance(b, Mapping) and is_feedback(b) for b in buttons or ()):
        lines.append(FEEDBACK_HINT)
    return "\n".join(lines)


def _clean(text: str) -> str:
    # NFKC folds full-width digits (１) and forms onto ASCII.
    return _STRIP.sub("", unicodedata.normalize("NFKC", text or ""))


def resolve_choice(text: Optional[str], buttons: Optional[Sequence[Mapping[str, Any]]]) -> Optional[str]:
    """The payload the user means by `text`, or None when it is not a choice.

    A number picks a numbered button ("1", "１", "一", "第1个"); a reply that is
    exactly a button's title (有用, 都不是) picks that button. Anything else,
    and numbers outside the list, are left to NLU as ordinary text.
    """
    if not isinstance(text, str) or not buttons:
        return None
    cleaned = _clean(text)
    if not cleaned:
        return None
    match = _CHOICE.match(cleaned)
    if match:
        token = match.group(1)
        number = int(token) if token.isdigit() else _CHINESE_DIGITS[token]
        numbered = choice_buttons(buttons)
        if 1 <= number <= len(numbered):
            return str(numbered[number - 1].get("payload") or "") or None
        return None
    for button in buttons:
        if isinstance(button, Mapping) and button.get("payload") and _clean(str(button.get("title") or "")) == cleaned:
            return str(button["payload"])
    return None


def last_bot_buttons(events: Optional[Iterable[Mapping[str, Any]]]) -> List[Dict[str, Any]]:
    """The buttons of the bot's latest turn in a tracker's event list.

    A turn can send several messages (the answer with its buttons, then a
    notice without any), so this takes the last bot message *since the latest
    user message* that carried buttons; [] when that turn had none, so an old
    menu is never answered by a number typed much later.
    """
    found: List[Dict[str, Any]] = []
    for event in reversed(list(events or ())):
        if not isinstance(event, Mapping):
            continue
        kind = event.get("event")
        if kind == "user":
            break
        if kind == "bot":
            buttons = (event.get("data") or {}).get("buttons") if isinstance(event.get("data"), Mapping) else None
            if buttons:
                return [dict(b) for b in buttons if isinstance(b, Mapping)]
    return found


def text_channel_replies(messages: Sequence[Mapping[str, Any]]) -> List[str]:
    """Rasa's output messages for one turn (as CollectingOutputChannel gathers
    them: text with buttons, then a separate `custom` message) as the texts a
    text-only channel sends.

    The answer's custom metadata decides how a full answer is offered:
    `full_answer_mode: append` prints it after the lead; `on_request` adds the
    "回复 全文" hint. Other custom content (ids, sources) is for API clients.
    """
    groups: List[Dict[str, Any]] = []
    for message in messages:
        if message.get("text") or message.get("buttons"):
            groups.append(
                {"text": message.get("text") or "", "buttons": list(message.get("buttons") or []), "answer": None}
            )
        custom = message.get("custom")
        if isinstance(custom, Mapping) and isinstance(custom.get("answer"), Mapping) and groups:
            groups[-1]["answer"] = custom["answer"]
    replies = []
    for group in groups:
        text = group["text"]
        answer = group["answer"] or {}
        full = answer.get("full_answer")
        mode = answer.get("full_answer_mode")
        if full and mode == "append":
            text = f"{text}\n{full}" if text else full
        elif full and mode == "on_request":
            text = f"{text}\n{FULL_ANSWER_HINT}" if text else FULL_ANSWER_HINT
        rendered = numbered_text(text, group["buttons"])
        if rendered:
            replies.append(rendered)
    return replies
