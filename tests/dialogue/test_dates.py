from datetime import date

import pytest

from bot.dialogue.dates import DoseDate, Precision, parse_last_dose, shift_months

TODAY = date(2026, 11, 30)
D = date


@pytest.mark.parametrize(
    "text, earliest, latest, precision",
    [
        # absolute dates
        ("2022年3月", D(2022, 3, 1), D(2022, 3, 31), Precision.MONTH),
        ("2022年3月15日", D(2022, 3, 15), D(2022, 3, 15), Precision.DAY),
        ("2022-03-15", D(2022, 3, 15), D(2022, 3, 15), Precision.DAY),
        ("2022.3", D(2022, 3, 1), D(2022, 3, 31), Precision.MONTH),
        ("22年3月", D(2022, 3, 1), D(2022, 3, 31), Precision.MONTH),
        ("二〇二二年三月", D(2022, 3, 1), D(2022, 3, 31), Precision.MONTH),
        ("2021年", D(2021, 1, 1), D(2021, 12, 31), Precision.YEAR),
        # relative years and months
        ("去年10月", D(2025, 10, 1), D(2025, 10, 31), Precision.MONTH),
        ("去年十月份", D(2025, 10, 1), D(2025, 10, 31), Precision.MONTH),
        ("我去年三月打完两针科兴", D(2025, 3, 1), D(2025, 3, 31), Precision.MONTH),
        ("今年五月初", D(2026, 5, 1), D(2026, 5, 10), Precision.PERIOD),
        ("去年年底", D(2025, 11, 1), D(2025, 12, 31), Precision.PERIOD),
        ("今年年初", D(2026, 1, 1), D(2026, 2, 28), Precision.PERIOD),
        ("去年", D(2025, 1, 1), D(2025, 12, 31), Precision.YEAR),
        ("三月份", D(2026, 3, 1), D(2026, 3, 31), Precision.MONTH),
        ("12月份打的", D(2025, 12, 1), D(2025, 12, 31), Precision.MONTH),  # the most recent December
        ("上个月", D(2026, 10, 1), D(2026, 10, 31), Precision.MONTH),
        ("上上个月", D(2026, 9, 1), D(2026, 9, 30), Precision.MONTH),
        ("这个月", D(2026, 11, 1), D(2026, 11, 30), Precision.MONTH),
        # relative amounts
        ("两个月前", D(2026, 9, 30), D(2026, 9, 30), Precision.DAY),
        ("六个月前", D(2026, 5, 30), D(2026, 5, 30), Precision.DAY),
        ("两个月", D(2026, 9, 30), D(2026, 9, 30), Precision.DAY),
        ("一个半月前", D(2026, 10, 15), D(2026, 10, 15), Precision.DAY),
        ("十天前", D(2026, 11, 20), D(2026, 11, 20), Precision.DAY),
        ("两周前", D(2026, 11, 16), D(2026, 11, 16), Precision.DAY),
        ("半年多了", D(2025, 11, 30), D(2026, 5, 30), Precision.PERIOD),
        ("3个多月了", D(2026, 7, 30), D(2026, 8, 30), Precision.PERIOD),
        ("一年多了", D(2025, 5, 30), D(2025, 11, 30), Precision.PERIOD),
        ("快半年了", D(2026, 5, 31), D(2026, 6, 30), Precision.PERIOD),
        ("大半年了", D(2025, 11, 30), D(2026, 4, 30), Precision.PERIOD),
        ("五六个月前打完的吧", D(2026, 5, 30), D(2026, 6, 30), Precision.PERIOD),
        ("七八个月了", D(2026, 3, 30), D(2026, 4, 30), Precision.PERIOD),
        ("3到4个月前", D(2026, 7, 30), D(2026, 8, 30), Precision.PERIOD),
        ("前几天", D(2026, 11, 23), D(2026, 11, 28), Precision.PERIOD),
        ("昨天", D(2026, 11, 29), D(2026, 11, 29), Precision.DAY),
        # A hedge reaches either side of the amount: 大概半年前 straddles the 6-month line.
        ("大概半年前吧 具体记不清了", D(2026, 4, 30), D(2026, 6, 30), Precision.PERIOD),
        ("三个月左右", D(2026, 7, 30), D(2026, 9, 30), Precision.PERIOD),
        ("差不多一年前", D(2025, 8, 30), D(2026, 2, 28), Precision.PERIOD),
        # 今天 is the day a dose was given only when it says so; otherwise the other date.
        ("今天刚打完第二针", D(2026, 11, 30), D(2026, 11, 30), Precision.DAY),
        ("前年打了两针 今天社区喇叭在喊打加强针", D(2024, 1, 1), D(2024, 12, 31), Precision.YEAR),
        # Traditional and full-width input
        ("兩個月前", D(2026, 9, 30), D(2026, 9, 30), Precision.DAY),
        ("２０２２年３月", D(2022, 3, 1), D(2022, 3, 31), Precision.MONTH),
    ],
)
def test_parse_last_dose(text, earliest, latest, precision):
    parsed = parse_last_dose(text, TODAY)
    assert parsed is not None, text
    assert (parsed.earliest, parsed.latest, parsed.precision) == (earliest, latest, precision)
    assert not parsed.is_future(TODAY)


@pytest.mark.parametrize("text", ["abc", "", "不记得了", "明年", "13月", "2022年2月30日", "今天能打加强针吗"])
def test_unreadable_times_give_none(text):
    assert parse_last_dose(text, TODAY) is None


def test_a_future_date_is_returned_and_flagged():
    parsed = parse_last_dose("2027年1月", TODAY)
    assert parsed.is_future(TODAY)


def test_relative_times_follow_the_injected_today():
    assert parse_last_dose("上个月", date(2026, 1, 15)).earliest == date(2025, 12, 1)
    assert parse_last_dose("10月份", date(2026, 3, 1)).earliest == date(2025, 10, 1)
    assert parse_last_dose("2月份", date(2026, 3, 1)).earliest == date(2026, 2, 1)


def test_slot_form_round_trips():
    parsed = parse_last_dose("去年10月", TODAY)
    assert parsed.as_slot() == "2025-10-01/2025-10-31"
    back = DoseDate.from_slot(parsed.as_slot())
    assert (back.earliest, back.latest) == (parsed.earliest, parsed.latest)
    assert DoseDate.from_slot("去年10月") is None
    assert DoseDate.from_slot("2025-10-31/2025-10-01") is None


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (D(2026, 8, 31), -6, D(2026, 2, 28)),
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
        (D(2025, 3, 1), 12, D(2026, 3, 1)),
    ],
)
def test_shift_months_clamps_to_the_month_end(day, months, expected):
    assert shift_months(day, months) == expected
