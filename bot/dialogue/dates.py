"""When the last dose was given, as users say it: a date (2022年3月15日,
2022-03, 去年10月, 3月份) or a time relative to today (两个月前, 半年多了,
上个月, 一年多了, 前几天).

People rarely know the day, so the result is a range [earliest, latest] of
days the dose may have been given on; a rule such as "six months after the
last dose" can then say yes, no, or "it depends on the exact day". `today` is
always passed in, so tests and the booster check agree on what 上个月 means.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Optional, Tuple

from bot.dialogue.numbers import NUMERAL, to_int


class Precision(str, Enum):
    DAY = "day"  # 2022年3月15日, 昨天, 两个月前 (a point in time, as precise as people say it)
    MONTH = "month"  # 去年10月, 上个月
    PERIOD = "period"  # 去年年底, 半年多了, 前几天: a stretch of days
    YEAR = "year"  # 去年, 2021年


@dataclass(frozen=True)
class DoseDate:
    earliest: date
    latest: date
    precision: Precision
    text: str = ""  # the words it was read from

    def is_future(self, today: date) -> bool:
        """True when even the earliest possible day is after today (an impossible answer)."""
        return self.earliest > today

    def as_slot(self) -> str:
        """A plain-string form for a Rasa slot: '2025-10-01/2025-10-31'."""
        return f"{self.earliest.isoformat()}/{self.latest.isoformat()}"

    @classmethod
    def from_slot(cls, value: str) -> Optional["DoseDate"]:
        """Reads back as_slot(); None for anything else."""
        try:
            start, end = str(value).split("/")
            earliest, latest = date.fromisoformat(start), date.fromisoformat(end)
        except (ValueError, TypeError):
            return None
        if earliest > latest:
            return None
        precision = Precision.DAY if earliest == latest else Precision.PERIOD
        return cls(earliest, latest, precision, str(value))


def shift_months(day: date, months: int) -> date:
    """The same day `months` later (negative: earlier), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_range(year: int, month: int) -> Tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


# Parts of a month and of a year, as users name them.
_MONTH_PART = {
    "初": (1, 10),
    "上旬": (1, 10),
    "中": (11, 20),
    "中旬": (11, 20),
    "底": (21, 31),
    "末": (21, 31),
    "下旬": (21, 31),
}
_YEAR_PART = {
    "年初": (1, 2),
    "开年": (1, 2),
    "年中": (5, 8),
    "年底": (11, 12),
    "年末": (11, 12),
    "上半年": (1, 6),
    "下半年": (7, 12),
}
# Hedges that put a relative time either side of the amount said.
_ABOUT = ("差不多", "大概", "大约")
_YEAR_WORD = {"今年": 0, "去年": -1, "前年": -2, "大前年": -3}

_N = f"({NUMERAL})"
_SEP = r"[-./年]"
_ISO = re.compile(rf"(\d{{4}}|\d{{2}}){_SEP}\s*(\d{{1,2}})(?:[-./月]\s*(\d{{1,2}})[日号]?|月)?(?!\d)")
_CN_YEAR_MONTH = re.compile(rf"({NUMERAL})年\s*{_N}月份?(初|上旬|中旬|下旬|中|底|末)?(?:{_N}[日号])?")
_YEAR_WORD_MONTH = re.compile(rf"(大前年|前年|去年|今年){_N}月份?(初|上旬|中旬|下旬|中|底|末)?(?:{_N}[日号])?")
_YEAR_WORD_PART = re.compile(r"(大前年|前年|去年|今年)的?(年初|开年|年中|年底|年末|上半年|下半年)?")
_BARE_MONTH = re.compile(rf"(?<![年\d]){_N}月份?(初|上旬|中旬|下旬|中|底|末)?(?:{_N}[日号])?")
_YEAR_ONLY = re.compile(r"(\d{4})年(?!\s*\d{1,2}月)")
# 两个月前, 3个多月了, 半年前, 一年多了, 快半年了, 不到五个月, 一个半月前, 十天前, 两周前
_RELATIVE = re.compile(
    rf"(快|将近|差不多|不到|大概|大约)?({NUMERAL}|半|大半)(个半)?(个)?(多)?(个)?"
    rf"(月|年|周|星期|礼拜|天)(多)?(前|以前|之前|了|左右|$)"
)
# 五六个月前, 七八个月了, 3到4个月前: a span between two amounts. 五六月 (no 个)
# names two months of the year, not amounts.
_PAIRED = "一二|两三|二三|三四|四五|五六|六七|七八|八九"
_RANGE = re.compile(
    rf"(?:({_PAIRED})|({NUMERAL})(?:到|至|-|~|、)({NUMERAL}))(个)?(多)?(个)?(月|年|周|星期|礼拜|天)(前|以前|之前|了|左右|$)"
)
_NAMED = [
    (re.compile(r"上上个?月"), lambda t: month_range(*_ym(shift_months(t, -2))), Precision.MONTH),
    (re.compile(r"上个?月"), lambda t: month_range(*_ym(shift_months(t, -1))), Precision.MONTH),
    (re.compile(r"(这个|本)月"), lambda t: (t.replace(day=1), t), Precision.MONTH),
    (re.compile(r"上上?(周|星期|礼拜)"), lambda t: (t - timedelta(days=13), t - timedelta(days=7)), Precision.PERIOD),
    (re.compile(r"(这|本)(周|星期|礼拜)"), lambda t: (t - timedelta(days=t.weekday()), t), Precision.PERIOD),
    (re.compile(r"前几天|前些天|前两天"), lambda t: (t - timedelta(days=7), t - timedelta(days=2)), Precision.PERIOD),
    (re.compile(r"前天"), lambda t: (t - timedelta(days=2),) * 2, Precision.DAY),
    (re.compile(r"昨天"), lambda t: (t - timedelta(days=1),) * 2, Precision.DAY),
    # 今天 is the day the user writes, not a dose date, unless a dose was given
    # then (今天刚打完): in 前年打了两针 今天社区在喊打加强针 the dose was 前年.
    (
        re.compile(r"今天(?=(?:刚刚?|才|已经|上午|下午|早上)?(?:打了|打的|打完|打过|接种了|接种的))|刚打完|刚刚打"),
        lambda t: (t, t),
        Precision.DAY,
    ),
]


