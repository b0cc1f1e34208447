"""Follow-ups end to end through the REST channel, with both real servers:
the topic slot, the entity slots, and replies led by the named vaccine."""

import uuid

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def new_sender() -> str:
    return f"follow-{uuid.uuid4().hex[:10]}"


def test_a_named_vaccine_leads_the_reply_and_the_full_answer_follows(client):
    sender = new_sender()
    assert client.send(sender, "加强针怎么打").answer["answer_id"] == "booster_schedule"
    turn = client.send(sender, "那智飞的呢")
    answer = turn.answer
    assert answer["answer_id"] == "booster_schedule" and answer["kind"] == "faq"
    assert turn.reply.startswith("关于“智飞龙科马”")
    assert "暂不用进行加强免疫" in turn.reply and "市民选择其中一种即可" not in turn.reply
    assert "【来源】" in turn.reply
    assert answer["full_answer_mode"] == "append" and "市民选择其中一种即可" in answer["full_answer"]
    assert any("智飞龙科马" in sentence for sentence in answer["lead"])


def test_a_follow_up_the_source_does_not_cover_is_declined(client):
    sender = new_sender()
    client.send(sender, "加强针怎么打")
    turn = client.send(sender, "那孕妇呢")
    assert turn.answer["kind"] == "decline" and turn.answer["answer_id"] is None
    assert "12320" in turn.reply and "加强免疫方式" not in turn.reply


def test_an_off_topic_turn_never_leaks_into_the_next_question(client):
    sender = new_sender()
    assert client.send(sender, "政采贷是什么").answer["kind"] == "decline"
    assert client.send(sender, "那疫苗加强针怎么打").answer["answer_id"] == "booster_schedule"
    assert client.send(sender, "那政采贷呢").answer["kind"] == "decline"


def test_a_decline_keeps_the_topic_for_the_next_follow_up(client):
    sender = new_sender()
    client.send(sender, "加强针怎么打")
    client.send(sender, "打完发烧正常吗")
    turn = client.send(sender, "那康希诺的呢")
    assert turn.answer["answer_id"] == "booster_schedule"
    assert any("康希诺" in sentence for sentence in turn.answer["lead"])


def test_short_questions_continue_the_topic(client):
    sender = new_sender()
    assert client.send(sender, "加强针怎么打").answer["answer_id"] == "booster_schedule"
    turn = client.send(sender, "要隔多久")
    assert turn.answer["answer_id"] == "booster_schedule"
    assert "间隔6个月" in turn.reply and "暂不用进行加强免疫" not in turn.reply


def test_a_booster_verdict_is_the_topic_of_what_comes_next(client):
    sender = new_sender()
    verdict = client.send(sender, "我35岁 打了两针科兴 去年3月打完 能打加强针吗")
    assert verdict.answer["kind"] == "booster_check"
    # How to get the booster, not who may get one again.
    turn = client.send(sender, "要隔多久")
    assert turn.answer["answer_id"] == "booster_schedule" and "间隔6个月" in turn.reply


def test_a_question_of_its_own_after_a_vaccine_follow_up_is_not_about_that_vaccine(client):
    sender = new_sender()
    client.send(sender, "加强针怎么打")
    assert client.send(sender, "那智飞的呢").answer["answer_id"] == "booster_schedule"
    # Boosters in general: not led by the 智飞 sentence again.
    turn = client.send(sender, "加强针给谁打怎么打")
    assert turn.answer["kind"] in ("faq", "clarify") and "关于“智飞龙科马”" not in turn.reply
    assert not any("智飞龙科马" in sentence for sentence in turn.answer.get("lead") or ())


def test_the_interval_between_the_first_two_doses_is_declined(client):
    # The explainer gives only the 6 months before a booster; that is not the answer.
    sender = new_sender()
    client.send(sender, "加强针怎么打")
    turn = client.send(sender, "那第二针跟第一针隔多久打")
    assert turn.answer["kind"] == "decline" and "12320" in turn.reply and "6个月" not in turn.reply


def test_entities_are_extracted_and_the_vaccine_is_canonical(client, stack):
    import requests

    sender = new_sender()
    client.send(sender, "我35岁，去年三月打完两针科興")
    state = requests.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.auth_token, "include_events": "NONE"},
        timeout=10,
    ).json()
    entities = {e["entity"]: e["value"] for e in state["latest_message"]["entities"]}
    assert entities == {"age": "35岁", "last_dose": "去年三月", "dose_count": "两针", "vaccine": "科兴"}
    assert state["slots"]["vaccine"] == "科兴"
