"""Clarification, decline with suggestions, targeted answers and the buttons
that follow them, end to end through the guarded REST channel with both real
servers (and the terminal chat of `make shell` on top of it)."""

import io
import uuid

import pytest

from bot.channels.options import CHOICE_HINT, FULL_ANSWER_HINT
from bot.serving.shell import chat

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SOURCE = "【来源】"
FEEDBACK = ['/feedback{"value":"useful"}', '/feedback{"value":"useless"}']
# Unsure but in scope: it asks two FAQs at once (who, and how), so asking back
# is right whatever the build; P(right) 0.58 for booster_schedule, mid-band on
# the shipped calibration (clarify 0.21 to answer 0.84). 谁应该去打疫苗, used
# before, became a direct answer as the training data grew.
CLARIFIED = "加强针给谁打怎么打"
# Answered by one sentence inside the vaccine_types answer.
TARGETED = "科兴是灭活疫苗吗"
NEAR_MISSES = ["孕妇能打吗", "打完发烧怎么办", "第四针什么时候打", "新冠疫苗要钱吗", "在哪里打"]


def new_sender() -> str:
    return f"clarify-{uuid.uuid4().hex[:10]}"


def test_a_clarification_states_no_fact_and_a_typed_number_picks_the_option(client):
    sender = new_sender()
    asked = client.send(sender, CLARIFIED)
    assert asked.answer["kind"] == "clarify", asked.reply
    assert SOURCE not in asked.reply and asked.answer["answer_id"] is None
    assert asked.buttons[-1] == {"title": "都不是", "payload": "/none_of_these"}
    first = asked.answer["options"][0]
    assert asked.buttons[0]["payload"] == f'/choose_faq{{"faq_id":"{first}"}}'
    picked = client.send(sender, "1")
    assert picked.answer["kind"] == "faq" and picked.answer["answer_id"] == first
    assert SOURCE in picked.reply and [b["payload"] for b in picked.buttons[-2:]] == FEEDBACK


def test_none_of_these_declines_with_12320(client):
    sender = new_sender()
    client.send(sender, CLARIFIED)
    declined = client.send(sender, "/none_of_these")
    assert "12320" in declined.reply and declined.answer["kind"] == "decline" and not declined.buttons


def test_a_button_payload_answers_without_nlu(client):
    turn = client.send(new_sender(), '/choose_faq{"faq_id":"booster_target"}')
    assert turn.answer["answer_id"] == "booster_target" and turn.intent in (None, "choose_faq")
    assert SOURCE in turn.reply


def test_a_targeted_answer_leads_with_its_sentence_and_sends_the_rest_on_request(client, faqs):
    sender = new_sender()
    turn = client.send(sender, TARGETED)
    assert turn.answer["kind"] == "passage", turn.reply
    assert "灭活疫苗" in turn.reply and SOURCE in turn.reply
    whole = next(f for f in faqs if f.id == "vaccine_types")
    assert whole.display_answer in turn.answer["full_answer"]
    assert turn.answer["full_answer_mode"] == "on_request" and turn.answer["lead"]
    full = client.send(sender, "全文")
    assert whole.display_answer in full.reply and full.answer["answer_id"] == "vaccine_types"


@pytest.mark.parametrize("question", NEAR_MISSES)
def test_health_near_misses_are_told_the_source_does_not_cover_them(client, question):
    turn = client.send(new_sender(), question)
    assert turn.answer["kind"] == "decline", turn.reply
    assert ("没有涉及这个问题" in turn.reply or "没有提到" in turn.reply) and "12320" in turn.reply
    assert SOURCE not in turn.reply
    # Nothing is offered that could read as its answer.
    assert not turn.buttons, turn.buttons


def test_make_shell_numbers_the_options_and_maps_a_typed_number(stack):
    from bot.serving.client import BotClient

    lines = iter([CLARIFIED, "1", "/stop"])
    out = io.StringIO()
    turns = chat(BotClient(stack.rasa_url), out, lambda: next(lines), debug=False)
    text = out.getvalue()
    assert turns == 2
    assert "1. " in text and CHOICE_HINT in text and SOURCE in text
    assert "custom" not in text and "answer_id" not in text  # metadata only with BOT_DEBUG=1


def test_make_shell_debug_prints_the_metadata(stack):
    from bot.serving.client import BotClient

    lines = iter([TARGETED, "/stop"])
    out = io.StringIO()
    chat(BotClient(stack.rasa_url), out, lambda: next(lines), debug=True)
    assert FULL_ANSWER_HINT in out.getvalue() and '[debug] {"answer"' in out.getvalue()
