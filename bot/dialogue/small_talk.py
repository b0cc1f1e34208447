"""Whether a small-talk reading of a message should stand.

Short vaccination questions (怎么打, 管用多久啊) sometimes score highest as
capabilities or feedback, and their canned replies end a conversation the
user was continuing. The rule (data/dictionary/small_talk.yml): a message
that names vaccination and asks something is not small talk. The Rasa
pipeline applies it (bot/rasa_ext/intent_gate.py); it has no Rasa import, so
it is unit-tested in the main environment, against the training data too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, Mapping, Optional, Tuple

import yaml

from bot.dialogue.numbers import bare_number
from bot.dialogue.vaccines import catalog, fold
from bot.dialogue.word_lists import word_list
from bot.paths import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / "data" / "dictionary" / "small_talk.yml"
_FINAL_ASKS = ("不", "没", "没有")


@dataclass(frozen=True)
class SmallTalkRules:
    intents: FrozenSet[str]
    topic: Tuple[str, ...]
    not_topic: Tuple[str, ...]
    asks: Tuple[str, ...]

    def is_vaccination_question(self, text: str) -> bool:
        folded = fold(text)
        for word in self.not_topic:
            folded = folded.replace(word, " ")
        # A final 不/没 asks too (还会感染不), while 不管用 / 没用 judge an answer.
        if not (any(word in folded for word in self.asks) or folded.rstrip("啊呀哇呢吧?？。").endswith(_FINAL_ASKS)):
            return False
        if any(word in folded for word in self.topic):
            return True
        return bool(catalog().scan(folded))


def _words(raw: Mapping, key: str, path: Path) -> Tuple[str, ...]:
    return tuple(fold(w) for w in word_list(raw.get(key), key, path))


@lru_cache(maxsize=4)
def load_small_talk_rules(path: Path = DEFAULT_PATH) -> SmallTalkRules:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping")
    intents, topic, not_topic, asks = (_words(raw, key, path) for key in ("intents", "topic", "not_topic", "asks"))
    return SmallTalkRules(frozenset(intents), topic, not_topic, asks)


# The classifier sometimes reads a bare number as 再见; 88 and 886 are how
# people type 拜拜, and stay goodbyes.
_BYE_NUMBER = re.compile(r"\s*8+6?\s*")


def keeps_small_talk(intent: Optional[str], text: str, rules: Optional[SmallTalkRules] = None) -> bool:
    """False for a small-talk reading of a vaccination question or of a bare
    number (ending the conversation on "2" loses the user); True otherwise
    (including every other intent, and button payloads)."""
    rules = rules or load_small_talk_rules()
    if intent not in rules.intents or (text or "").startswith("/"):
        return True
    stray_number = bare_number(text) is not None and not _BYE_NUMBER.fullmatch(text)
    return not (stray_number or rules.is_vaccination_question(text))
