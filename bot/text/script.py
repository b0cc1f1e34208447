"""Which script a user writes in, and replies in that script.

The source explainer is printed in Simplified characters, so every answer is
written in Simplified. A reader who asks 加強針怎麼打 should get the answer in
Traditional characters; everyone else gets the source text unchanged.

Detection looks for characters that only one script uses, with OpenCC's phrase
dictionaries (so 著名 or 皇后, which Simplified writes the same way, are not
taken for Traditional). One such character is not enough: people type a stray
Traditional character through their input method, and a few characters differ
only between Traditional variants (台/臺, 裡/裏). A message without enough
evidence (a number, 好的, a button payload) keeps the conversation's script.

Conversion is character by character (OpenCC ``s2tw``), never word by word:
``s2twp`` would rewrite vocabulary (信息 → 資訊), and a quoted source sentence
must stay the same sentence, only in the other script. Ids, payloads and other
machine-read fields are never converted.

Imports OpenCC lazily: loading its dictionaries costs ~50 ms, and the Rasa side
imports this module in every process.
"""

from __future__ import annotations

import copy
import threading
from enum import Enum
from typing import Any, Iterable, Mapping, Optional

# A message is in one script when it has at least this many characters only
# that script uses, and more than twice as many as the other script's...
MIN_EVIDENCE = 2
# ...or exactly one such character, none of the other script's, in a message
# of at least this many Han characters (哪些人可以接種 has only 種), provided
# that character is not one Simplified text also writes in some words.
MIN_HAN_FOR_SINGLE = 4
# Traditional forms that Simplified keeps in names or set words (乾隆, 著名,
# 於 as a surname, 慰藉, 覆盖, 瞭望, 宫商角徵羽): alone they prove nothing.
WEAK_TRADITIONAL = frozenset("乾著於藉瞭覆徵鍾沈夥餘甦噁闢瀋")

# Conversation fields the widget and channels show to people. Anything else in
# a message's custom payload (ids, kinds, payloads, scores) is read by code.
DISPLAY_KEYS = frozenset({"text", "title", "full_answer", "lead", "article", "newspaper", "question", "quote"})


class Script(str, Enum):
    SIMPLIFIED = "simplified"
    TRADITIONAL = "traditional"
    # Not enough evidence either way: digits, punctuation, 好的, a payload.
    UNDECIDED = "undecided"


class _Converters:
    """OpenCC converters, built on first use and shared by all threads."""

    CONFIGS = ("t2s", "s2t", "s2tw", "s2hk")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: Optional[dict] = None

    def __getitem__(self, config: str):
        if self._built is None:
            with self._lock:
                if self._built is None:
                    import opencc

                    self._built = {name: opencc.OpenCC(name) for name in self.CONFIGS}
        return self._built[config]


_converters = _Converters()


def _changed_positions(text: str, config: str) -> set:
    """Positions of the characters that `config` rewrites, in context."""
    converted = _converters[config].convert(text)
    if len(converted) == len(text):
        return {i for i, (a, b) in enumerate(zip(text, converted, strict=True)) if a != b}
    # A phrase mapped to one of another length (rare): fall back to one
    # character at a time, which loses context but never misaligns.
    return {i for i, ch in enumerate(text) if _converters[config].convert(ch) != ch}


def _evidence_positions(text: str) -> tuple:
    traditional = _changed_positions(text, "t2s")
    # A character is Simplified-only when every Traditional standard rewrites
    # it; 台 or 着 are kept by one of them, so they prove nothing.
    simplified = _changed_positions(text, "s2t") & _changed_positions(text, "s2tw") & _changed_positions(text, "s2hk")
    return traditional - simplified, simplified - traditional


def script_evidence(text: str) -> tuple:
    """(Traditional-only, Simplified-only) character counts of `text`."""
    if not text:
        return 0, 0
    traditional, simplified = _evidence_positions(text)
    return len(traditional), len(simplified)


