"""Numbers as users type them: 2, ２, 两, 俩, 三十五, 二〇二二, and the dose
counts and ages built on them (打了两针, 三十五周岁, 六十多岁, and ages without
岁 such as 我妈62 or 66了, with the person words in data/dictionary/persons.yml, `age`).

Chinese numerals are converted by cn2an (a maintained converter that knows
十五/一十五/两千零二十二 and the financial forms 壹贰叁); this module only finds
the numeral in the sentence and decides what it counts.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Tuple

import yaml

from bot.dialogue.word_lists import word_list
from bot.paths import PROJECT_ROOT

# Characters a numeral can be written with. 俩/仨 are colloquial "two"/"three"
# that cn2an does not know, so they are mapped before conversion.
NUMERAL = r"[0-9零〇一二两俩仨三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰]+"
_COLLOQUIAL = {"俩": "两", "仨": "三"}

# Dose units users write after the count: 两针, 2剂, 两剂次, 打了两次, 两支.
_DOSE_UNIT = r"(?:针|剂次|剂|次|支|下)"
# Not after 第 (第三针 names a dose, it does not count them) nor inside a longer numeral.
_DOSE_COUNT = re.compile(rf"(?<!第)(?<!{NUMERAL[:-1]})({NUMERAL})\s*{_DOSE_UNIT}")
# 打完第二针 says two doses were given; 能打第三针吗 does not (it asks about one).
_DOSE_ORDINAL = re.compile(rf"(?:打完|打了|打过|接种完|接种了|完成|已经打)了?\s*第({NUMERAL})\s*{_DOSE_UNIT}")
_DOSE_ORDINAL_DONE = re.compile(rf"第({NUMERAL})\s*{_DOSE_UNIT}\s*(?:已经|都|也)?(?:打完|打了|打过|接种完|接种了)")
_NO_DOSE = re.compile(
    r"一针(?:都|也)?(?:没|沒)|^我?(?:还|都|从来)?(?:没|沒|未)有?(?:打|接种)过?(?:新冠)?(?:疫苗)?[。!！]*$"
)

_AGE = re.compile(rf"({NUMERAL})\s*(多|来)?\s*(?:周岁|岁|歲)")
_AGE_THIS_YEAR = re.compile(rf"今年\s*({NUMERAL})(多)?(?!\s*(?:年|月|号|日|针|剂|次))")
_AGE_DECADE = re.compile(r"([一二三四五六七八九1-9])十多?(?:岁)?$")

# The widest plausible human age; the form re-asks outside it.
MAX_AGE = 120

AGES_PATH = PROJECT_ROOT / "data" / "dictionary" / "persons.yml"
# An age read without 岁 is a guess, so it must look like the age of an adult's
# relative or of the user: below ten, a numeral after a person is mostly a word
# (我爸三高, 我一直没打) or a dose count (打了几针？3了).
MIN_INFERRED_AGE = 10
_DIGIT = NUMERAL[:-1]  # one numeral character
# Units that make a number something other than an age (两针, 3个月, 62年的,
# 10号, 十几天). Right after the number, any of them; after a space, only those
# that rarely start the next clause (我45 后来…, 我妈62 人老了 are ages).
_UNIT = r"(?:针|剂|次|支|个|月|年|号|日|天|周|星期|礼拜|点|分|小时|后|块|元|斤|公斤|米|人|口)"
_SPACED_UNIT = r"(?:针|剂|次|支|个|月|年|号|日|天|周)"
# Also not an age: part of a longer numeral, a date or a decimal (8.5, 3/15, 84%).
_NOT_AGE_AFTER = rf"(?!{_DIGIT}|\s*[.．·:：/%％\-]|(?:多|来|几)?{_UNIT}|\s*(?:多|来|几)?\s*{_SPACED_UNIT})"
# A clause starts after punctuation or a space the user typed; 呢 ends one too
# (那我爸呢66了).
_CLAUSE_START = r"(?:^|(?<=[\s，,。；;！!？?、~～呢]))"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    for colloquial, standard in _COLLOQUIAL.items():
        text = text.replace(colloquial, standard)
    return text.strip()


def to_int(numeral: str) -> Optional[int]:
    """'35', '３５', '三十五', '两', '二〇二二' -> int; None when it is not a whole number."""
    numeral = _fold(numeral)
    if not numeral:
        return None
    if numeral.isdigit():
        return int(numeral)
    import cn2an  # lazy: imported on the first spelled-out numeral

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = cn2an.cn2an(numeral, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def bare_number(text: str) -> Optional[int]:
    """The number when the whole reply is one (a form answer: '2', '两', '三十五')."""
    text = _fold(text).rstrip("。.!！?？ ")
    if re.fullmatch(NUMERAL, text or ""):
        return to_int(text)
    return None


def parse_dose_count(text: str) -> Optional[int]:
    """How many doses the user says they had: 打了两针 -> 2, 打完第二针 -> 2,
    一针都没打 -> 0, a bare '2' -> 2; None when the text does not say."""
    text = _fold(text)
    if not text:
        return None
    if _NO_DOSE.search(text):
        return 0
    match = _DOSE_ORDINAL.search(text) or _DOSE_ORDINAL_DONE.search(text) or _DOSE_COUNT.search(text)
    if match:
        return to_int(match.group(1))
    return bare_number(text)


@lru_cache(maxsize=1)
def _inferred_age_patterns(path: Path = AGES_PATH) -> Tuple[re.Pattern, ...]:
    raw = (yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}).get("age") or {}

    def words(key: str) -> List[str]:
        # Longest first, so 我妈妈 is not read as 我妈 + 妈.
        return sorted((_fold(w) for w in word_list(raw.get(key), key, path)), key=len, reverse=True)

    def alternation(key: str) -> str:
        return "|".join(re.escape(w) for w in words(key))

    lead = rf"(?:(?:{alternation('before_age')})\s*)?"
    # 我十一打的 is a holiday, unless an age word follows (我十一了).
    not_a_date = rf"(?!(?:{alternation('number_dates')})(?!\s*[了多来几岁歲]))"
    number = rf"{not_a_date}({NUMERAL}){_NOT_AGE_AFTER}(?:多|来|几)?"
    person = re.compile(rf"(?:{alternation('people')})\s*{lead}{number}")
    # 66了 / 七十多了 opening a clause, with nobody named (那我爸呢 66了 …).
    clause = re.compile(rf"{_CLAUSE_START}{lead}{number}\s*了")
    child = re.compile(rf"(?:{alternation('marked_people')})\s*{lead}{number}\s*了")
    return person, clause, child


def inferred_age(text: str) -> Optional[Tuple[int, str]]:
    """An age typed without 岁 — after a person (我妈62, 老伴七十多了, 我45),
    as 66了 opening a clause, or after a child with 了 (孩子16了) — and the words it was read from; None when there
    is none. `text` keeps the spaces the user typed: they end clauses, and keep
    我妈62 两针 from reading as 62两."""
    text = _fold(text)
    for pattern in _inferred_age_patterns():
        for match in pattern.finditer(text):
            age = to_int(match.group(1))
            if age is not None and MIN_INFERRED_AGE <= age <= MAX_AGE:
                return age, match.group(0)
    return None


def parse_age(text: str) -> Optional[int]:
    """The user's age: 35岁, 三十五周岁, 六十多岁 (-> 60, the lower bound), 今年35,
    我妈62 / 66了 (see inferred_age), a bare '35'; None when the text does not say."""
    text = _fold(text)
    if not text:
        return None
    match = _AGE.search(text) or _AGE_THIS_YEAR.search(text)
    if match:
        return to_int(match.group(1))
    inferred = inferred_age(text)
    if inferred:
        return inferred[0]
    decade = _AGE_DECADE.fullmatch(text.rstrip("。.!！?？ 了"))
    if decade:
        tens = to_int(decade.group(1))
        assert tens is not None  # the pattern matches one digit 1-9 / 一-九, which to_int always reads
        return tens * 10
    return bare_number(text)


def plausible_age(age: Optional[int]) -> bool:
    return age is not None and 0 <= age <= MAX_AGE
