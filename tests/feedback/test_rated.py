"""Which answer a rating refers to, from real event dicts as Rasa serialises them."""

import pytest

from bot.feedback.rated import FeedbackValue, RatingStatus, feedback_value, rated_answer


def user(text, intent="faq", **parse):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}, **parse}}


def bot(text, kind=None, answer_id=None, **extra):
    data = {"buttons": [], "custom": {"answer": {"kind": kind, "answer_id": answer_id, **extra}} if kind else None}
    return {"event": "bot", "text": text, "data": data}


def action(name):
    return {"event": "action", "name": name}


ANSWERED = [
    action("action_listen"),
    user("加强针怎么打"),
    action("action_answer"),
    bot("新冠病毒疫苗加强免疫方式有两种……", "faq", "booster_schedule"),
    bot("（详细检索暂时不可用，以上为常见问题库的回答。）"),
    action("action_listen"),
]


def rating(value="useless"):
    return [user(f'/feedback{{"value":"{value}"}}', "feedback"), action("action_listen")]


def test_rating_right_after_an_answer_is_recorded_with_its_question():
    rated = rated_answer(ANSWERED + rating()[:1])
    assert rated.status is RatingStatus.RECORDED
    assert rated.answer["answer_id"] == "booster_schedule"
    assert rated.question == "加强针怎么打"


@pytest.mark.parametrize("kind", ["passage", "booster_check"])
def test_passages_and_booster_verdicts_are_rateable(kind):
    events = [user("科兴是哪种疫苗"), bot("……", kind, "vaccine_types#s2"), user("/feedback", "feedback")]
    assert rated_answer(events).status is RatingStatus.RECORDED


@pytest.mark.parametrize(
    "reply",
    [
        bot("抱歉，我没能在资料中找到可靠的答案。", "decline"),
        bot("您是想问哪一个？", "clarify"),
        bot("您好！我是新冠疫苗接种问答助手"),
    ],
)
def test_rating_after_a_decline_clarification_or_small_talk_is_not_recorded(reply):
    events = [user("你好", "greet"), reply, user('/feedback{"value":"useful"}', "feedback")]
    assert rated_answer(events).status is RatingStatus.NOTHING_TO_RATE


def test_a_second_rating_of_the_same_answer_is_not_recorded_again():
    events = ANSWERED + [
        user('/feedback{"value":"useful"}', "feedback"),
        bot("谢谢您的反馈！", "feedback", status="recorded"),
        user('/feedback{"value":"useless"}', "feedback"),
    ]
    assert rated_answer(events).status is RatingStatus.ALREADY_RATED


def test_rating_as_the_first_message_has_nothing_to_rate():
    assert rated_answer([action("action_listen"), user("/feedback", "feedback")]).status is RatingStatus.NOTHING_TO_RATE


def test_an_old_answer_two_turns_back_is_not_rated():
    events = ANSWERED + [user("谢谢", "thank"), bot("不客气！"), user('/feedback{"value":"useless"}', "feedback")]
    assert rated_answer(events).status is RatingStatus.NOTHING_TO_RATE


@pytest.mark.parametrize(
    "entity, text, expected",
    [
        ("useful", '/feedback{"value":"useful"}', FeedbackValue.USEFUL),
        ("USELESS", "", FeedbackValue.USELESS),
        (None, "这个回答没有用", FeedbackValue.USELESS),  # contains 有用, but is negative
        (None, "這個回答沒用", FeedbackValue.USELESS),
        (None, "回答有帮助，谢谢", FeedbackValue.USEFUL),
        ("maybe", '/feedback{"value":"maybe"}', None),  # a forged payload is not guessed at
        (None, "嗯", None),
    ],
)
def test_feedback_value(entity, text, expected):
    assert feedback_value(entity, text) is expected
