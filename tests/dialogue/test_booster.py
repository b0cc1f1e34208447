"""The booster rules engine, table-driven over every combination of age band,
vaccine, dose count and interval, plus the cases issue #10 names."""

import itertools
from datetime import date, timedelta

import pytest

from bot.dialogue.booster import BoosterChoice, Fact, Facts, Reason, Verdict, add_months, assess, load_rules
from bot.dialogue.dates import DoseDate, Precision, parse_last_dose

TODAY = date(2026, 11, 20)  # mid-month: "one day short" is not swallowed by month-end clamping
RULES = load_rules()

VACCINES = {  # canonical value -> (vaccine name or None, route)
    "科兴": ("科兴", "inactivated"),
    "北京生物": ("北京生物", "inactivated"),
    "长春生物": ("长春生物", "inactivated"),
    "国药": ("国药", "inactivated"),
    "灭活疫苗": (None, "inactivated"),
    "智飞龙科马": ("智飞龙科马", "recombinant_protein"),
    "康希诺": ("康希诺", "adenovirus_vector"),
    "不记得了": (None, None),
}
AGES = {"under 18": 16, "just 18": 18, "adult": 35, "older": 72}
DOSES = [0, 1, 2, 3, 4]


def day(d: date) -> DoseDate:
    return DoseDate(d, d, Precision.DAY)


INTERVALS = {  # name -> (last dose window, expected verdict once the primary series is complete)
    "5 months ago": (day(add_months(TODAY, -5)), Verdict.TOO_SOON),
    "one day short of 6 months": (day(add_months(TODAY, -6) + timedelta(days=1)), Verdict.TOO_SOON),
    "exactly 6 months ago": (day(add_months(TODAY, -6)), Verdict.ELIGIBLE_NOW),
    "a year ago": (day(add_months(TODAY, -12)), Verdict.ELIGIBLE_NOW),
    "the month 6 months ago (day unknown)": (
        DoseDate(date(2026, 5, 1), date(2026, 5, 31), Precision.MONTH),
        Verdict.DEPENDS_ON_DATE,
    ),
    "the month 7 months ago (day unknown)": (
        DoseDate(date(2026, 4, 1), date(2026, 4, 30), Precision.MONTH),
        Verdict.ELIGIBLE_NOW,
    ),
}

# The table: what the article says for each primary series, with no dependence
# on age or date unless marked "interval".
PRIMARY = {
    ("inactivated", 0): (Verdict.NOT_COVERED, Reason.NOT_VACCINATED),
    ("inactivated", 1): (Verdict.NOT_ELIGIBLE, Reason.PRIMARY_INCOMPLETE),
    ("inactivated", 2): "interval",
    ("inactivated", 3): (Verdict.NOT_COVERED, Reason.ALREADY_BOOSTED),
    ("inactivated", 4): (Verdict.NOT_COVERED, Reason.ALREADY_BOOSTED),
    ("adenovirus_vector", 0): (Verdict.NOT_COVERED, Reason.NOT_VACCINATED),
    ("adenovirus_vector", 1): "interval",
    ("adenovirus_vector", 2): (Verdict.NOT_COVERED, Reason.ALREADY_BOOSTED),
    ("adenovirus_vector", 3): (Verdict.NOT_COVERED, Reason.ALREADY_BOOSTED),
    ("adenovirus_vector", 4): (Verdict.NOT_COVERED, Reason.ALREADY_BOOSTED),
    ("recombinant_protein", 0): (Verdict.NOT_COVERED, Reason.NOT_VACCINATED),
    ("recombinant_protein", 1): (Verdict.NOT_COVERED, Reason.PROTEIN_COURSE_UNCLEAR),
    ("recombinant_protein", 2): (Verdict.NOT_COVERED, Reason.PROTEIN_COURSE_UNCLEAR),
    ("recombinant_protein", 3): (Verdict.NO_BOOSTER_NEEDED, Reason.PROTEIN_FULL_COURSE),
    ("recombinant_protein", 4): (Verdict.NO_BOOSTER_NEEDED, Reason.PROTEIN_FULL_COURSE),
    (None, 0): (Verdict.NOT_COVERED, Reason.NOT_VACCINATED),
    **{(None, n): (Verdict.NOT_COVERED, Reason.UNKNOWN_VACCINE) for n in (1, 2, 3, 4)},
}


