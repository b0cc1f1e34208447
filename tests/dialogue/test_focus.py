import pytest

from bot.dialogue.focus import FocusReader, load_rules, sentences_about


@pytest.fixture(scope="module")
def reader(faqs):
    return FocusReader(" ".join(f"{faq.question} {faq.answer}" for faq in faqs))


@pytest.mark.parametrize(
    "text, vaccines, aspects, uncovered, elliptical",
    [
        ("那智飞的呢", ["智飞龙科马"], [], [], True),
        ("智非的呢", ["智飞龙科马"], [], [], True),
        ("那康希諾呢", ["康希诺"], [], [], True),
        ("灭活的有哪几种", ["灭活疫苗"], [], [], True),
        ("它要打几针", [], ["doses"], [], True),
        ("怎么打", [], ["how"], [], True),
        ("要隔多久", [], ["interval"], [], True),
        ("混打能选哪些", [], ["mixing"], [], True),
        ("那老人呢", [], ["age_group"], [], True),
        ("那17岁的呢", [], ["age_group"], [], True),
        ("那孕妇呢", [], [], ["孕妇"], True),
        ("那政采贷呢", [], [], ["政采贷"], True),
        ("那糖尿病人呢", [], [], ["糖尿病"], True),
        ("多少钱", [], [], ["多少钱"], True),
        ("那在哪里打", [], [], ["哪里打"], True),
        ("那第四针呢", [], [], ["第四针"], True),
        ("哺乳期呢", [], [], ["哺乳"], True),
        # Self-contained: they name their own subject in the explainer's words.
        ("那疫苗加强针怎么打", [], ["how"], [], False),
        ("覆盖率多少", [], [], [], False),
        # 新冠疫苗 is not the explainer's spelling (新冠病毒疫苗) but is its vocabulary; 流感疫苗 is not.
        ("新冠疫苗有哪些", [], [], [], False),
        ("那流感疫苗呢", [], [], ["流感疫苗"], True),
    ],
)
def test_read(reader, text, vaccines, aspects, uncovered, elliptical):
    focus = reader.read(text)
    assert [m.value for m in focus.vaccines] == vaccines
    assert [a.name for a in focus.aspects] == aspects
    assert list(focus.uncovered) == uncovered
    assert focus.elliptical is elliptical


def test_pronouns_are_noticed(reader):
    assert reader.read("它要打几针").pronoun
    assert not reader.read("要打几针").pronoun


@pytest.mark.parametrize(
    "text, subject",
    [
        ("那加强针呢", "加强针"),
        ("那打第三针的呢", "加强针"),
        ("那加强真呢", "加强针"),
        ("那智飞的呢", None),
        ("加强针怎么打", None),
        ("那他能打加強針嘛", "加强针"),  # starts like a continuation, names one subject
        ("他能打加强针嘛", None),
    ],
)
def test_the_subject_of_an_ellipsis(reader, text, subject):
    # The normaliser reads 第三针 and the typo 加强真 as 加强针; 智飞 is a vaccine, not a subject to swap.
    assert reader.read(text).subject == subject


@pytest.mark.parametrize(
    "text, uncovered",
    [
        ("那房贷呢 能帮我算算不", ("房贷",)),  # jieba tags 房贷 an abbreviation (j): a thing, never named
        ("那猫呢", ("猫",)),  # one character, but all that 那X呢 adds
        ("那以后呢", ()),  # not a thing
        ("那这个呢", ()),  # refers back
        ("康希诺是哪个地方的", ()),  # where it is made: the explainer names 天津康希诺
        ("哪个地方能打", ("哪个地方能打",)),  # where to get it: never covered
    ],
)
def test_things_the_explainer_never_names(reader, text, uncovered):
    assert reader.read(text).uncovered == uncovered


@pytest.mark.parametrize("text", ["那幼儿园小班的呢", "那初中生呢", "年轻人也要打吗"])
def test_age_groups_are_asked_about_ages_not_declined(reader, text):
    focus = reader.read(text)
    assert "age_group" in [a.name for a in focus.aspects] and not focus.uncovered


