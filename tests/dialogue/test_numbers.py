import pytest

from bot.dialogue.numbers import (
    _inferred_age_patterns,
    bare_number,
    inferred_age,
    parse_age,
    parse_dose_count,
    plausible_age,
    to_int,
)


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
        # Without 岁: right after a person, or as N了 opening a clause.
        ("我妈62 北京生物打了两针", 62),
        ("我妈妈62", 62),
        ("老公35", 35),
        ("我45 打了两针科兴", 45),
        ("我爸都七十了", 70),
        ("老伴七十多了 打了两针国药", 70),
        ("我妈六十几了", 60),
        ("我爸 66了 打的两针科兴", 66),
        ("那我爸呢 66了", 66),
        ("那我爸呢66了", 66),
        ("已经70多了", 70),
        ("我妈62 两年前", 62),  # the space keeps 62 apart from 两
        ("我十一了", 11),
        ("我妈120", 120),
        # Doses, dates, counts, words and out-of-range numbers are not ages.
        ("打了2针", None),
        ("两个月前", None),
        ("去年10月", None),
        ("5月21日", None),
        ("第3针", None),
        ("84.5%", None),
        ("打了2了", None),
        ("打了 3了", None),  # below ten, N了 may be a dose count
        ("我 2 针", None),
        ("我 3 月打的", None),
        ("我2021年打的", None),
        ("我妈62年的", None),  # born in 1962
        ("我3.15打的", None),
        ("我十几天前打的", None),
        ("我两三个月前打的", None),
        ("我一直没打", None),
        ("我爸三高", None),
        ("我十分担心", None),
        ("我十一打的", None),  # National Day
        ("我妈五一打的加强针", None),  # Labour Day
        ("我100%确定", None),
        ("我妈121", None),
    ],
)
def test_parse_age(text, expected):
    assert parse_age(text) == expected


@pytest.mark.parametrize("age, ok", [(0, True), (35, True), (120, True), (121, False), (-1, False), (None, False)])
def test_plausible_age(age, ok):
    assert plausible_age(age) is ok


def test_an_inferred_age_comes_with_its_words():
    # The caller removes them before the dose and date parsers see the folded text.
    assert inferred_age("我爸66 两针科兴") == (66, "我爸66")
    assert inferred_age("那我爸呢 66了") == (66, "66了")
    assert inferred_age("打了两针") is None


def test_the_person_words_file_is_checked(tmp_path):
    path = tmp_path / "persons.yml"
    path.write_text("age:\n  people: []\n  before_age: [今年]\n  number_dates: [十一]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="people"):
        _inferred_age_patterns.__wrapped__(path)


def test_bare_number_needs_the_whole_reply():
    assert bare_number("35。") == 35
    assert bare_number("35岁") is None
