"""The personal booster check end to end through the REST channel, with the
real Rasa server, the trained model and the action server."""

import uuid
from datetime import date

import pytest

from bot.dialogue.booster import add_months

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SOURCE = "【来源】大同日报《市疾控中心专家就新冠病毒疫苗接种再释疑》（2022年5月）"
TARGET_QUOTE = "目前接种对象为已完成两剂次新冠病毒灭活疫苗或1剂次腺病毒载体疫苗"
MIXED_QUOTE = "打加强免疫时可选择智飞龙科马的重组蛋白疫苗或康希诺的腺病毒载体疫苗"
VACCINE_QUESTION = "您之前打的新冠疫苗是哪一种？"
AGE_QUESTION = "您今年多大年龄？"
DATE_QUESTION = "您最后一针是什么时候打的？"


def new_sender() -> str:
    return f"booster-{uuid.uuid4().hex[:10]}"


def cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def verdict(turn) -> dict:
    answer = turn.answer
    assert answer.get("kind") == "booster_check", turn.reply
    return answer


def test_check_over_several_turns_with_quick_replies(client):
    sender = new_sender()
    first = client.send(sender, "我能打加强针吗")
    # The general rule first (who and when), then one question with quick replies.
    assert TARGET_QUOTE in first.reply and VACCINE_QUESTION in first.reply
    assert first.answer["answer_id"] == "booster_target"
    assert {"title": "科兴", "payload": '/inform{"vaccine":"科兴"}'} in first.buttons

    doses = client.send(sender, '/inform{"vaccine":"科兴"}')
    assert "科兴疫苗您一共打了几针" in doses.reply
    assert '/inform{"dose_count":2}' in [b["payload"] for b in doses.buttons]

    age = client.send(sender, '/inform{"dose_count":2}')
    assert AGE_QUESTION in age.reply and not age.buttons

    when = client.send(sender, "35")
    assert DATE_QUESTION in when.reply

    last = add_months(date.today(), -8)
    final = client.send(sender, f"{last.year}年{last.month}月{last.day}日")
    answer = verdict(final)
    assert answer["verdict"] == "eligible_now"
    assert "结论：按文章的规定，您现在可以接种加强针。" in final.reply
    assert TARGET_QUOTE in final.reply and SOURCE in final.reply
    assert "2022年5月" in final.reply and "12320" in final.reply
    assert [b["payload"] for b in final.buttons[-2:]] == ['/feedback{"value":"useful"}', '/feedback{"value":"useless"}']


def test_all_facts_in_one_message_get_the_verdict_at_once(client):
    last = add_months(date.today(), -2)
    turn = client.send(new_sender(), f"我35岁，{last.year}年{last.month}月{last.day}日打完两针科兴，现在能打加强针吗")
    answer = verdict(turn)
    assert answer["verdict"] == "too_soon"
    earliest = add_months(last, 6)
    assert answer["earliest_date"] == earliest.isoformat()
    assert f"您最早可以在{cn(earliest)}接种" in turn.reply
    assert VACCINE_QUESTION not in turn.reply


def test_a_question_the_article_answers_is_answered_before_the_first_question(client):
    sender = new_sender()
    first = client.send(sender, "我前两针是北京生物，第三针能打康希诺吗")
    assert first.answer["answer_id"] == "booster_schedule"
    assert MIXED_QUOTE in first.reply
    # Vaccine and doses are known: the form asks for the age next.
    assert AGE_QUESTION in first.reply and VACCINE_QUESTION not in first.reply
    client.send(sender, "40岁")
    final = client.send(sender, "半年多了")
    answer = verdict(final)
    assert answer["facts"]["wanted"] == "康希诺"
    assert "您问的康希诺：文章写明可以用来打这一针加强针。" in final.reply


def test_a_faq_in_the_middle_is_answered_and_the_form_resumes(client, faqs):
    sender = new_sender()
    client.send(sender, "帮我看看我能不能打第三针")
    middle = client.send(sender, "加强针怎么打")
    schedule = next(f for f in faqs if f.id == "booster_schedule")
    assert schedule.display_answer[:30] in middle.reply
    assert VACCINE_QUESTION in middle.reply.splitlines()[-1] or VACCINE_QUESTION in middle.reply
    after = client.send(sender, "科兴")
    assert AGE_QUESTION in after.reply  # doses (2, from 第三针) were kept


