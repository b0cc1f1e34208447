"""scoring.outcome: the evaluation vocabulary, one case per outcome."""

import pytest

from bot.answering.decide import AnswerKind, Decision
from bot.answering.evidence import RetrievedFaq
from bot.evaluation.dataset import EvalQuestion
from bot.evaluation.scoring import Outcome, outcome, scorecard

IN = EvalQuestion("加强针怎么打", "booster_schedule", "paraphrase")
ALSO = EvalQuestion("第三针打哪种", "booster_schedule", "paraphrase", also=("vaccine_types",))
INSIDE = EvalQuestion("智飞三针还要加强吗", "booster_schedule", "inside_answer", evidence="暂不用进行加强免疫")
OUT = EvalQuestion("孕妇能打吗", "decline", "out_of_scope")


def passage(text):
    return RetrievedFaq("booster_schedule", 0.9, "booster_schedule#s3", "sentence", text)


@pytest.mark.parametrize(
    "question, decision, expected",
    [
        (IN, Decision(AnswerKind.FAQ, "booster_schedule"), Outcome.CORRECT),
        (IN, Decision(AnswerKind.FAQ, "booster_target"), Outcome.WRONG),
        (ALSO, Decision(AnswerKind.FAQ, "vaccine_types"), Outcome.CORRECT),
        (IN, Decision(AnswerKind.DECLINE), Outcome.DECLINED),
        # A decline's 猜你想问 holding the right FAQ is still a decline: the bot said it cannot answer.
        (IN, Decision(AnswerKind.DECLINE, options=("booster_schedule",)), Outcome.DECLINED),
        (IN, Decision(AnswerKind.CLARIFY, options=("booster_target", "booster_schedule")), Outcome.ONE_TAP),
        (ALSO, Decision(AnswerKind.CLARIFY, options=("vaccine_types", "eligibility")), Outcome.ONE_TAP),
        (IN, Decision(AnswerKind.CLARIFY, options=("booster_target", "booster_concept")), Outcome.DECLINED),
        (
            INSIDE,
            Decision(AnswerKind.PASSAGE, "booster_schedule", passage("另外……暂不用进行加强免疫。")),
            Outcome.CORRECT,
        ),
        (INSIDE, Decision(AnswerKind.PASSAGE, "booster_schedule", passage("18岁以上人群间隔6个月。")), Outcome.WRONG),
        (OUT, Decision(AnswerKind.FAQ, "eligibility"), Outcome.ANSWERED_OOS),
        (OUT, Decision(AnswerKind.PASSAGE, "booster_schedule", passage("…")), Outcome.ANSWERED_OOS),
        (OUT, Decision(AnswerKind.CLARIFY, options=("eligibility", "why_vaccinate")), Outcome.CLARIFIED_OOS),
        (OUT, Decision(AnswerKind.DECLINE, options=("eligibility",)), Outcome.DECLINED_OOS),
    ],
)
def test_outcome(question, decision, expected, faqs):
    by_id = {f.id: f for f in faqs}
    assert outcome(question, decision, by_id) is expected


def test_scorecard_rates_and_reach(faqs):
    by_id = {f.id: f for f in faqs}
    card = scorecard(
        "hybrid",
        [IN, IN, IN, IN, OUT, OUT],
        [
            Decision(AnswerKind.FAQ, "booster_schedule"),
            Decision(AnswerKind.CLARIFY, options=("booster_schedule", "booster_target")),
            Decision(AnswerKind.FAQ, "eligibility"),
            Decision(AnswerKind.DECLINE),
            Decision(AnswerKind.CLARIFY, options=("eligibility", "booster_target")),
            Decision(AnswerKind.DECLINE),
        ],
        by_id,
    )
    assert card.rate("correct") == card.rate("one_tap") == card.rate("wrong") == card.rate("declined") == 0.25
    assert card.reach() == 0.5
    assert card.rate("clarified_oos") == card.rate("declined_oos") == 0.5 and card.rate("answered_oos") == 0
    assert [r for _, r, _ in card.misses] == [Outcome.ONE_TAP, Outcome.WRONG, Outcome.DECLINED, Outcome.CLARIFIED_OOS]
