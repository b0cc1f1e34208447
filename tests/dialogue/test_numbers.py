import pytest

from bot.dialogue.numbers import bare_number, parse_age, parse_dose_count, plausible_age, to_int


@pytest.mark.parametrize(
    "numeral, expected",
    [
        ("35", 35),
        ("３５", 35),
        ("三十五", 35),
        ("两", 2),
        ("俩", 2),
        ("仨", 3),
        ("十", 10),
        ("一十五", 15),
        ("二〇二二", 2022),
        ("两千零二十二", 2022),
        ("壹佰", 100),
        ("三点五", None),
        ("百", None),
        ("", None),
        ("abc", None),
    ],
)
def test_to_int(numeral, expected):
    assert to_int(numeral) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("打了两针", 2),
        ("打了俩针科兴", 2),
        ("打了2剂", 2),
        ("两剂次", 2),
        ("打过三次", 3),
        ("打了十二针", 12),
        ("打完第二针", 2),
        ("第2针已经打完了", 2),
        ("一针", 1),
        ("一针都没打", 0),
        ("没打过", 0),
        ("我还没接种过疫苗", 0),
        ("2", 2),
        ("两", 2),
        ("３", 3),
        # 第三针 asks about a dose; 没打加强针 says nothing about the primary series.
        ("能打第三针吗", None),
        ("我没打加强针", None),
        ("两个月前", None),
        ("", None),
        ("abc", None),
    ],
)
def test_parse_dose_count(text, expected):
    assert parse_dose_count(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我35岁", 35),
        ("三十五周岁", 35),
        ("我今年35", 35),
        ("今年五十二了", 52),
        ("六十多岁", 60),
        ("七十了", 70),
        ("35", 35),
        ("三十五", 35),
        ("我35歲", 35),
        ("200岁", 200),
        ("打了两针", None),
        ("今年3月打的", None),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_age(text, expected):
    assert parse_age(text) == expected


@pytest.mark.parametrize("age, ok", [(0, True), (35, True), (120, True), (121, False), (-1, False), (None, False)])
def test_plausible_age(age, ok):
    assert plausible_age(age) is ok


def test_bare_number_needs_the_whole_reply():
    assert bare_number("35。") == 35
    assert bare_number("35岁") is None