def test_a_fact_about_oneself_continues_the_topic(reader):
    # 我前两针是科兴 after 加强针可以混着打吗: no subject of its own but the vaccine.
    focus = reader.read("我前兩針是科興")
    assert focus.elliptical and [m.value for m in focus.vaccines] == ["科兴"]


def test_a_word_the_explainer_uses_is_covered(reader):
    assert reader.covered("加强针") and reader.covered("覆盖率")
    assert reader.covered("新冠疫苗")  # the domain dictionary, or 新冠 + 疫苗
    assert not reader.covered("孕妇") and not reader.covered("流感疫苗")


def test_rules_file_lists_every_section():
    rules = load_rules()
    assert {a.name for a in rules.aspects} >= {"interval", "doses", "how", "mixing", "who", "why"}
    assert all(a.label and a.label != a.name for a in rules.aspects)  # declines name them in Chinese
    assert "孕妇" in rules.not_covered and "它" in rules.pronouns and "加强针" in rules.subjects


def test_sentences_about_keeps_source_order():
    sentences = ["甲说科兴。", "乙说智飞。", "丙说科兴和智飞。"]
    assert sentences_about(sentences, ["智飞"]) == ["乙说智飞。", "丙说科兴和智飞。"]
    assert sentences_about(sentences, []) == []


@pytest.mark.parametrize(
    "normalized, expected",
    [
        ("那加强针打了多少人", ("加强针的接种数据",)),
        ("老人的接种率是多少", ("老人的接种数据",)),
        # The city's own totals are stated.
        ("我市打了多少人", ()),
        ("加强针要打几针", ()),
        ("孕妇能打吗", ("孕妇",)),
    ],
)
def test_never_covered_includes_figures_for_groups(normalized, expected):
    assert load_rules().never_covered(normalized) == expected


@pytest.mark.parametrize(
    "normalized, expected",
    [
        # Negated infection asks about people never infected, whom the answers cover.
        ("那没阳过的为啥要打", ()),
        ("阳过了还要打疫苗吗", ("阳过",)),
        # 哪个好 is a comparison only with two things set side by side.
        ("那打哪种好", ()),
        ("科兴和国药哪个好", ("哪个好",)),
        ("打了疫苗会不会有后遗症", ("后遗症",)),
        ("大同哪个医院能打智飞", ("哪个医院",)),
    ],
)
def test_negated_and_uncompared_words_are_not_uncovered(normalized, expected):
    assert load_rules().never_covered(normalized) == expected


@pytest.mark.parametrize(
    "normalized, expected",
    [
        # The explainer gives the 6 months before a booster, never the primary series' interval.
        ("那第二针跟第一针隔多久打", ("第二针跟第一针",)),
        ("打完第二针隔多久打加强", ()),
        # It says antibodies stay high longer, never for how many months.
        ("打完加强针抗体具体能维持几个月", ("维持几个月",)),
        # It mentions 禁忌症 but never lists them, nor ranks the vaccines.
        ("接种禁忌症都有哪些", ("禁忌症都有",)),
        ("哪种最好", ("哪种最好",)),
        ("那我打哪个好", ()),
    ],
)
def test_what_the_explainer_mentions_but_never_states(normalized, expected):
    assert load_rules().never_covered(normalized) == expected


@pytest.mark.parametrize(
    "text, anchored",
    [
        ("那他能打加强针嘛", True),
        ("那智飞的呢", True),
        ("要隔多久", True),
        ("它呢", True),
        ("覆盖率多少", True),
        # Only words the explainer happens to use too (不), or none at all.
        ("顺便问一下 明天大同下雨不", False),
        ("今天堵车吗", False),
    ],
)
def test_a_turn_is_anchored_when_it_says_what_a_topic_could_be_about(reader, text, anchored):
    assert reader.read(text).anchored is anchored
