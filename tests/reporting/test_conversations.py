"""Turns classified from custom.answer.kind, read back from the real store."""

from bot.reporting.conversations import Outcome, conversations, questions, ratings
from bot.reporting.store import read_events
from tests.support.tracker_store import ALICE, CAROL


def load(path):
    return conversations(read_events(str(path)))


def test_sessions_split_conversations_and_small_talk_is_no_question(scripted_store):
    convs = load(scripted_store)
    assert len(convs) == 5
    alice = [c for c in convs if c.sender_id == ALICE]
    assert [t.text for t in alice[0].turns] == ["你好", "加强针怎么打", '/feedback{"value":"useless"}']
    assert alice[0].turns[0].outcome is None and alice[0].turns[1].outcome is Outcome.ANSWERED


def test_a_tap_on_a_clarification_is_counted_with_it(scripted_store):
    asked = questions(load(scripted_store))
    carol = [q for q in asked if q.conversation.sender_id == CAROL]
    assert len(carol) == 1
    assert carol[0].turn.outcome is Outcome.CLARIFIED
    assert (carol[0].resolved_by_tap, carol[0].tapped_answer_id) == (Outcome.ANSWERED, "booster_schedule")
    assert [q.turn.outcome for q in asked].count(Outcome.DECLINED) == 6
    assert len(asked) == 9


def test_only_recorded_ratings_count_and_keep_their_question(scripted_store):
    found = ratings(load(scripted_store))
    assert sorted((r.value, r.rated_answer_id) for r in found) == [
        ("useful", "booster_schedule"),
        ("useless", "booster_schedule"),
    ]
    useless = next(r for r in found if r.value == "useless")
    assert useless.question.text == "加强针怎么打"


def test_a_rating_after_a_tapped_option_keeps_the_typed_question(scripted_store):
    useful = next(r for r in ratings(load(scripted_store)) if r.value == "useful")
    assert useful.question.text == "加强针隔多久"
