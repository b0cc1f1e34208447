"""Numbers as users type them: 2, ２, 两, 俩, 三十五, 二〇二二, and the dose
counts and ages built on them (打了两针, 三十五周岁, 六十多岁).

Chinese numerals are converted by cn2an (a maintained converter that knows
十五/一十五/两千零二十二 and the financial forms 壹贰叁); this module only finds
the numeral in the sentence and decides what it counts.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from typing import Optional

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
    import cn2an  # lazy: only the action server's environment has it

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


def parse_age(text: str) -> Optional[int]:
    """The user's age: 35岁, 三十五周岁, 六十多岁 (-> 60, the lower bound), 今年35,
    a bare '35'; None when the text does not say."""
    text = _fold(text)
    if not text:
        return None
    match = _AGE.search(text) or _AGE_THIS_YEAR.search(text)
    if match:
        return to_int(match.group(1))
    decade = _AGE_DECADE.fullmatch(text.rstrip("。.!！?？ 了"))
    if decade:
        tens = to_int(decade.group(1))
        assert tens is not None  # the pattern matches one digit 1-9 / 一-九, which to_int always reads
        return tens * 10
    return bare_number(text)


def plausible_age(age: Optional[int]) -> bool:
    return age is not None and 0 <= age <= MAX_AGE