def facts(vaccine: str, doses: int, age: int, last_dose=None, **extra) -> Facts:
    name, route = VACCINES[vaccine]
    return Facts(vaccine=name, route=route, vaccine_known=True, doses=doses, age=age, last_dose=last_dose, **extra)


def expected(vaccine: str, doses: int, age: int, interval: str):
    if age < 18:
        return Verdict.NOT_ELIGIBLE, Reason.UNDER_AGE
    entry = PRIMARY[(VACCINES[vaccine][1], doses)]
    if entry != "interval":
        return entry
    verdict = INTERVALS[interval][1]
    reason = {
        Verdict.TOO_SOON: Reason.INTERVAL_NOT_REACHED,
        Verdict.ELIGIBLE_NOW: Reason.INTERVAL_REACHED,
        Verdict.DEPENDS_ON_DATE: Reason.INTERVAL_UNCLEAR,
    }[verdict]
    return verdict, reason


CASES = list(itertools.product(VACCINES, DOSES, AGES, INTERVALS))


@pytest.mark.parametrize("vaccine,doses,age_band,interval", CASES)
def test_every_combination(vaccine, doses, age_band, interval):
    age = AGES[age_band]
    result = assess(facts(vaccine, doses, age, INTERVALS[interval][0]), TODAY, RULES)
    assert result.missing is None
    outcome = result.outcome
    assert (outcome.verdict, outcome.reason) == expected(vaccine, doses, age, interval)
    assert outcome.quotes, "every verdict quotes the article"


@pytest.mark.parametrize("vaccine,doses,age_band,interval", CASES)
def test_no_verdict_contradicts_the_source(vaccine, doses, age_band, interval):
    """Independent of the table: what each verdict asserts must hold under the article's rules."""
    age = AGES[age_band]
    window = INTERVALS[interval][0]
    outcome = assess(facts(vaccine, doses, age, window), TODAY, RULES).outcome
    route = VACCINES[vaccine][1]
    six_months_after_latest = add_months(window.latest, 6)
    if outcome.verdict is Verdict.ELIGIBLE_NOW:
        # 18+, two inactivated or one adenovirus-vector dose, 6 months since, even on the latest possible day.
        assert age >= 18
        assert (route, doses) in {("inactivated", 2), ("adenovirus_vector", 1)}
        assert TODAY >= six_months_after_latest
        assert any(q.id == "booster_target" for q in outcome.quotes)
    if outcome.verdict is Verdict.TOO_SOON:
        assert TODAY < add_months(window.earliest, 6)
        assert outcome.possible_from == add_months(window.earliest, 6)
    if outcome.verdict is Verdict.NO_BOOSTER_NEEDED:
        assert route == "recombinant_protein"
        assert [q.id for q in outcome.quotes] == ["protein_no_booster"]
    if outcome.verdict is Verdict.NOT_ELIGIBLE:
        # The article's booster target: 18+ with a completed primary series.
        assert age < 18 or doses < RULES.primary_doses[route]


# The cases issue #10 names, spelled out.


def test_under_18_is_told_at_once_without_further_questions():
    result = assess(Facts(age=16), TODAY, RULES)
    assert result.outcome.verdict is Verdict.NOT_ELIGIBLE
    assert result.consulted == (Fact.AGE,)
    assert [q.id for q in result.outcome.quotes] == ["booster_target"]


def test_a_vaccine_the_article_does_not_name_is_not_covered_by_name():
    """辉瑞: the check says the article does not cover it, rather than "you don't know your vaccine"."""
    named = assess(Facts(vaccine="辉瑞", vaccine_known=True, doses=2, age=35), TODAY, RULES).outcome
    assert (named.verdict, named.reason) == (Verdict.NOT_COVERED, Reason.UNNAMED_VACCINE)
    unknown = assess(Facts(vaccine_known=True, doses=2, age=35), TODAY, RULES).outcome
    assert (unknown.verdict, unknown.reason) == (Verdict.NOT_COVERED, Reason.UNKNOWN_VACCINE)


