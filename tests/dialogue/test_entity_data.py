"""The Rasa entity data (data/nlu/entities.yml, vaccine_lookup.yml) agrees with
the modules that read the values on the action server."""

import re
from datetime import date

import pytest
import yaml

from bot.dialogue.dates import parse_last_dose
from bot.dialogue.entity_data import LOOKUP_PATH, render_lookup
from bot.dialogue.numbers import parse_age, parse_dose_count
from bot.dialogue.vaccines import catalog, fold
from bot.text.normalize import normalize_query

TODAY = date(2026, 11, 30)


def _blocks(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]


def _examples(block):
    return [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]


@pytest.fixture(scope="module")
def regexes(project_root):
    table = {}
    for block in _blocks(project_root / "data" / "nlu" / "entities.yml"):
        if "regex" in block:
            table[block["regex"]] = [re.compile(p, re.IGNORECASE) for p in _examples(block)]
    return table


def _extract(patterns, text):
    """What Rasa's RegexEntityExtractor would return for this entity, on the normalised text."""
    text = normalize_query(text)
    return [m.group(0) for p in patterns for m in p.finditer(text)]


def test_lookup_file_is_generated_from_the_dictionary():
    assert LOOKUP_PATH.read_text(encoding="utf-8") == render_lookup(catalog()), (
        "run: python -m bot.dialogue.entity_data --write"
    )


def test_every_alias_is_in_the_lookup_table_and_maps_to_its_canonical_value():
    blocks = _blocks(LOOKUP_PATH)
    lookup = {e for b in blocks if b.get("lookup") == "vaccine" for e in _examples(b)}
    synonyms = {e: b["synonym"] for b in blocks if "synonym" in b for e in _examples(b)}
    for info in catalog().routes.values():
        for alias in info.aliases:
            assert fold(alias) in lookup
            assert synonyms.get(fold(alias), fold(alias)) == info.name
    for vaccine in catalog().vaccines.values():
        for alias in vaccine.aliases:
            assert fold(alias) in lookup
            assert synonyms.get(fold(alias), fold(alias)) == vaccine.name


@pytest.mark.parametrize(
    "text, expected",
    [
        ("打了两针科兴", 2),
        ("打了2剂", 2),
        ("就打了一针", 1),
        ("两剂次", 2),
        ("打完第二针", 2),
        ("三针都打完了", 3),
    ],
)
def test_dose_count_regex_finds_what_numbers_reads(regexes, text, expected):
    found = _extract(regexes["dose_count"], text)
    assert found, text
    assert parse_dose_count(found[0]) == expected


@pytest.mark.parametrize("text", ["能打第三针吗", "加强针怎么打", "两个月前打的", "我35岁"])
def test_dose_count_regex_ignores_other_numbers(regexes, text):
    assert not [f for f in _extract(regexes["dose_count"], text) if parse_dose_count(f)], text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我35岁", 35),
        ("三十五周岁", 35),
        ("六十多岁了", 60),
        ("我今年52", 52),
        ("我35歲", 35),
    ],
)
def test_age_regex_finds_what_numbers_reads(regexes, text, expected):
    found = _extract(regexes["age"], text)
    assert found, text
    assert parse_age(found[0]) == expected


@pytest.mark.parametrize("text", ["今年3月打的", "打了两针", "今年疫苗还能打吗"])
def test_age_regex_ignores_other_numbers(regexes, text):
    assert not _extract(regexes["age"], text), text


@pytest.mark.parametrize(
    "text",
    [
        "去年10月",
        "去年十月份打的",
        "两个月前",
        "半年多了",
        "上个月",
        "2022年3月",
        "2022年3月15日",
        "2022-03-15",
        "三月份打的",
        "去年年底",
        "一年多了",
        "快半年了",
        "前几天刚打完",
        "今年五月初",
        "我去年三月打完两针科兴",
        "兩個月前",
        "上上个月",
        "大半年了",
        "3个多月了",
        "二〇二二年三月",
    ],
)
def test_last_dose_regex_finds_what_dates_reads(regexes, text):
    found = _extract(regexes["last_dose"], text)
    assert found, text
    from_span, from_text = parse_last_dose(max(found, key=len), TODAY), parse_last_dose(text, TODAY)
    assert (from_span.earliest, from_span.latest, from_span.precision) == (
        from_text.earliest,
        from_text.latest,
        from_text.precision,
    )


@pytest.mark.parametrize("text", ["加强针怎么打", "间隔多久", "要隔6个月吗", "孩子几岁能打"])
def test_last_dose_regex_ignores_questions_without_a_time(regexes, text):
    assert not _extract(regexes["last_dose"], text), text
