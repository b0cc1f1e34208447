"""Reading the booster check's facts from messages as users type them."""

from datetime import date

import pytest

from bot.dialogue.booster_message import read_message

TODAY = date(2026, 11, 30)


def _vaccine(reading):
    if reading.vaccine:
        return reading.vaccine.value
    if reading.vaccine_unnamed:
        return reading.vaccine_unnamed
    return "?" if reading.vaccine_unknown else None


def slot(reading):
    return {
        "vaccine": _vaccine(reading),
        "wanted": reading.wanted.value if reading.wanted else None,
        "doses": reading.doses,
        "age": reading.age,
        "last_dose": reading.last_dose.as_slot() if reading.last_dose else None,
    }


@pytest.mark.parametrize(
    "text,requested,primary_known,expected",
    [
        (
            "我35岁，去年三月打完两针科兴，现在能打加强针吗",
            None,
            False,
            {"vaccine": "科兴", "doses": 2, "age": 35, "last_dose": "2025-03-01/2025-03-31"},
        ),
        # The vaccine asked about is not the one given; "the third dose" means two were given.
        (
            "我前两针是北京生物，第三针能打康希诺吗",
            None,
            False,
            {"vaccine": "北京生物", "wanted": "康希诺", "doses": 2},
        ),
        ("帮我看看我能不能打第三针", None, False, {"doses": 2}),
        ("打了两针科兴，加强可以打智飞吗", None, False, {"vaccine": "科兴", "wanted": "智飞龙科马", "doses": 2}),
        ("科兴打完了能打智飞吗", None, False, {"vaccine": "科兴", "wanted": "智飞龙科马"}),
        ("科兴打的两针 加强打智飞中不中", None, False, {"vaccine": "科兴", "wanted": "智飞龙科马", "doses": 2}),
        # Inside the form, once the vaccine is known, 可以打智飞吗 asks about the booster.
        ("可以打智飞吗", "age", True, {"wanted": "智飞龙科马"}),
        ("我能打智飞加强针吗", None, False, {"wanted": "智飞龙科马"}),
        ("不对，我是康希诺", "age", True, {"vaccine": "康希诺"}),
        ("我打的是科兴，能打加强针吗", None, False, {"vaccine": "科兴"}),
        # Bare answers fill only the fact the form asked for.
        ("35", "age", True, {"age": 35}),
        ("2", "dose_count", True, {"doses": 2}),
        ("两针", "dose_count", True, {"doses": 2}),
        ("三十五", "age", True, {"age": 35}),
        ("科星", "vaccine", False, {"vaccine": "科兴"}),  # typo
        ("打的國藥", "vaccine", False, {"vaccine": "国药"}),  # Traditional
        ("智飛龍科馬", "vaccine", False, {"vaccine": "智飞龙科马"}),
        ("不记得了", "vaccine", False, {"vaccine": "?"}),
        ("我打了三针智飞", "vaccine", False, {"vaccine": "智飞龙科马", "doses": 3}),
        ("我16岁", "vaccine", False, {"age": 16}),
        ("我今年六十多了，打过两针灭活的", "vaccine", False, {"vaccine": "灭活疫苗", "doses": 2, "age": 60}),
        ("今年35，今年5月打的第二针", None, False, {"age": 35, "doses": 2, "last_dose": "2026-05-01/2026-05-31"}),
        ("去年10月", "last_dose", True, {"last_dose": "2025-10-01/2025-10-31"}),
        ("2022.3.15", "last_dose", True, {"last_dose": "2022-03-15/2022-03-15"}),
        ("加强针怎么打", "age", True, {}),
        # Spaces typed between words end a clause: the question is not about 北京生物.
        (
            "北京生物打了两针 最后一针是去年三月 她能打加强针不",
            None,
            False,
            {"vaccine": "北京生物", "doses": 2, "last_dose": "2025-03-01/2025-03-31"},
        ),
        # …but not a space inside a name, and numbers still read across spaces.
        (
            "我前两针是北京 生物 第三针能打康希诺吗",
            None,
            False,
            {"vaccine": "北京生物", "wanted": "康希诺", "doses": 2},
        ),
        ("去年 3月", "last_dose", True, {"last_dose": "2025-03-01/2025-03-31"}),
        ("打了 两 针", "dose_count", True, {"doses": 2}),
        # Found only once normalised (啥 -> 什么 is longer): roles are read on that text.
        ("啥啥啥啥打的柯兴，能打加强针吗", None, False, {"vaccine": "科兴"}),
        # Ages typed without 岁, often a relative's.
        (
            "我妈62 北京生物打了两针 最后一针是去年三月 她能打加强针不",
            None,
            False,
            {"vaccine": "北京生物", "doses": 2, "age": 62, "last_dose": "2025-03-01/2025-03-31"},
        ),
        (
            "那我爸呢 66了 打的两针科兴 去年四月打完的",
            None,
            False,
            {"vaccine": "科兴", "doses": 2, "age": 66, "last_dose": "2025-04-01/2025-04-30"},
        ),
        ("老伴七十多了 打了两针国药", None, False, {"vaccine": "国药", "doses": 2, "age": 70}),
        ("我今年45 打了两针科兴", None, False, {"vaccine": "科兴", "doses": 2, "age": 45}),
        ("我45 打了两针科兴", None, False, {"vaccine": "科兴", "doses": 2, "age": 45}),
        # Folding glues 66 to 两; the age's words are kept from the dose and date parsers.
        (
            "我爸66 两针科兴 两年前打完",
            None,
            False,
            {"vaccine": "科兴", "doses": 2, "age": 66, "last_dose": "2024-11-30/2024-11-30"},
        ),
        # Traditional characters: 兩針 is two doses, 今年71 an age.
        (
            "我媽 兩針科興 去年三月打完 今年71 能打加強嗎",
            None,
            False,
            {"vaccine": "科兴", "doses": 2, "age": 71, "last_dose": "2025-03-01/2025-03-31"},
        ),
        # A child's age with 了; 今天 here is when the user writes, not a dose date.
        (
            "孩子16了 打了两针科兴 去年三月打完的 能打加强针吗",
            None,
            False,
            {"vaccine": "科兴", "doses": 2, "age": 16, "last_dose": "2025-03-01/2025-03-31"},
        ),
        (
            "我今年五十多了 前年打了两针科兴 今天社区喇叭在喊打加强针 我还能打不",
            None,
            False,
            {"vaccine": "科兴", "doses": 2, "age": 50, "last_dose": "2024-01-01/2024-12-31"},
        ),
        # A vaccine the explainer does not name is kept by its name.
        (
            "在国外打了两针辉瑞 今年35",
            None,
            False,
            {"vaccine": "辉瑞", "doses": 2, "age": 35},
        ),
        # Numbers that are not ages, even when the form asked for the age.
        ("我爸三高 打了两针科兴", None, False, {"vaccine": "科兴", "doses": 2}),
        ("我十一打的第二针", None, False, {"doses": 2}),  # 十一: National Day
        ("打了2针", "age", True, {"doses": 2}),
        ("两个月前", "age", True, {"last_dose": "2026-09-30/2026-09-30"}),
        ("去年10月", "age", True, {"last_dose": "2025-10-01/2025-10-31"}),
        ("5月21日", "age", True, {"last_dose": "2026-05-21/2026-05-21"}),
        ("第3针", "age", True, {"doses": 3}),
        ("打了2了", "age", True, {}),  # two doses, or age 2: left alone
        ("3了", "dose_count", True, {}),
    ],
)
def test_reads_facts(text, requested, primary_known, expected):
    reading = read_message(text, TODAY, requested, (), primary_known)
    got = {k: v for k, v in slot(reading).items() if v is not None}
    assert got == expected
    assert not reading.problems