def test_stop_leaves_the_form_and_questions_are_answered_again(client):
    sender = new_sender()
    client.send(sender, "我能打加强针吗")
    stopped = client.send(sender, "算了，不问了")
    assert "不查了" in stopped.reply
    after = client.send(sender, "加强针的接种对象有哪些人")
    assert after.answer.get("answer_id") == "booster_target"
    assert VACCINE_QUESTION not in after.reply


@pytest.mark.parametrize(
    "bad,expected",
    [
        ("200", "这个年龄好像不太对"),
        ("abc", "没看懂您的年龄"),
    ],
)
def test_impossible_ages_are_re_asked(client, bad, expected):
    sender = new_sender()
    client.send(sender, "我打了两针科兴，能打加强针吗")
    turn = client.send(sender, bad)
    assert expected in turn.reply and AGE_QUESTION in turn.reply
    assert client.send(sender, "35").reply.find(DATE_QUESTION) >= 0


def test_a_future_date_is_re_asked(client):
    sender = new_sender()
    client.send(sender, "我35岁，打了一针康希诺，能加强吗")
    future = add_months(date.today(), 3)
    turn = client.send(sender, f"{future.year}年{future.month}月")
    assert "这个日期还没到" in turn.reply and DATE_QUESTION in turn.reply


def test_a_correction_in_the_middle_updates_the_fact(client):
    sender = new_sender()
    client.send(sender, "我打了两针科兴能打加强针吗")
    corrected = client.send(sender, "不对，我是康希诺，打了一针")
    assert AGE_QUESTION in corrected.reply
    client.send(sender, "50")
    final = client.send(sender, "去年3月")
    answer = verdict(final)
    assert answer["facts"]["vaccine"] == "康希诺" and answer["facts"]["doses"] == 1


def test_a_number_typed_for_a_quick_reply_picks_it(client):
    sender = new_sender()
    client.send(sender, "我能打加强针吗")
    turn = client.send(sender, "1")  # 1. 科兴
    assert "科兴疫苗您一共打了几针" in turn.reply


@pytest.mark.parametrize(
    "text,expected",
    [
        ("我16岁，能打加强针吗", "not_eligible"),
        ("我打了三针智飞，还要打加强针吗", "no_booster_needed"),
        ("我只打了一针科兴，能打加强吗", "not_eligible"),
    ],
)
def test_verdicts_that_need_no_date(client, text, expected):
    turn = client.send(new_sender(), text)
    assert verdict(turn)["verdict"] == expected


def test_a_question_about_no_one_is_answered_not_checked(client):
    # The classifier's booster_check for a question about a vaccine is withdrawn
    # by the pipeline's IntentGate: answered, and no question for the form.
    sender = new_sender()
    client.send(sender, "长春生物的疫苗是什么类型的")
    turn = client.send(sender, "它加强针咋打")
    assert VACCINE_QUESTION not in turn.reply and turn.answer.get("kind") in ("faq", "passage", "clarify")


def test_a_relative_with_facts_gets_a_check_of_their_own(client):
    sender = new_sender()
    first = client.send(sender, "我妈62 北京生物打了两针 最后一针是去年三月 她能打加强针不")
    assert verdict(first)["verdict"] == "eligible_now"
    assert "她的情况：62岁" in first.reply and "她现在可以接种加强针" in first.reply
    client.send(sender, "加强针怎么打")
    other = client.send(sender, "那我爸呢 66了 打的两针科兴 去年四月打完的")
    assert verdict(other)["verdict"] == "eligible_now" and "他的情况：66岁" in other.reply


def test_a_check_for_a_relative_asks_about_them(client):
    sender = new_sender()
    client.send(sender, "我老伴能打加强针吗")
    asked = client.send(sender, "科兴")
    assert "您老伴一共打了几针" in asked.reply


def test_a_stray_number_after_the_verdict_does_not_end_the_conversation(client):
    sender = new_sender()
    assert client.send(sender, "我35岁，去年三月打完两针科兴，现在能打加强针吗").answer["kind"] == "booster_check"
    turn = client.send(sender, "2")
    assert "再见" not in turn.reply and turn.reply


def test_someone_with_no_dose_yet_is_not_given_the_booster_check(client):
    turn = client.send(new_sender(), "我还一针没打 现在打还有必要吗")
    assert (turn.answer or {}).get("kind") != "booster_check" and "我再问您几个简单问题" not in turn.reply
