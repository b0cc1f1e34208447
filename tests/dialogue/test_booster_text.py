"""The booster check's wording: every verdict quotes its sentences, cites the
article, states its age and where to ask; nothing reaches the user as a blank
line (the REST channel would split the message there)."""

import itertools
from datetime import date

import pytest

from bot.dialogue import booster_text
from bot.dialogue.booster import Facts, Reason, assess, load_rules
from bot.dialogue.dates import parse_last_dose

TODAY = date(2026, 11, 30)
RULES = load_rules()
VACCINES = [
    ("科兴", "inactivated"),
    ("康希诺", "adenovirus_vector"),
    ("智飞龙科马", "recombinant_protein"),
    (None, "inactivated"),
    (None, None),
]
LAST = ["两个月前", "去年三月", "2026年5月", "半年多了"]


def every_verdict():
    for (vaccine, route), doses, age, last in itertools.product(VACCINES, range(5), (16, 35), LAST):
        facts = Facts(
            vaccine=vaccine,
            route=route,
            vaccine_known=True,
            doses=doses,
            age=age,
            last_dose=parse_last_dose(last, TODAY),
        )
        yield facts, assess(facts, TODAY, RULES).outcome


def test_every_reason_has_a_headline():
    assert set(booster_text.HEADLINES) == set(Reason)


@pytest.mark.parametrize("facts,outcome", list(every_verdict()))
def test_every_verdict_quotes_cites_dates_and_refers(facts, outcome):
    text = booster_text.verdict_text(facts, outcome, RULES)
    assert "\n\n" not in text
    for quote in outcome.quotes:
        assert f"“{quote.text}”" in text
    assert "【来源】大同日报《市疾控中心专家就新冠病毒疫苗接种再释疑》（2022年5月）" in text
    assert "2022年5月" in text.splitlines()[-1] and "12320" in text.splitlines()[-1]
    assert text.splitlines()[1] == booster_text.HEADLINES[outcome.reason].format(who="您")


@pytest.mark.parametrize("facts,outcome", list(every_verdict()))
def test_a_check_for_a_relative_speaks_of_them_not_of_the_asker(facts, outcome):
    text = booster_text.verdict_text(facts, outcome, RULES, who="她")
    # 您 is left only where it means the asker: 您问的X, 按您说的时间.
    assert text.replace("您问的", "").replace("按您说的", "").count("您") == 0
    assert text.startswith("她的情况：")


def test_too_soon_states_the_earliest_date():
    facts = Facts(
        vaccine="科兴",
        route="inactivated",
        vaccine_known=True,
        doses=2,
        age=35,
        last_dose=parse_last_dose("2026年9月10日", TODAY),
    )
    text = booster_text.verdict_text(facts, assess(facts, TODAY, RULES).outcome, RULES)
    assert "您最早可以在2027年3月10日接种" in text


def test_questions_for_a_relative_name_them():
    assert booster_text.question("age", who="您老伴").text.startswith("您老伴今年多大年龄")
    assert booster_text.question("last_dose", who="他").text.startswith("他最后一针")
    assert "她的实际年龄" in booster_text.reask("age_invalid", "她")


def test_questions_offer_quick_replies_only_where_answers_are_few():
    assert [b["title"] for b in booster_text.question("vaccine").buttons] == [
        *booster_text.VACCINE_CHOICES,
        booster_text.UNKNOWN_VACCINE,
    ]
    assert len(booster_text.question("dose_count").buttons) == 3
    assert booster_text.question("age").buttons == [] and booster_text.question("last_dose").buttons == []