def _ym(day: date) -> Tuple[int, int]:
    return day.year, day.month


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").replace(" ", "").translate(_TRADITIONAL)


def _full_year(raw: str) -> Optional[int]:
    value = to_int(raw)
    if value is None:
        return None
    return value + 2000 if value < 100 else value


def _month_span(
    year: int, month: int, part: Optional[str], day: Optional[int]
) -> Optional[Tuple[date, date, Precision]]:
    if not 1 <= month <= 12:
        return None
    first, last = month_range(year, month)
    if day is not None:
        if not 1 <= day <= last.day:
            return None
        point = date(year, month, day)
        return point, point, Precision.DAY
    if part:
        lo, hi = _MONTH_PART[part]
        return date(year, month, lo), date(year, month, min(hi, last.day)), Precision.PERIOD
    return first, last, Precision.MONTH


def _amount(n: int, unit: str) -> Tuple[int, int]:
    """n months / years / weeks / days as (months, days)."""
    months = {"月": n, "年": 12 * n}.get(unit, 0)
    days = 7 * n if unit in ("周", "星期", "礼拜") else (n if unit == "天" else 0)
    return months, days


def _ago(n: int, unit: str, today: date) -> date:
    """The day n months / years / weeks / days before today."""
    months, days = _amount(n, unit)
    return shift_months(today, -months) - timedelta(days=days)


def _relative_range(match: re.Match, today: date) -> Optional[Tuple[date, date, Precision]]:
    pair, low_raw, high_raw, counter, _, counter_after, unit, _ = match.groups()
    low, high = (to_int(pair[0]), to_int(pair[1])) if pair else (to_int(low_raw), to_int(high_raw))
    if low is None or high is None or not low < high <= 100 or (unit == "月" and not (counter or counter_after)):
        return None
    return _ago(high, unit, today), _ago(low, unit, today), Precision.PERIOD


def _relative(match: re.Match, today: date) -> Optional[Tuple[date, date, Precision]]:
    hedge, amount, and_a_half, _, more_before, _, unit, more_after, _ = match.groups()
    weeks = unit in ("周", "星期", "礼拜")
    if amount in ("半", "大半"):
        if unit != "年":
            return None
        if amount == "大半":  # well over half a year, under a year
            return shift_months(today, -12), shift_months(today, -7), Precision.PERIOD
        months, days = 6, 0
    else:
        n = to_int(amount)
        # 13月 / 三月 name a month, not a number of months (that needs 个); 2021年 is a year.
        if n is None or n > 100 or (unit == "月" and not (match.group(4) or match.group(6) or and_a_half)):
            return None
        months, days = _amount(n, unit)
        if and_a_half:  # 一个半月, 一年半
            months += 6 if unit == "年" else 0
            days += 15 if unit == "月" else 0
    point = shift_months(today, -months) - timedelta(days=days)
    # How far "a little more" or "almost" reaches: up to the next natural step.
    step_months = 1 if unit == "月" else (6 if unit == "年" else 0)
    step_days = 0 if step_months else (3 if weeks else 1)
    if hedge in ("快", "将近", "不到"):
        # Almost N: a little less time has passed, so the dose was a little later.
        if amount == "半":
            step_months = 1  # 快半年: five to six months
        return point + timedelta(days=1), shift_months(point, step_months) + timedelta(days=step_days), Precision.PERIOD
    if more_before or more_after:
        # N多: more than N, up to the next step.
        return shift_months(point, -step_months) - timedelta(days=step_days), point, Precision.PERIOD
    if hedge in _ABOUT or match.group(9) == "左右":
        # 大概半年前 / 一年左右: either side of N, so a hedge at the 6-month line
        # is not read as exactly 6 months (a year is hedged by a season).
        months_either_side = 3 if unit == "年" and amount != "半" else (1 if step_months else 0)
        days_either_side = 0 if months_either_side else step_days
        return (
            shift_months(point, -months_either_side) - timedelta(days=days_either_side),
            shift_months(point, months_either_side) + timedelta(days=days_either_side),
            Precision.PERIOD,
        )
    return point, point, Precision.DAY


