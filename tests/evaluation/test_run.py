"""Answer quality on the held-out sets, against issue #9's targets.

The floors are the product's targets (bot.evaluation.run.TARGET_*), not the
measured figures minus a margin: when a target is missed this test fails, and
the miss is reported rather than the floor lowered. Figures: `make eval`.
"""

import pytest

from bot.answering.decide import Mode
from bot.answering.service import AnsweringService
from bot.evaluation.dataset import load_eval_set
from bot.evaluation.run import (
    TARGET_ANSWERED_OOS,
    TARGET_CORRECT,
    TARGET_REACH,
    TARGET_WRONG,
    evaluate,
    gather,
    targets,
)

pytestmark = pytest.mark.slow

SETS = ["test.yml", "holdout.yml"]


@pytest.fixture(scope="module")
def service():
    return AnsweringService.from_project()


@pytest.fixture(scope="module", params=SETS)
def cards(request, project_root, service):
    path = project_root / "eval" / request.param
    if not path.exists():
        pytest.skip(f"eval/{request.param} is not written yet")
    questions = load_eval_set(path)
    assert len(questions) >= 150
    assert sum(not q.in_scope for q in questions) >= 30
    parses, retrieved = gather(questions, service)
    return evaluate(questions, parses, retrieved, service.settings.calibration, service.faqs)


def test_hybrid_meets_the_targets(cards):
    hybrid = cards[Mode.HYBRID]
    print({mode.value: card.counts for mode, card in cards.items()})
    print(targets(hybrid))
    assert hybrid.rate("wrong") <= TARGET_WRONG
    assert hybrid.rate("answered_oos") <= TARGET_ANSWERED_OOS
    assert hybrid.reach() >= TARGET_REACH
    assert hybrid.rate("correct") >= TARGET_CORRECT


def test_out_of_scope_questions_are_mostly_declined_not_clarified(cards):
    hybrid = cards[Mode.HYBRID]
    assert hybrid.rate("declined_oos") > 0.8 and hybrid.rate("clarified_oos") < 0.15


def test_hybrid_gives_fewer_wrong_answers_than_either_layer_alone(cards):
    hybrid = cards[Mode.HYBRID].wrong_answer_rate()
    assert hybrid < cards[Mode.INTENT].wrong_answer_rate()
    assert cards[Mode.HYBRID].reach() > cards[Mode.RETRIEVAL].reach()
