import pytest

from bot.text.homophones import HomophoneCorrector, default_corrector, load_terms
from bot.text.normalize import normalize_query


@pytest.fixture(scope="module")
def correct():
    return default_corrector()


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("疫描有哪几种", "疫苗有哪几种"),
        ("科星疫苗是哪里生产的", "科兴疫苗是哪里生产的"),
        ("覆概率有多高", "覆盖率有多高"),
        ("加墙针是什么", "加强针是什么"),
        ("有必要打新官疫苗吗", "有必要打新冠疫苗吗"),
        ("打了智非要不要再加强", "打了智飞要不要再加强"),
    ],
)
def test_same_sounding_typos_are_restored(correct, typed, meant):
    assert correct(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "这样可行吗",  # 可行 sounds like 科兴 but is a word
        "疫苗接种证明怎么开",  # 种证 sounds like 重症 but cuts through 接种/证明
        "加强针怎么打",
        "",
        "hello 123",
    ],
)
def test_correct_text_is_left_alone(correct, text):
    assert correct(text) == text


def test_terms_come_from_both_dictionaries(tmp_path):
    (tmp_path / "a.txt").write_text("科兴 50000 nz\n# comment\n单\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("疫苗  # why\n", encoding="utf-8")
    assert load_terms([tmp_path / "a.txt", tmp_path / "b.txt"]) == ["疫苗", "科兴"]
    assert HomophoneCorrector([])("疫描") == "疫描"


def test_the_shared_normaliser_applies_it():
    assert normalize_query("家強針是幹啥的") == "加强针是干什么的"
