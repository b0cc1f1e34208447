"""Whether a message is about a person, which the personal booster check needs.

The intent classifier learns "booster_check" from questions that mostly start
with 我, and it also picks it for 它加强针咋打 or 我们这有康希诺吗, which ask
about a vaccine or the rules. Opening the form for those asks a citizen for
their doses when they wanted the explainer's answer. This reading is the
reviewable rule (data/dictionary/persons.yml) that the Rasa pipeline applies
on top of the classifier (bot/rasa_ext/intent_gate.py): it has no Rasa import,
so it is unit-tested in the main environment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Optional, Pattern, Sequence, Tuple

import yaml

from bot.dialogue.booster_message import BOOSTER_CUE, read_message
from bot.dialogue.vaccines import catalog, fold
from bot.dialogue.word_lists import word_list
from bot.paths import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / "data" / "dictionary" / "persons.yml"
BOOSTER_CHECK = "booster_check"
INFORM = "inform"
# Facts only a person has; a vaccine name alone (康希诺) is not one.
PERSONAL_ENTITIES = ("age", "last_dose")


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class PersonWords:
    self_words: Tuple[str, ...]
    not_after: Tuple[str, ...]
    # How the check addresses someone else (她, 他, 您老伴) -> the words naming them.
    others: Mapping[str, Tuple[str, ...]]
    history: Tuple[str, ...]
    pronouns: Tuple[str, ...]
    which: Tuple[str, ...]
    vaccination: Tuple[str, ...]
    asks_check: Tuple[str, ...]
    _asker: Pattern = field(init=False, repr=False)
    _other: Pattern = field(init=False, repr=False)
    _history: Pattern = field(init=False, repr=False)
    _address: Mapping[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # frozen: the compiled patterns are set once, here.
        asker = f"(?:{_alternation(self.self_words)})(?!{_alternation(self.not_after)})"
        object.__setattr__(self, "_asker", re.compile(asker))
        # 其他 (其他疫苗能加强吗) is "other", not "he".
        words = [w for group in self.others.values() for w in group]
        object.__setattr__(self, "_other", re.compile(f"(?<!其)(?:{_alternation(words)})"))
        object.__setattr__(self, "_history", re.compile(_alternation(self.history)))
        object.__setattr__(self, "_address", {w: who for who, group in self.others.items() for w in group})

    def names_person(self, text: str) -> bool:
        folded = fold(text)
        return bool(self._asker.search(folded) or self._other.search(folded))

    def names_other(self, text: str) -> bool:
        return bool(self._other.search(fold(text)))

    def addressee(self, text: str) -> Optional[str]:
        """How the check speaks of the person a message is about: None for the
        asker (the check says 您), else the first other person's form (我妈62
        她能打吗 -> 她)."""
        found = self._other.search(fold(text))
        return self._address[found.group()] if found else None

    def states_history(self, text: str) -> bool:
        return bool(self._history.search(fold(text)))

    def about_vaccination(self, text: str) -> bool:
        """打, 针, 疫苗… or a vaccine's name (科星 too, as the catalog reads it)."""
        folded = fold(text)
        return any(w in folded for w in self.vaccination) or bool(catalog().mentions(text))

    def asks_which_of_a_pronoun(self, text: str) -> bool:
        """那她加强能打哪几种: the only person is 他/她, and the question is which vaccines."""
        folded = fold(text)
        if self._asker.search(folded) or not any(w in folded for w in self.which):
            return False
        named = [m.group() for m in self._other.finditer(folded)]
        return bool(named) and all(w in self.pronouns for w in named)


def _addressed_groups(raw: Mapping, path: Path) -> Mapping[str, Tuple[str, ...]]:
    value = raw.get("others")
    if not isinstance(value, dict) or not value:
        raise ValueError(f"{path}: 'others' must map how a person is addressed to the words naming them")
    return {str(who): word_list(words, f"others.{who}", path) for who, words in value.items()}


@lru_cache(maxsize=4)
def load_person_words(path: Path = DEFAULT_PATH) -> PersonWords:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping")
    keys = ("self", "not_after", "history", "pronouns", "which", "vaccination", "asks_check")
    listed = {key: word_list(raw.get(key), key, path) for key in keys}
    return PersonWords(
        listed["self"],
        listed["not_after"],
        _addressed_groups(raw, path),
        listed["history"],
        listed["pronouns"],
        listed["which"],
        listed["vaccination"],
        listed["asks_check"],
    )


def _entity_names(entities: Sequence[Mapping]) -> set:
    return {e.get("entity") for e in entities or () if isinstance(e, Mapping)}


