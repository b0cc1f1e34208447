"""The booster form's turns as pure functions: what is stored, asked, re-asked,
or left to Rasa's rules (a FAQ in the middle, 算了)."""

from datetime import date

import pytest

from bot.dialogue import booster_text
from bot.dialogue.booster import Verdict, load_rules
from bot.dialogue.booster_form import (
    ALL_SLOTS,
    PERSON_SLOT,
    TurnKind,
    facts_from_slots,
    form_turn,
    start_turn,
    verdict_answer,
    verdict_topic,
)

TODAY = date(2026, 11, 30)
EMPTY = {s: None for s in ALL_SLOTS}


def turn(slots, text, intent="inform", requested=None, activating=False):
    return form_turn({**EMPTY, **slots, "requested_slot": requested}, text, intent, (), TODAY, activating)


def test_all_facts_in_the_first_message_need_no_question():
    result = turn({}, "我35岁，去年三月打完两针科兴，现在能打加强针吗", "booster_check", activating=True)
    assert result.kind is TurnKind.ANSWER
    assert result.requested is None
    assert result.assessment.outcome.verdict is Verdict.ELIGIBLE_NOW
    assert result.updates == {
        "booster_vaccine": "科兴",
        "booster_doses": 2,
        "booster_age": 35,
        "booster_last_dose": "2025-03-01/2025-03-31",
    }


def test_asks_only_for_what_is_missing_one_at_a_time():
    first = turn({}, "我能打加强针吗", "booster_check", activating=True)
    assert first.requested == "booster_vaccine" and not first.messages
    slots = {**first.updates}
    second = turn(slots, "科兴", requested="booster_vaccine")
    assert second.requested == "booster_doses"
    slots.update(second.updates)
    third = turn(slots, "2", requested="booster_doses")
    assert third.requested == "booster_age"
    slots.update(third.updates)
    fourth = turn(slots, "35", requested="booster_age")
    assert fourth.requested == "booster_last_dose"
    slots.update(fourth.updates)
    fifth = turn(slots, "去年10月", requested="booster_last_dose")
    assert fifth.requested is None
    assert fifth.assessment.outcome.verdict is Verdict.ELIGIBLE_NOW


@pytest.mark.parametrize(
    "requested,text,message",
    [
        ("booster_age", "200", booster_text.reask("age_invalid")),
        ("booster_age", "abc", booster_text.reask("age_missing")),
        ("booster_last_dose", "2030年5月", booster_text.reask("date_future")),
        ("booster_last_dose", "不记得了", booster_text.reask("date_unknown")),
        ("booster_doses", "很多", booster_text.reask("doses_missing")),
        ("booster_vaccine", "xyz", booster_text.reask("vaccine_missing")),
    ],
)
def test_bad_answers_are_re_asked_in_chinese_and_keep_the_form(requested, text, message):
    before = {"booster_vaccine": "科兴", "booster_doses": 2, "booster_age": 35}
    order = ["booster_vaccine", "booster_doses", "booster_age", "booster_last_dose"]
    slots = {s: before[s] for s in order[: order.index(requested)]}
    result = turn(slots, text, intent="nlu_fallback", requested=requested)
    assert result.kind is TurnKind.REASK
    assert result.messages == [message]
    assert result.requested == requested
    # A slot event is always sent, so Rasa does not reject the form's turn.
    assert requested in result.updates and result.updates[requested] is None


def test_a_faq_in_the_middle_is_left_to_the_rules():
    result = turn({"booster_vaccine": "科兴"}, "加强针的接种对象有哪些人", intent="faq", requested="booster_doses")
    assert result.kind is TurnKind.INTERRUPT
    assert result.updates == {}


def test_an_off_topic_question_in_the_middle_is_left_to_the_rules():
    result = turn({"booster_vaccine": "科兴"}, "打完疫苗发烧怎么办", intent="out_of_scope", requested="booster_doses")
    assert result.kind is TurnKind.INTERRUPT


def test_stop_leaves_the_form():
    assert (
        turn({"booster_vaccine": "科兴"}, "算了", intent="stop_form", requested="booster_doses").kind is TurnKind.STOP
    )