@pytest.mark.parametrize(
    "text,requested,problem",
    [
        ("200", "age", "age_invalid"),
        ("200岁", "age", "age_invalid"),
        ("0", "age", "age_invalid"),
        ("15针", "dose_count", "doses_invalid"),
        ("2030年1月", "last_dose", "date_future"),
        ("明年三月", "last_dose", "date_future"),
        ("2019年5月", "last_dose", "date_too_early"),
    ],
)
def test_impossible_values_are_problems_not_facts(text, requested, problem):
    reading = read_message(text, TODAY, requested, (), True)
    assert reading.problems == [problem]
    assert (reading.age, reading.doses, reading.last_dose) == (None, None, None)


def test_button_payloads_use_the_entities_rasa_parsed():
    reading = read_message('/inform{"vaccine":"科兴"}', TODAY, "vaccine", [{"entity": "vaccine", "value": "科兴"}])
    assert reading.vaccine.value == "科兴"
    reading = read_message('/inform{"dose_count":2}', TODAY, "dose_count", [{"entity": "dose_count", "value": 2}])
    assert reading.doses == 2
    reading = read_message(
        '/inform{"vaccine":"不记得了"}', TODAY, "vaccine", [{"entity": "vaccine", "value": "不记得了"}]
    )
    assert reading.vaccine_unknown


@pytest.mark.parametrize("text", ["abc", "", "   ", "？？？", "😀"])
def test_gibberish_gives_nothing(text):
    reading = read_message(text, TODAY, "age", (), True)
    assert not reading.found_anything()