Span = Optional[Tuple[date, date, Precision]]


def _read_iso(match: re.Match, today: date) -> Span:
    day = int(match.group(3)) if match.group(3) else None
    year = _full_year(match.group(1))
    assert year is not None  # the pattern matches only digits, which to_int always reads
    return _month_span(year, int(match.group(2)), None, day)


def _read_year_month(match: re.Match, today: date) -> Span:
    year, month = _full_year(match.group(1)), to_int(match.group(2))
    day = to_int(match.group(4)) if match.group(4) else None
    return None if year is None or month is None else _month_span(year, month, match.group(3), day)


def _read_year_word_month(match: re.Match, today: date) -> Span:
    month = to_int(match.group(2))
    day = to_int(match.group(4)) if match.group(4) else None
    return None if month is None else _month_span(today.year + _YEAR_WORD[match.group(1)], month, match.group(3), day)


def _read_year_only(match: re.Match, today: date) -> Span:
    year = int(match.group(1))
    return date(year, 1, 1), date(year, 12, 31), Precision.YEAR


def _read_bare_month(match: re.Match, today: date) -> Span:
    month = to_int(match.group(1))
    day = to_int(match.group(3)) if match.group(3) else None
    if month is None or not 1 <= month <= 12:
        return None
    # 10月份打的, said in March, means last October: the most recent such month.
    year = today.year if (month, day or 1) <= (today.month, today.day) else today.year - 1
    return _month_span(year, month, match.group(2), day)


def _read_year_word_part(match: re.Match, today: date) -> Span:
    year = today.year + _YEAR_WORD[match.group(1)]
    lo, hi = _YEAR_PART.get(match.group(2) or "", (1, 12))
    precision = Precision.PERIOD if match.group(2) else Precision.YEAR
    return month_range(year, lo)[0], month_range(year, hi)[1], precision


def _named(span, precision):
    def read(match: re.Match, today: date) -> Span:
        earliest, latest = span(today)
        return earliest, latest, precision

    return read


# Most specific first; the first reader that makes sense of its match wins.
_READERS = [
    (_ISO, _read_iso),
    (_CN_YEAR_MONTH, _read_year_month),
    (_YEAR_WORD_MONTH, _read_year_word_month),
    (_YEAR_ONLY, _read_year_only),
    (_RANGE, _relative_range),
    (_RELATIVE, _relative),
    *((pattern, _named(span, precision)) for pattern, span, precision in _NAMED),
    (_BARE_MONTH, _read_bare_month),
    (_YEAR_WORD_PART, _read_year_word_part),
]

# Traditional spellings of the words above (the rest of a message may stay as it is).
_TRADITIONAL = str.maketrans(
    {
        "兩": "两",
        "個": "个",
        "號": "号",
        "週": "周",
        "禮": "礼",
        "後": "后",
        "這": "这",
        "歲": "岁",
        "劑": "剂",
        "針": "针",
        "來": "来",
        "幾": "几",
    }
)


def _resolve(text: str, today: date) -> Span:
    for pattern, read in _READERS:
        match = pattern.search(text)
        if match:
            span = read(match, today)
            if span is not None:
                return span
    return None


def parse_last_dose(text: str, today: date) -> Optional[DoseDate]:
    """The days the last dose may have been given on, or None when the text names no time.

    A range reaching past today is cut at today (这个月 said on the 10th ends on
    the 10th); a range wholly in the future is returned as it is, so the caller
    can tell the user the date is impossible (see DoseDate.is_future)."""
    folded = _fold(text)
    if not folded:
        return None
    span = _resolve(folded, today)
    if span is None:
        return None
    earliest, latest, precision = span
    if earliest <= today < latest:
        latest = today
    return DoseDate(earliest, latest, precision, text)