def test_a_correction_of_the_vaccine_asks_the_doses_again():
    slots = {"booster_vaccine": "科兴", "booster_doses": 2}
    result = turn(slots, "不对，我是康希诺", requested="booster_age")
    # Two doses were said of an inactivated vaccine; they say nothing about 康希诺.
    assert result.updates == {"booster_vaccine": "康希诺", "booster_doses": None}
    assert result.requested == "booster_doses"


def test_a_correction_of_the_vaccine_within_one_route_keeps_the_doses():
    result = turn({"booster_vaccine": "科兴", "booster_doses": 2}, "不对，是北京生物", requested="booster_age")
    assert result.updates == {"booster_vaccine": "北京生物"}
    assert result.requested == "booster_age"


def test_a_correction_of_the_dose_count_while_age_is_asked():
    result = turn({"booster_vaccine": "科兴", "booster_doses": 1}, "我打了两针", requested="booster_age")
    assert result.kind is TurnKind.ANSWER
    assert result.updates == {"booster_doses": 2}
    assert result.requested == "booster_age"


def test_under_18_ends_the_form_early():
    result = turn({"booster_vaccine": "科兴"}, "我16岁", requested="booster_doses")
    assert result.requested is None
    assert result.assessment.outcome.verdict is Verdict.NOT_ELIGIBLE


@pytest.mark.parametrize(
    "text, topic",
    [
        # Eligible: the verdict ends with how to get it (同种 or 混打), which follow-ups ask about.
        ("我35岁，去年三月打完两针科兴，现在能打加强针吗", "booster_schedule"),
        # Under 18: only who may get one is quoted.
        ("我16岁，去年三月打完两针科兴，能打加强针吗", "booster_target"),
    ],
)
def test_the_verdicts_topic_is_its_last_quote(text, topic):
    result = turn({}, text, "booster_check", activating=True)
    assert verdict_topic(result.assessment) == topic


def test_start_resets_a_new_check_and_quotes_the_rule_asked_about():
    old = {**EMPTY, "booster_vaccine": "科兴", "booster_doses": 2}
    start = start_turn(old, "我前两针是北京生物，第三针能打康希诺吗", "booster_check", (), TODAY)
    assert all(start.updates[s] is None for s in ALL_SLOTS)
    assert start.answer["answer_id"] == "booster_schedule"
    assert start.answer["kind"] == "faq"
    assert "可选择智飞龙科马的重组蛋白疫苗或康希诺的腺病毒载体疫苗" in start.text
    assert "2022年5月" in start.text


@pytest.mark.parametrize(
    "text,who",
    [
        ("我35岁能打加强针吗", None),
        ("我妈62 北京生物打了两针 她能打加强针不", "她"),
        ("那我爸呢 66了 打的两针科兴", "他"),
        ("我老伴七十多了能打加强针吗", "您老伴"),
    ],
)
def test_a_new_check_remembers_whom_it_is_for(text, who):
    start = start_turn({**EMPTY, PERSON_SLOT: "她"}, text, "booster_check", (), TODAY)
    assert start.updates[PERSON_SLOT] == who
    if start.text and who:
        assert f"要看{who}现在能不能打" in start.text


def test_a_correction_keeps_whom_the_check_is_for():
    assert PERSON_SLOT not in start_turn({**EMPTY, PERSON_SLOT: "她"}, "不对，是康希诺", "inform", (), TODAY).updates


def test_a_reask_for_a_relative_names_them():
    result = turn({"booster_vaccine": "科兴", PERSON_SLOT: "她"}, "200", requested="booster_age")
    assert result.messages == [booster_text.reask("age_invalid", "她")]


def test_start_of_a_general_question_leads_with_who_and_when():
    start = start_turn(EMPTY, "我能打加强针吗", "booster_check", (), TODAY)
    assert start.answer["answer_id"] == "booster_target"
    assert "接种6个月的18岁及以上人群" in start.text and "算了" in start.text