def is_about_a_person(text: str, entities: Sequence[Mapping] = (), words: Optional[PersonWords] = None) -> bool:
    """我能打加强针吗, 我妈62了能打吗, 35岁能打吗 (an age), 打了两针科兴能加强吗
    (a history): about someone. 它加强针咋打, 我们这有康希诺吗, and 那她加强能打
    哪几种 (which vaccines, of someone named only by a pronoun): not."""
    words = words or load_person_words()
    names = _entity_names(entities)
    if names & set(PERSONAL_ENTITIES) or ("dose_count" in names and words.states_history(text)):
        return True
    return words.names_person(text) and not words.asks_which_of_a_pronoun(text)


def switches_person(text: str, entities: Sequence[Mapping] = (), words: Optional[PersonWords] = None) -> bool:
    """那我爸呢 66了 打的两针科兴 去年四月打完的: after a check, the same check
    for someone else (那…呢 about another person, with their age or last dose).
    The classifier reads it as `inform`, which outside the form would only
    continue the topic."""
    words = words or load_person_words()
    return "呢" in (text or "") and words.names_other(text) and bool(_entity_names(entities) & set(PERSONAL_ENTITIES))


def addressee(text: str, words: Optional[PersonWords] = None) -> Optional[str]:
    """Whom a booster check opened by `text` is for, as the check words it (see PersonWords.addressee)."""
    return (words or load_person_words()).addressee(text or "")


def opens_booster_check(intent: Optional[str], text: str, entities: Sequence[Mapping] = ()) -> bool:
    """False for a `booster_check` reading of a message about no one, not
    about vaccination (那房贷呢 能帮我算算不), or about a subject the explainer
    never covers (我去年阳过了 还能打吗, 我有高血压能打加强针吗: the check's
    rules say nothing about it, and the answering action declines it plainly);
    True for one about a person and vaccination."""
    if intent != BOOSTER_CHECK:
        return False
    # The quick reply /booster_check is the user's own tap on 帮我看看我能不能打加强针.
    if (text or "").startswith("/"):
        return True
    words = load_person_words()
    return (
        is_about_a_person(text, entities, words)
        and words.about_vaccination(text)
        and not _focus_rules().never_covered(fold(text))
        and not _not_started(text)
    )


def _not_started(text: str) -> bool:
    """我还一针没打 现在打还有必要吗: no dose yet and no booster asked about.
    The check only judges boosters; the answering action has what the
    explainer says to someone who has not started (why and who should get
    vaccinated). 我一针没打能直接打加强针吗 still gets the check (not yet)."""
    return read_message(text, date.today()).doses == 0 and not BOOSTER_CUE.search(fold(text))


# Readings a stated case is raised from: the FAQ questions it resembles
# (加强针的接种对象), or no reading at all; and a statement of facts (inform)
# that asks about the booster (老伴今年70 智飞打全了 … 还要不要加强), since
# outside the check inform would only continue the topic.
RAISED_FROM = ("faq", "nlu_fallback", "out_of_scope")
# Facts of the check a message must state, one of them the last dose's time,
# to be one person's case whatever the classifier read.
MIN_STATED_FACTS = 3


def states_a_case(text: str, today: Optional[date] = None) -> bool:
    """68岁 两针国药 一年多前打完的 能加强不, 打了两针科兴 半年多了 可以打第三针了吗:
    the time of someone's last dose and two more of the check's facts (vaccine,
    doses, age), read as the booster form reads them. A rule question has no
    date of its own (18岁以上打完两针半年后能加强吗: 半年后 is the rule's)."""
    reading = read_message(text, today or date.today())
    stated = [reading.vaccine is not None, reading.doses is not None, reading.age is not None]
    return reading.last_dose is not None and 1 + sum(stated) >= MIN_STATED_FACTS


def raises_booster_check(intent: Optional[str], text: str) -> bool:
    """True for a stated case (states_a_case) the classifier read as an FAQ
    question or not at all: the check answers it for that person, where the FAQ
    would leave them to apply the rules themselves."""
    if (text or "").startswith("/"):
        return False
    if intent not in RAISED_FROM and not (intent == INFORM and BOOSTER_CUE.search(fold(text))):
        return False
    if _focus_rules().never_covered(fold(text)):
        return False
    return states_a_case(text) or asks_for_the_check(text)


def asks_for_the_check(text: str) -> bool:
    """我妈想打加强针 你帮俺查查她能打不: a request for the check (asks_check
    in persons.yml) about a person and a booster."""
    words = load_person_words()
    folded = fold(text)
    return (
        any(w in folded for w in words.asks_check)
        and bool(BOOSTER_CUE.search(folded))
        and is_about_a_person(text, (), words)
    )


@lru_cache(maxsize=1)
def _focus_rules():
    from bot.dialogue.focus import load_rules

    return load_rules()
