"""What one user message tells the booster check: the vaccine the user had,
the booster vaccine they ask about, doses, age and when the last dose was.

Values are read with the shared entity parsers (bot.dialogue.vaccines,
numbers, dates); this module decides what each value *means for the check*,
which the parsers cannot know:

- 第三针能打康希诺吗 asks about a booster: 康希诺 is the wanted booster, and
  "the third dose" says two doses were given, not three;
- in 我前两针是北京生物，第三针能打康希诺吗 the first vaccine is the one the
  user had, the second the one they ask about;
- a bare "2" answers whatever the form just asked (doses), never the age;
- 我妈62 北京生物打了两针 她能打加强针不 is about the mother: 62 is the age
  checked, and the spaces typed end clauses like commas do.

Impossible values (age 200, a date in the future, 15 doses) are reported as
problems so the form can re-ask instead of storing them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Dict, List, Mapping, Optional, Sequence

from bot.dialogue import numbers
from bot.dialogue.dates import DoseDate, parse_last_dose
from bot.dialogue.vaccines import VaccineMention, catalog, fold, word_breaks

# The first COVID-19 vaccinations in China were in 2020; an earlier "last dose"
# is a typo, not a fact to compute with.
EARLIEST_PLAUSIBLE_DOSE = date(2020, 1, 1)
MAX_DOSES = 10
UNKNOWN_VACCINE = "不记得了"

_CLAUSE = re.compile(r"[，,。；;！!？?\n]")
BOOSTER_CUE = re.compile(r"加强|第[三四五3-5]\s*[针剂]|混打|再打|下一针")
# 中不中 / 行不 / 成不: the tag questions of northern speech ask as 吗 does.
_QUESTION_CUE = re.compile(
    r"吗|么|嘛|能不能|可不可以|可以|能否|行不|中不中|成不|是否|想打|要打|打算打|准备打|能打|[？?]"
)
_ASK_TO_GET = re.compile(
    r"(?:能|可以|可不可以|能不能|可否|行不行|该|要|想)\s*(?:打|换|用|选)|打.{0,6}(?:行|可以|能)[吗么不]"
)
_PAST_CUE = re.compile(r"打了|打过|打完|接种了|接种过|打的|是|前[两二一1-2]针|之前|以前|原来")
# 能打第三针吗 / 第三针能打…: the ordinal of the dose asked about (so N-1 were given).
_NEXT_DOSE = re.compile(rf"(?<!打完)(?<!打了)(?<!打过)(?<!完成)第\s*({numbers.NUMERAL})\s*[针剂]")
_WHEN = re.compile(r"什么时候|啥时候|何时|多久|几时")
_DONT_KNOW = re.compile(r"不记得|忘了|忘记|不知道|不清楚|记不清|不确定")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# An age is not a date: 今年六十多了 must not reach the date parser as 今年.
_AGE_PHRASE = re.compile(
    rf"今年\s*{numbers.NUMERAL}多?(?!{numbers.NUMERAL[:-1]}|\s*(?:年|月|号|日|针|剂|次|个))(?:周岁|岁|歲)?"
    rf"|{numbers.NUMERAL}\s*多?(?:周岁|岁|歲)"
)
# Times still to come, which the date parser does not read: an impossible "last dose".
_FUTURE = re.compile(r"明年|下个?月|下周|下星期|下礼拜|明天|后天|过几天|以后再")


@dataclass
class Reading:
    vaccine: Optional[VaccineMention] = None
    vaccine_unknown: bool = False  # "不记得了" when asked which vaccine
    vaccine_unnamed: Optional[str] = None  # 辉瑞: a vaccine the explainer does not name
    wanted: Optional[VaccineMention] = None
    doses: Optional[int] = None
    age: Optional[int] = None
    last_dose: Optional[DoseDate] = None
    problems: List[str] = field(default_factory=list)  # keys of booster_text.REASKS
    dont_know: bool = False

    def found_anything(self) -> bool:
        """True when the message gave (or tried to give) any fact of the check."""
        return (
            any(
                v is not None
                for v in (self.vaccine, self.vaccine_unnamed, self.wanted, self.doses, self.age, self.last_dose)
            )
            or self.vaccine_unknown
            or bool(self.problems)
        )

    def personal(self) -> bool:
        """True when the message states something about the user beyond naming a vaccine."""
        return (
            any(v is not None for v in (self.doses, self.age, self.last_dose, self.wanted))
            or self.vaccine_unknown
            or bool(self.problems)
        )

    def answers(self, fact: Optional[str]) -> bool:
        return {
            "vaccine": self.vaccine is not None or self.vaccine_unnamed is not None or self.vaccine_unknown,
            "dose_count": self.doses is not None,
            "age": self.age is not None,
            "last_dose": self.last_dose is not None,
        }.get(fact or "", False)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


def _clause_around(text: str, start: int, end: int, breaks: Sequence[int] = ()) -> tuple:
    """The clause of `text` holding [start, end): (clause text, mention start within it).

    `breaks` (see vaccines.word_breaks) end clauses like punctuation does; one
    inside [start, end) is a space typed within a name (北京 生物) and is ignored."""
    left = max([m.end() for m in _CLAUSE.finditer(text, 0, start)] + [b for b in breaks if b <= start], default=0)
    right = min([m.start() for m in _CLAUSE.finditer(text, end)] + [b for b in breaks if b >= end], default=len(text))
    return text[left:right], start - left


def _is_wanted(text: str, mention: VaccineMention, primary_known: bool, breaks: Sequence[int] = ()) -> bool:
    clause, offset = _clause_around(text, mention.start, mention.end, breaks)
    before = clause[:offset]
    if _PAST_CUE.search(before):
        return False
    asks = _QUESTION_CUE.search(clause)
    # Once the vaccine given is known, 可以打智飞吗 asks about the booster; 科兴是灭活的吗 does not.
    return bool(asks and (BOOSTER_CUE.search(clause) or (primary_known and _ASK_TO_GET.search(clause))))


def _asks_about(text: str, start: int, end: int, breaks: Sequence[int] = ()) -> bool:
    """第三针 in 能打第三针吗 is asked about; in 5月打的第三针 it was given."""
    clause, offset = _clause_around(text, start, end, breaks)
    return not _PAST_CUE.search(clause[:offset]) and bool(_QUESTION_CUE.search(clause) or _WHEN.search(clause))


def _assign_vaccines(
    text: str,
    mentions: Sequence[VaccineMention],
    primary_known: bool,
    reading: Reading,
    breaks: Sequence[int] = (),
) -> None:
    wanted = [m for m in mentions if _is_wanted(text, m, primary_known, breaks)]
    had = [m for m in mentions if m not in wanted]
    if (
        not wanted
        and len({m.value for m in had}) > 1
        and _QUESTION_CUE.search(text)
        and (_ASK_TO_GET.search(text) or BOOSTER_CUE.search(text))
    ):
        # 科兴打完了能打智飞吗: the later vaccine is the one asked about.
        wanted, had = [had[-1]], had[:-1]
    if had:
        reading.vaccine = had[-1]  # 不对，不是科兴，是康希诺: the last one named stands
    if wanted:
        reading.wanted = wanted[-1]


def _payload_entities(entities: Sequence[Mapping]) -> Dict[str, object]:
    return {e["entity"]: e.get("value") for e in entities or () if e.get("entity")}


def read_message(
    text: str,
    today: date,
    requested: Optional[str] = None,
    entities: Sequence[Mapping] = (),
    primary_known: bool = False,
) -> Reading:
    """Reads one user message. `requested` is the fact the form just asked for
    (vaccine / dose_count / age / last_dose); a bare answer fills only that."""
    reading = Reading()
    text = text or ""
    if text.startswith("/"):
        # A quick-reply button (/inform{"vaccine":"科兴"}): Rasa parsed its entities.
        return _read_payload(_payload_entities(entities), today, reading)
    # 我媽 兩針科興: the number, dose and date words below are Simplified.
    from bot.text.normalize import to_simplified  # lazy: loads OpenCC on first use

    text = to_simplified(text)
    folded = fold(text)
    if not folded:
        return reading
    reading.dont_know = bool(_DONT_KNOW.search(folded))

    # Roles are read per clause, and a space typed between words ends one: in
    # 我妈62 北京生物打了两针 她能打加强针不 the question is not about 北京生物.
    # The numbers and dates below still read `folded` (去年 3月 is one date).
    breaks = word_breaks(text)
    source, mentions = catalog().mentions_in(text)
    _assign_vaccines(fold(source), mentions, primary_known, reading, word_breaks(source))
    if not mentions:
        reading.vaccine_unnamed = catalog().unnamed_in(source)
    if requested == "vaccine" and reading.vaccine is None and reading.dont_know:
        reading.vaccine_unknown = True

    bare = numbers.bare_number(folded)
    rest = folded
    next_dose = _NEXT_DOSE.search(folded)
    if next_dose and requested != "dose_count":
        ordinal = numbers.to_int(next_dose.group(1))
        if _asks_about(folded, next_dose.start(), next_dose.end(), breaks):
            # 能打第三针吗: two were given.
            if ordinal and ordinal >= 2:
                reading.doses = ordinal - 1
            rest = folded[: next_dose.start()] + folded[next_dose.end() :]
        elif ordinal:
            reading.doses = ordinal  # 5月打的第二针: the second was the last one given
    if bare is None:
        inferred = numbers.inferred_age(text)
        if inferred:
            # 我妈62 两针: folding glued 62 to 两, so the age's words must not
            # reach the dose and date parsers.
            rest = rest.replace(fold(inferred[1]), "", 1)
    if bare is None or requested == "dose_count":
        doses = numbers.parse_dose_count(rest)
        if doses is not None:
            reading.doses = doses
    if bare is None or requested == "age":
        # With the spaces typed: they end clauses (那我爸呢 66了) and keep
        # 我妈62 两针 apart.
        age = numbers.parse_age(text)
        if age is not None:
            reading.age = age
    if bare is None or requested == "last_dose":
        # A bare number is not a date; the date parser sees the rest of the text.
        undated = _AGE_PHRASE.sub("", rest)
        last = parse_last_dose(undated, today) if bare is None else None
        if last is not None:
            reading.last_dose = last
        elif requested == "last_dose" and _FUTURE.search(undated):
            reading.problems.append("date_future")
    _check(reading, today)
    return reading


def _read_payload(values: Mapping, today: date, reading: Reading) -> Reading:
    if values.get("vaccine"):
        value = str(values["vaccine"])
        if value == UNKNOWN_VACCINE:
            reading.vaccine_unknown = True
        else:
            reading.vaccine = catalog().canonicalise(value)
    if values.get("dose_count") is not None:
        reading.doses = numbers.bare_number(str(values["dose_count"]))
    if values.get("age") is not None:
        reading.age = numbers.bare_number(str(values["age"]))
    if values.get("last_dose"):
        reading.last_dose = parse_last_dose(str(values["last_dose"]), today)
    _check(reading, today)
    return reading


def _check(reading: Reading, today: date) -> None:
    """Moves impossible values into `problems`."""
    if reading.age is not None and not (numbers.plausible_age(reading.age) and reading.age > 0):
        reading.age = None
        reading.problems.append("age_invalid")
    if reading.doses is not None and not 0 <= reading.doses <= MAX_DOSES:
        reading.doses = None
        reading.problems.append("doses_invalid")
    if reading.last_dose is not None:
        if reading.last_dose.is_future(today):
            reading.last_dose = None
            reading.problems.append("date_future")
        elif reading.last_dose.latest < EARLIEST_PLAUSIBLE_DOSE:
            reading.last_dose = None
            reading.problems.append("date_too_early")