def test_one_inactivated_dose_only_is_an_incomplete_primary_series():
    outcome = assess(facts("科兴", 1, 35), TODAY, RULES).outcome
    assert (outcome.verdict, outcome.reason) == (Verdict.NOT_ELIGIBLE, Reason.PRIMARY_INCOMPLETE)
    assert [q.id for q in outcome.quotes] == ["booster_target"]


def test_less_than_six_months_states_the_earliest_date():
    last = parse_last_dose("2026年7月15日", TODAY)
    outcome = assess(facts("科兴", 2, 35, last), TODAY, RULES).outcome
    assert outcome.verdict is Verdict.TOO_SOON
    assert outcome.possible_from == outcome.certain_from == date(2027, 1, 15)


def test_six_months_from_31_august_ends_on_the_last_day_of_february():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_full_zhifei_course_needs_no_booster_and_no_date():
    result = assess(facts("智飞龙科马", 3, None), TODAY, RULES)
    assert result.outcome.verdict is Verdict.NO_BOOSTER_NEEDED
    assert Fact.LAST_DOSE not in result.consulted and Fact.AGE not in result.consulted


def test_one_cansino_dose_is_a_complete_primary_series():
    outcome = assess(facts("康希诺", 1, 40, day(date(2026, 1, 10))), TODAY, RULES).outcome
    assert outcome.verdict is Verdict.ELIGIBLE_NOW
    assert outcome.boosters == ("same",)
    assert [q.id for q in outcome.quotes] == ["booster_target", "same_vaccine_booster"]


def test_zhifei_as_booster_after_two_sinovac_doses_is_allowed_by_the_mixing_rule():
    f = facts("科兴", 2, 35, day(date(2026, 1, 10)), wanted="智飞龙科马", wanted_route="recombinant_protein")
    outcome = assess(f, TODAY, RULES).outcome
    assert outcome.verdict is Verdict.ELIGIBLE_NOW
    assert outcome.choice is BoosterChoice.ALLOWED
    assert "mixed_booster" in [q.id for q in outcome.quotes]


@pytest.mark.parametrize(
    "primary,wanted,wanted_route,choice",
    [
        ("北京生物", "康希诺", "adenovirus_vector", BoosterChoice.ALLOWED),
        ("科兴", "科兴", "inactivated", BoosterChoice.ALLOWED),
        ("科兴", "北京生物", "inactivated", BoosterChoice.SAME_ONLY),  # the article says 原灭活疫苗
        ("国药", "北京生物", "inactivated", BoosterChoice.SAME_ONLY),
        ("康希诺", "康希诺", "adenovirus_vector", BoosterChoice.ALLOWED),
        (
            "康希诺",
            "智飞龙科马",
            "recombinant_protein",
            BoosterChoice.NOT_STATED,
        ),  # mixing is stated only after inactivated
        ("康希诺", "科兴", "inactivated", BoosterChoice.NOT_STATED),
    ],
)
def test_the_booster_vaccine_asked_about(primary, wanted, wanted_route, choice):
    f = facts(
        primary, 1 if primary == "康希诺" else 2, 35, day(date(2026, 1, 10)), wanted=wanted, wanted_route=wanted_route
    )
    assert assess(f, TODAY, RULES).outcome.choice is choice


@pytest.mark.parametrize(
    "given,missing",
    [
        (Facts(), Fact.VACCINE),
        (Facts(vaccine="科兴", route="inactivated", vaccine_known=True), Fact.DOSES),
        (Facts(vaccine="科兴", route="inactivated", vaccine_known=True, doses=2), Fact.AGE),
        (Facts(vaccine="科兴", route="inactivated", vaccine_known=True, doses=2, age=35), Fact.LAST_DOSE),
        (Facts(age=35), Fact.VACCINE),
    ],
)
def test_asks_for_the_first_missing_fact(given, missing):
    assert assess(given, TODAY, RULES).missing is missing
