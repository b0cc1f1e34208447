"""End to end through the REST channel, with both real servers running."""

import uuid

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SOURCE = "【来源】大同日报《市疾控中心专家就新冠病毒疫苗接种再释疑》（2022年5月）"


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def test_faq_answer_carries_text_and_source(client, faqs):
    turn = client.send(new_sender(), "加强针怎么打")
    schedule = next(f for f in faqs if f.id == "booster_schedule")
    assert schedule.display_answer in turn.reply
    assert SOURCE in turn.reply.splitlines()[-1]
    assert turn.answer["answer_id"] == "booster_schedule"
    assert turn.answer["sources"][0]["article"] == "市疾控中心专家就新冠病毒疫苗接种再释疑"
    assert turn.intent == "faq"


def test_greet_then_faq_then_thanks(client):
    sender = new_sender()
    assert "新冠疫苗接种问答助手" in client.send(sender, "你好").reply
    assert SOURCE in client.send(sender, "哪些人可以打新冠疫苗").reply
    assert "不客气" in client.send(sender, "谢谢").reply


def test_two_faqs_in_a_row(client):
    sender = new_sender()
    first = client.send(sender, "我们这有哪几种疫苗可以打")
    second = client.send(sender, "加强针的接种对象是哪些人")
    assert "腺病毒载体疫苗" in first.reply and first.answer["answer_id"] == "vaccine_types"
    assert second.answer["answer_id"] == "booster_target"


def test_out_of_scope_is_declined_with_an_official_channel(client):
    for question in ("政采贷怎么申请", "打完疫苗发烧怎么办", "今天天气怎么样"):
        turn = client.send(new_sender(), question)
        assert "12320" in turn.reply, question
        assert turn.answer["answer_id"] is None
        assert SOURCE not in turn.reply


def test_traditional_characters_and_typos(client):
    turn = client.send(new_sender(), "加強針怎麼打")
    assert turn.answer["answer_id"] == "booster_schedule"