def _han_count(text: str) -> int:
    return sum(1 for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")


def detect_script(text: Optional[str]) -> Script:
    """The script a single message is written in, or UNDECIDED."""
    if not isinstance(text, str) or text.startswith("/"):
        # Button payloads (/choose_faq{...}, /inform{"vaccine":"科兴"}) were
        # written by the bot, not typed by the user.
        return Script.UNDECIDED
    trad_at, simp_at = _evidence_positions(text)
    traditional, simplified = len(trad_at), len(simp_at)
    if traditional >= MIN_EVIDENCE and traditional > 2 * simplified:
        return Script.TRADITIONAL
    if simplified >= MIN_EVIDENCE and simplified > 2 * traditional:
        return Script.SIMPLIFIED
    if _han_count(text) >= MIN_HAN_FOR_SINGLE:
        if traditional == 1 and simplified == 0 and text[next(iter(trad_at))] not in WEAK_TRADITIONAL:
            return Script.TRADITIONAL
        if simplified == 1 and traditional == 0:
            return Script.SIMPLIFIED
    return Script.UNDECIDED


def conversation_script(user_texts_newest_first: Iterable[str]) -> Script:
    """The script to reply in: that of the latest message that shows one.

    Simplified when no message does, because that is the source's script.
    """
    for text in user_texts_newest_first:
        script = detect_script(text)
        if script is not Script.UNDECIDED:
            return script
    return Script.SIMPLIFIED


# Older messages hardly matter once a decisive one is found; the bound keeps a
# very long conversation from costing more per turn.
MAX_LOOKBACK = 20


def user_texts_from_events(events: Iterable[Any]) -> list:
    """Raw user texts, newest first, from tracker events (dicts or Rasa objects).

    The raw text matters: Rasa's parse data holds the normalised (Simplified)
    text, so `latest_message["text"]` cannot show the user's script.
    """
    texts = []
    for event in reversed(list(events)):
        if isinstance(event, Mapping):
            if event.get("event") != "user":
                continue
            text = event.get("text")
        else:
            if getattr(event, "type_name", None) != "user":
                continue
            text = getattr(event, "text", None)
        if isinstance(text, str):
            texts.append(text)
            if len(texts) >= MAX_LOOKBACK:
                break
    return texts


def to_traditional(text: str) -> str:
    return _converters["s2tw"].convert(text) if text else text


def _convert_display_fields(value: Any, key: Optional[str] = None) -> Any:
    if isinstance(value, str):
        return to_traditional(value) if key in DISPLAY_KEYS else value
    if isinstance(value, list):
        return [_convert_display_fields(item, key) for item in value]
    if isinstance(value, dict):
        return {k: _convert_display_fields(v, k) for k, v in value.items()}
    return value


def localize_buttons(buttons: Optional[list], script: Script) -> Optional[list]:
    """Button titles in `script`; payloads stay as they are (code reads them)."""
    if script is not Script.TRADITIONAL or not buttons:
        return buttons
    out = []
    for button in buttons:
        if isinstance(button, dict) and isinstance(button.get("title"), str):
            button = dict(button, title=to_traditional(button["title"]))
        out.append(button)
    return out


def localize_custom(custom: Any, script: Script) -> Any:
    """A custom/json payload with its display fields (full_answer, lead, sources) in `script`."""
    if script is not Script.TRADITIONAL or not custom:
        return custom
    return _convert_display_fields(copy.deepcopy(custom))


def localize_message(message: Mapping[str, Any], script: Script) -> dict:
    """A copy of a bot message (text, buttons, custom) to show in `script`."""
    out = dict(message)
    if script is not Script.TRADITIONAL:
        return out
    if isinstance(out.get("text"), str):
        out["text"] = to_traditional(out["text"])
    if out.get("buttons"):
        out["buttons"] = localize_buttons(out["buttons"], script)
    if out.get("quick_replies"):
        out["quick_replies"] = localize_buttons(out["quick_replies"], script)
    for key in ("custom", "json_message"):
        if out.get(key):
            out[key] = localize_custom(out[key], script)
    return out
