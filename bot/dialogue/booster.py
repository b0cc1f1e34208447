"""The personal booster check: the explainer's booster rules (data/booster_rules.yml)
applied to what one person told us.

Pure and deterministic: facts in, an assessment out (the fact still missing,
or a verdict with the rule sentences it rests on). The form action
(actions/booster_form.py) only moves slot values in and text out, and the
verdict's wording lives in bot/dialogue/booster_text.py.

The engine never decides beyond the article: when the article is silent about
a case (one inactivated dose, a fourth dose, mixing after 康希诺…), the verdict
is NOT_COVERED, and the text says what the article does say and where to ask.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Protocol, Tuple

import yaml

from bot.paths import PROJECT_ROOT

RULES_PATH = PROJECT_ROOT / "data" / "booster_rules.yml"


class Fact(str, Enum):
    """What the check may need to know, in the order the form asks for it."""

    VACCINE = "vaccine"
    DOSES = "dose_count"
    AGE = "age"
    LAST_DOSE = "last_dose"


class Verdict(str, Enum):
    ELIGIBLE_NOW = "eligible_now"
    TOO_SOON = "too_soon"
    # The 6 months end somewhere inside the stretch the user named (半年前): the
    # verdict states both dates instead of guessing.
    DEPENDS_ON_DATE = "depends_on_date"
    NOT_ELIGIBLE = "not_eligible"
    NO_BOOSTER_NEEDED = "no_booster_needed"
    NOT_COVERED = "not_covered"


class Reason(str, Enum):
    """Why the verdict is what it is; the text module words each one."""

    UNDER_AGE = "under_age"
    NOT_VACCINATED = "not_vaccinated"
    PRIMARY_INCOMPLETE = "primary_incomplete"
    PROTEIN_COURSE_UNCLEAR = "protein_course_unclear"
    PROTEIN_FULL_COURSE = "protein_full_course"
    ALREADY_BOOSTED = "already_boosted"
    UNKNOWN_VACCINE = "unknown_vaccine"
    UNNAMED_VACCINE = "unnamed_vaccine"  # a vaccine the article does not name (辉瑞)
    INTERVAL_NOT_REACHED = "interval_not_reached"
    INTERVAL_REACHED = "interval_reached"
    INTERVAL_UNCLEAR = "interval_unclear"


class BoosterChoice(str, Enum):
    """What the article says about the booster vaccine the user asked about."""

    ALLOWED = "allowed"  # the article names it for this primary series
    SAME_ONLY = "same_only"  # allowed only if it is the same vaccine as the first doses
    NOT_STATED = "not_stated"  # the article does not name it for this primary series


@dataclass(frozen=True)
class Quote:
    id: str
    faq_id: str
    question: str
    text: str
    span: Tuple[int, int]


class DoseWindow(Protocol):
    """The days the last dose may have been given on (bot.dialogue.dates.DoseDate):
    people often name only a month (去年三月) or a stretch (半年多了)."""

    # Read-only, so frozen dataclasses such as DoseDate match.
    @property
    def earliest(self) -> date: ...

    @property
    def latest(self) -> date: ...

    def as_slot(self) -> str:
        """A plain-string form for a Rasa slot (the form stores the window in one)."""
        ...


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day
    (31 Aug + 6 months -> 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Facts:
    """What the user told us. `vaccine` is a canonical vaccine name (科兴…) or
    None when only the route is known (灭活); `route` is a route id of
    data/dictionary/vaccines.yml, or None for a vaccine we do not know."""

    vaccine: Optional[str] = None
    route: Optional[str] = None
    vaccine_known: bool = False  # True once the user answered, even with "不记得了"
    doses: Optional[int] = None
    age: Optional[int] = None
    last_dose: Optional[DoseWindow] = None
    wanted: Optional[str] = None  # the booster vaccine asked about (可以打智飞吗)
    wanted_route: Optional[str] = None


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    reason: Reason
    quotes: Tuple[Quote, ...]
    # 6 months after the earliest / the latest day the last dose may have been
    # given on; equal when the user gave the day.
    possible_from: Optional[date] = None
    certain_from: Optional[date] = None
    boosters: Tuple[str, ...] = ()  # named booster options ("same" for the primary vaccine)
    choice: Optional[BoosterChoice] = None  # about `Facts.wanted`, when asked


@dataclass(frozen=True)
class Assessment:
    """Either `missing` (ask for it next) or `outcome`; `consulted` lists the facts
    the rules looked at so far, in order (the form's required slots)."""

    consulted: Tuple[Fact, ...]
    missing: Optional[Fact] = None
    outcome: Optional[Outcome] = None


@dataclass(frozen=True)
class BoosterOption:
    same: bool
    vaccines: Tuple[str, ...]
    quotes: Tuple[str, ...]


@dataclass(frozen=True)
class BoosterRules:
    source: Dict[str, str]
    quotes: Dict[str, Quote]
    min_age: int
    min_age_quotes: Tuple[str, ...]
    interval_months: int
    interval_quotes: Tuple[str, ...]
    primary_doses: Dict[str, int]
    primary_quotes: Dict[str, Tuple[str, ...]]
    no_booster_doses: Dict[str, int]
    no_booster_quotes: Dict[str, Tuple[str, ...]]
    boosters: Dict[str, Tuple[BoosterOption, ...]] = field(default_factory=dict)

    def quote(self, *ids: str) -> Tuple[Quote, ...]:
        return tuple(self.quotes[i] for i in ids)

    def quotes_about(self, route) -> FrozenSet[str]:
        """The quotes the rules apply to someone whose primary series was `route`
        (a route id, or a bot.dialogue.vaccines.Route member)."""
        route = _plain(route)
        return frozenset(
            (
                *self.primary_quotes.get(route, ()),
                *self.no_booster_quotes.get(route, ()),
                *(q for option in self.boosters.get(route, ()) for q in option.quotes),
            )
        )

    def quotes_not_about(self, route) -> FrozenSet[str]:
        """The quotes the rules apply only to other primary series than `route`
        (for 康希诺: the 混打 sentence, written for two inactivated doses); none
        for a route the rules do not know, which no rule speaks about."""
        route = _plain(route)
        routes = {*self.primary_quotes, *self.no_booster_quotes, *self.boosters}
        if route not in routes:
            return frozenset()
        return frozenset().union(*(self.quotes_about(r) for r in routes)) - self.quotes_about(route)


def parse_rules(data: dict) -> BoosterRules:
    quotes = {
        qid: Quote(qid, q["faq"], q["question"], q["text"], tuple(q["span"])) for qid, q in data["quotes"].items()
    }
    boosters = {
        route: tuple(
            BoosterOption(bool(o.get("same")), tuple(o.get("vaccines", ())), tuple(o["quotes"])) for o in options
        )
        for route, options in data["boosters"].items()
    }
    rules = BoosterRules(
        source=dict(data["source"]),
        quotes=quotes,
        min_age=int(data["min_age"]["years"]),
        min_age_quotes=tuple(data["min_age"]["quotes"]),
        interval_months=int(data["interval"]["months"]),
        interval_quotes=tuple(data["interval"]["quotes"]),
        primary_doses={r: int(v["doses"]) for r, v in data["primary_series"].items()},
        primary_quotes={r: tuple(v["quotes"]) for r, v in data["primary_series"].items()},
        no_booster_doses={r: int(v["full_course_doses"]) for r, v in data["no_booster"].items()},
        no_booster_quotes={r: tuple(v["quotes"]) for r, v in data["no_booster"].items()},
        boosters=boosters,
    )
    referenced = [
        *rules.min_age_quotes,
        *rules.interval_quotes,
        *(q for qs in rules.primary_quotes.values() for q in qs),
        *(q for qs in rules.no_booster_quotes.values() for q in qs),
        *(q for opts in boosters.values() for o in opts for q in o.quotes),
    ]
    unknown = sorted(set(referenced) - set(quotes))
    if unknown:
        raise ValueError(f"booster rules reference unknown quotes: {', '.join(unknown)}")
    return rules


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> BoosterRules:
    with open(path, encoding="utf-8") as handle:
        return parse_rules(yaml.safe_load(handle))


def _dedupe(quotes) -> Tuple[Quote, ...]:
    seen, out = set(), []
    for quote in quotes:
        if quote.id not in seen:
            seen.add(quote.id)
            out.append(quote)
    return tuple(out)


def assess(facts: Facts, today: date, rules: Optional[BoosterRules] = None) -> Assessment:
    """The next fact to ask for, or the verdict. Facts already given are used
    before anything is asked (a 16-year-old is told at once)."""
    rules = rules or load_rules()
    consulted: List[Fact] = []

    def done(verdict: Verdict, reason: Reason, quote_ids, **extra) -> Assessment:
        return Assessment(tuple(consulted), outcome=Outcome(verdict, reason, _dedupe(rules.quote(*quote_ids)), **extra))

    if facts.age is not None and facts.age < rules.min_age:
        consulted.append(Fact.AGE)
        return done(Verdict.NOT_ELIGIBLE, Reason.UNDER_AGE, rules.min_age_quotes)

    for fact, known in (
        (Fact.VACCINE, facts.vaccine_known or facts.route is not None),
        (Fact.DOSES, facts.doses is not None),
    ):
        consulted.append(fact)
        if not known:
            return Assessment(tuple(consulted), missing=fact)

    # Plain strings: route ids may arrive as bot.dialogue.vaccines.Route members.
    route, doses = _plain(facts.route), facts.doses
    assert doses is not None  # Fact.DOSES was checked as known above
    if doses == 0:
        return done(Verdict.NOT_COVERED, Reason.NOT_VACCINATED, ["everyone_vaccinate", "booster_target"])
    if route in rules.no_booster_doses:
        quotes = rules.no_booster_quotes[route]
        if doses >= rules.no_booster_doses[route]:
            return done(Verdict.NO_BOOSTER_NEEDED, Reason.PROTEIN_FULL_COURSE, quotes)
        return done(Verdict.NOT_COVERED, Reason.PROTEIN_COURSE_UNCLEAR, quotes)
    if route not in rules.primary_doses:
        reason = Reason.UNNAMED_VACCINE if facts.vaccine else Reason.UNKNOWN_VACCINE
        return done(Verdict.NOT_COVERED, reason, ["booster_target"])
    needed = rules.primary_doses[route]
    if doses < needed:
        # The article defines who gets a booster (a completed primary series), so
        # someone short of it is plainly not eligible yet; only the next dose of
        # the series is something the article does not cover (the text says so).
        return done(Verdict.NOT_ELIGIBLE, Reason.PRIMARY_INCOMPLETE, rules.primary_quotes[route])
    if doses > needed:
        # The article describes one booster dose only; nothing about a further one.
        return done(
            Verdict.NOT_COVERED,
            Reason.ALREADY_BOOSTED,
            [*rules.primary_quotes[route], *rules.boosters[route][0].quotes],
        )

    for fact, known in ((Fact.AGE, facts.age is not None), (Fact.LAST_DOSE, facts.last_dose is not None)):
        consulted.append(fact)
        if not known:
            return Assessment(tuple(consulted), missing=fact)

    options = rules.boosters.get(route, ())
    names = tuple(name for o in options for name in (("same",) if o.same else o.vaccines))
    choice, choice_quotes = booster_choice(facts, options)
    # A named booster the article allows: quote that rule; otherwise every option.
    used = (
        choice_quotes
        if choice in (BoosterChoice.ALLOWED, BoosterChoice.SAME_ONLY)
        else [q for o in options for q in o.quotes]
    )
    quote_ids = [*rules.interval_quotes, *used]
    window = facts.last_dose
    assert window is not None  # Fact.LAST_DOSE was checked as known above
    possible_from = add_months(window.earliest, rules.interval_months)
    certain_from = add_months(window.latest, rules.interval_months)
    extra = dict(
        possible_from=possible_from,
        certain_from=certain_from,
        boosters=names,
        choice=choice,
    )
    if today >= certain_from:
        return done(Verdict.ELIGIBLE_NOW, Reason.INTERVAL_REACHED, quote_ids, **extra)
    if today < possible_from:
        return done(Verdict.TOO_SOON, Reason.INTERVAL_NOT_REACHED, quote_ids, **extra)
    return done(Verdict.DEPENDS_ON_DATE, Reason.INTERVAL_UNCLEAR, quote_ids, **extra)


def _plain(value) -> Optional[str]:
    return getattr(value, "value", value)


def booster_choice(facts: Facts, options) -> Tuple[Optional[BoosterChoice], List[str]]:
    """What the article says about the booster vaccine the user named, if any."""
    if not facts.wanted and not facts.wanted_route:
        return None, []
    for option in options:
        if not option.same and facts.wanted in option.vaccines:
            return BoosterChoice.ALLOWED, list(option.quotes)
    for option in options:
        if option.same and _plain(facts.wanted_route) == _plain(facts.route):
            if facts.vaccine and facts.wanted == facts.vaccine:
                return BoosterChoice.ALLOWED, list(option.quotes)
            # 灭活 after 科兴, or 北京生物 after 国药: the article says 原灭活疫苗, the same one.
            return BoosterChoice.SAME_ONLY, list(option.quotes)
    return BoosterChoice.NOT_STATED, []
