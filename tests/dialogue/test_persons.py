"""Which messages are about a person (the personal booster check's condition)."""

import pytest

from bot.dialogue.persons import (
    BOOSTER_CHECK,
    addressee,
    is_about_a_person,
    load_person_words,
    opens_booster_check,
    raises_booster_check,
    switches_person,
)
from tests.support.nlu_examples import nlu_examples


@pytest.mark.parametrize(
    "text, entities, personal",
    [
        ("我能打加强针吗", [], True),
        ("帮我看看我能不能打第三针", [], True),
        ("我这情况能打加强不", [], True),
        ("俺能打加强不", [], True),
        ("我妈62了 能打加强针不", [], True),
        ("那他能打加强针嘛", [], True),
        ("老伴打了两针科兴 能加强吗", [], True),
        # An age or a last dose is only ever a person's.
        ("35岁能打加强针吗", [{"entity": "age"}], True),
        ("去年三月打的 现在能加强吗", [{"entity": "last_dose"}], True),
        # Doses with a past cue are the asker's history; a dose count alone may be the rules'.
        ("打了两针科兴能加强吗", [{"entity": "dose_count"}], True),
        ("康希诺打一针就够了吗", [{"entity": "dose_count"}], False),
        # A vaccine, a pronoun for it, a place: no one.
        ("它加强针咋打", [], False),
        ("它打完多久能加强", [], False),
        ("我们这有康希诺吗", [{"entity": "vaccine"}], False),
        ("我市有哪些疫苗", [], False),
        ("咱们这边能打加强针吗", [], False),
        ("加强还打康希诺行吗", [{"entity": "vaccine"}], False),
        ("", [], False),
    ],
)
def test_is_about_a_person(text, entities, personal):
    assert is_about_a_person(text, entities) is personal


def test_only_a_booster_check_reading_is_withdrawn():
    assert not opens_booster_check("booster_check", "它加强针咋打")
    assert opens_booster_check("booster_check", "我能打加强针吗")
    # The quick reply under a booster answer is the user's own tap.
    assert opens_booster_check("booster_check", "/booster_check")
    assert not opens_booster_check("faq", "我能打加强针吗")


@pytest.mark.parametrize(
    "text, entities, switches",
    [
        ("那我爸呢 66了 打的两针科兴 去年四月打完的", [{"entity": "last_dose"}, {"entity": "vaccine"}], True),
        ("那我妈呢，58岁", [{"entity": "age"}], True),
        # No other person, no 呢, or no fact of theirs: an answer to the form or a topic follow-up.
        ("我66了 去年四月打完的", [{"entity": "last_dose"}], False),
        ("她去年四月打完的", [{"entity": "last_dose"}], False),
        ("那我爸呢", [], False),
        ("那科兴呢", [{"entity": "vaccine"}], False),
    ],
)
def test_a_switch_to_another_person(text, entities, switches):
    assert switches_person(text, entities) is switches


def test_every_booster_check_training_example_is_about_a_person():
    """The rule and the training data agree: no example of the check is withdrawn."""
    examples = [(text, ents) for intent, text, ents in nlu_examples("booster.yml") if intent == BOOSTER_CHECK]
    assert examples
    assert [text for text, ents in examples if not opens_booster_check(BOOSTER_CHECK, text, ents)] == []


@pytest.mark.parametrize(
    "text,who",
    [
        ("我能打加强针吗", None),
        ("我妈62 北京生物打了两针 她能打加强针不", "她"),
        ("帮我爸看看", "他"),
        ("家里老人能打吗", "您家人"),
        ("其他疫苗能当加强针吗", None),
    ],
)
def test_whom_a_check_is_for(text, who):
    assert addressee(text) == who


@pytest.mark.parametrize(
    "text", ["我去年阳过了 还能打吗", "我有高血压 35岁 打了两针科兴 能打加强针吗", "我打了三针 第四针能打吗"]
)
def test_a_subject_the_explainer_never_covers_opens_no_check(text):
    assert not opens_booster_check(BOOSTER_CHECK, text)


@pytest.mark.parametrize(
    "text, personal",
    [
        ("那她加强能打哪几种", False),
        ("他加强针能用哪些疫苗", False),
        ("我加强能打哪几种", True),  # the asker: their own options
        ("我妈加强能打哪几种", True),  # a relative named as such
        ("她能打加强针吗", True),  # can she, not which
    ],
)
def test_which_vaccines_for_someone_named_by_a_pronoun_is_a_general_question(text, personal):
    assert is_about_a_person(text) is personal


def test_other_vaccines_are_not_a_person():
    assert not is_about_a_person("其他疫苗能当加强针吗")


def test_a_broken_word_list_fails_loudly(tmp_path):
    path = tmp_path / "persons.yml"
    path.write_text(
        "self: [我]\nnot_after: []\nothers: {他: [他]}\nhistory: [打了]\npronouns: [他]\nwhich: [哪些]\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="not_after"):
        load_person_words(path)


@pytest.mark.parametrize(
    "intent, text, raised",
    [
        # A case stated with the last dose's time and two more facts, with no 我.
        ("faq", "68岁 两针国药 一年多前打完的 能加强不", True),
        ("faq", "打了两针科兴 半年多了 可以打第三针了吗", True),
        ("nlu_fallback", "科興打了兩針 十個月前 今年40 可以打嗎", True),
        ("out_of_scope", "在国外打了两针辉瑞 回国一年多了 今年35 还需要打加强吗", True),
        # A statement of facts raises only when it asks about the booster.
        ("inform", "老伴今年70 智飞打全了 三针 去年秋天打完的 还要不要加强", True),
        ("inform", "去年三月 两针科兴 62岁", False),
        # Rule questions have no date of their own; a never-covered subject is declined instead.
        ("faq", "18岁以上打完两针灭活疫苗半年后可以打加强针吗", False),
        ("faq", "加强针要隔多久", False),
        ("faq", "两针科兴打完半年了 怀孕了能打加强吗", False),
        # Asking for the check for someone, about a booster.
        ("nlu_fallback", "我妈想打加强针 你帮俺查查她能打不", True),
        ("faq", "帮我看看我爸能不能打加强", True),
        # Not without a booster word, nor about no one.
        ("faq", "帮我看看疫苗有哪几种", False),
        ("faq", "帮忙查查加强针怎么打", False),
        # Small talk and button payloads are left alone.
        ("greet", "68岁 两针国药 一年多前打完的", False),
        ("faq", "/faq", False),
    ],
)
def test_a_stated_case_is_raised_to_the_check(intent, text, raised):
    assert raises_booster_check(intent, text) is raised


def test_a_check_reading_about_no_vaccination_opens_no_check():
    """那房贷呢 能帮我算算不 reads like 帮我看看我能不能打加强针, but asks nothing about vaccination."""
    assert not opens_booster_check(BOOSTER_CHECK, "那房贷呢 能帮我算算不")
    assert opens_booster_check(BOOSTER_CHECK, "帮我算算我能不能打加强")
    assert opens_booster_check(BOOSTER_CHECK, "我科星两针")  # a vaccine's name, typo included


def test_someone_who_has_not_started_gets_no_booster_check():
    # The check judges boosters; the explainer's why and who answer this.
    assert not opens_booster_check(BOOSTER_CHECK, "我还一针没打 现在打还有必要吗")
    # Asked about a booster, the check says "not yet".
    assert opens_booster_check(BOOSTER_CHECK, "我一针没打能直接打加强针吗")