def test_start_with_every_fact_says_nothing_before_the_verdict():
    start = start_turn(EMPTY, "我35岁，去年三月打完两针科兴，第三针能打智飞吗", "booster_check", (), TODAY)
    assert start.text is None


def test_a_statement_of_facts_after_a_verdict_keeps_the_other_facts():
    done = {
        **EMPTY,
        "booster_vaccine": "科兴",
        "booster_doses": 2,
        "booster_age": 35,
        "booster_last_dose": "2025-03-01/2025-03-31",
    }
    start = start_turn(done, "不对，我是康希诺", "inform", (), TODAY)
    assert start.updates == {} and start.text is None


def test_verdict_metadata_follows_the_contract():
    slots = {
        **EMPTY,
        "booster_vaccine": "科兴",
        "booster_doses": 2,
        "booster_age": 35,
        "booster_last_dose": "2026-10-01/2026-10-31",
        "booster_wanted": "智飞龙科马",
    }
    result = turn(slots, "", activating=True)
    answer = verdict_answer(facts_from_slots(slots), result.assessment, load_rules())
    assert answer["kind"] == "booster_check"
    assert answer["verdict"] == "too_soon"
    assert answer["earliest_date"] == "2027-04-01" and answer["certain_date"] == "2027-04-30"
    assert answer["sources"][0]["date"] == "2022-05"
    assert all(s["quote"] for s in answer["sources"])


def test_booster_answers_offer_the_check_before_the_feedback_buttons():
    from bot.answering.buttons import feedback_buttons
    from bot.dialogue.booster_form import BOOSTER_CHECK_BUTTON, offer_booster_check

    offered = offer_booster_check({"kind": "faq", "answer_id": "booster_target"}, feedback_buttons())
    assert offered == [BOOSTER_CHECK_BUTTON, *feedback_buttons()]
    passage = offer_booster_check({"kind": "passage", "answer_id": "booster_schedule#s3"}, feedback_buttons())
    assert BOOSTER_CHECK_BUTTON in passage
    assert offer_booster_check({"kind": "faq", "answer_id": "vaccine_types"}, feedback_buttons()) == feedback_buttons()
    assert offer_booster_check({"kind": "decline", "answer_id": None}, []) == []
    # Inside the check, an answered FAQ does not offer to start it again.
    assert (
        offer_booster_check({"kind": "faq", "answer_id": "booster_target"}, feedback_buttons(), "booster_check_form")
        == feedback_buttons()
    )


def test_the_check_button_starts_without_repeating_the_rule():
    start = start_turn({**EMPTY, "booster_vaccine": "科兴"}, "/booster_check", "booster_check", (), TODAY)
    assert start.text == booster_text.INTRO and start.answer is None
    assert all(v is None for v in start.updates.values())


def test_a_quick_reply_after_a_verdict_corrects_it_without_starting_over():
    done = {
        **EMPTY,
        "booster_vaccine": "科兴",
        "booster_doses": 2,
        "booster_age": 35,
        "booster_last_dose": "2025-03-01/2025-03-31",
    }
    payload = '/inform{"vaccine":"康希诺"}'
    entities = [{"entity": "vaccine", "value": "康希诺"}]
    start = start_turn(done, payload, "inform", entities, TODAY)
    assert start.updates == {} and start.text is None
    result = form_turn({**done, "requested_slot": None}, payload, "inform", entities, TODAY, activating=True)
    assert result.updates == {"booster_vaccine": "康希诺", "booster_doses": None}
    assert result.requested == "booster_doses"


def test_a_general_question_naming_a_vaccine_is_answered_not_stored():
    slots = {"booster_vaccine": "科兴"}
    result = turn(slots, "科兴是灭活疫苗吗", intent="faq", requested="booster_doses")
    assert result.kind is TurnKind.INTERRUPT


def test_asking_for_a_booster_vaccine_in_the_middle_is_kept_for_the_verdict():
    slots = {"booster_vaccine": "科兴", "booster_doses": 2}
    result = turn(slots, "可以打智飞吗", intent="faq", requested="booster_age")
    assert result.kind is TurnKind.ANSWER
    assert result.updates == {"booster_wanted": "智飞龙科马"}
