"""The report's figures from the scripted store (lexical grouping: fast, no model)."""

from datetime import date

import pytest

from bot.reporting.conversations import Outcome, conversations
from bot.reporting.figures import compute
from bot.reporting.nearest_faq import FaqIndex
from bot.reporting.privacy import SenderHasher
from bot.reporting.similarity import lexical_vectoriser
from bot.reporting.store import read_events
from bot.text.normalize import Normalizer
from tests.support.tracker_store import PHONE


@pytest.fixture(scope="module")
def lexical():
    return lexical_vectoriser(Normalizer())


def report(store, vectoriser, since=None, until=None):
    return compute(
        conversations(read_events(str(store))),
        vectoriser,
        FaqIndex.build(vectoriser),
        SenderHasher(b"salt"),
        since,
        until,
        fold=Normalizer(),
    )


def test_daily_counts_include_empty_days(scripted_store, lexical):
    data = report(scripted_store, lexical)
    assert [(d.day.day, d.conversations, d.questions, d.answered, d.clarified, d.declined) for d in data.days] == [
        (2, 2, 3, 1, 0, 2),
        (3, 2, 4, 0, 1, 3),
        (4, 0, 0, 0, 0, 0),
        (5, 1, 2, 1, 0, 1),
    ]
    t = data.totals
    assert (t.conversations, t.questions, t.answered, t.clarified, t.declined) == (5, 9, 2, 1, 6)
    assert data.clarify_resolved == {"answered": 1}
    assert data.days[1].rate(Outcome.DECLINED) == 0.75


def test_declined_questions_grouped_across_spelling_and_wording(scripted_store, lexical):
    groups = report(scripted_store, lexical).declined_groups
    top = groups[0]
    # 打完疫苗发烧怎么办 and its Traditional spelling are one question asked twice;
    # 打完疫苗发烧了怎么办？ is another wording of it.
    assert top.count == 3
    assert top.examples[0] == ("打完疫苗发烧怎么办", 2)
    assert [g.count for g in groups] == [3, 1, 1, 1]
    assert top.nearest_faq is not None and 0 < top.nearest_score <= 1
    assert not any(PHONE in text for g in groups for text, _ in g.examples)


def test_useless_answers_with_their_questions(scripted_store, lexical):
    data = report(scripted_store, lexical)
    [rated] = data.rated
    assert (rated.answer_id, rated.useless, rated.useful, rated.questions) == (
        "booster_schedule",
        1,
        1,
        ["加强针怎么打"],
    )
    assert rated.title.startswith("加强针怎么打")
    assert data.ratings_total == {"useless": 1, "useful": 1}


def test_date_range_keeps_the_requested_days_only(scripted_store, lexical):
    since, until = date(2026, 11, 3), date(2026, 11, 4)
    from datetime import datetime, time, timedelta

    from bot.reporting.figures import CHINA

    events = read_events(
        str(scripted_store),
        datetime.combine(since, time(), CHINA).timestamp(),
        datetime.combine(until + timedelta(days=1), time(), CHINA).timestamp(),
    )
    data = compute(conversations(events), lexical, FaqIndex.build(lexical), SenderHasher(b"s"), since, until)
    assert [(d.day, d.questions) for d in data.days] == [(since, 4), (until, 0)]
    assert data.rated[0].useful == 1 and data.rated[0].useless == 0


def test_sender_ids_are_hashed_in_rows(scripted_store, lexical):
    rows = report(scripted_store, lexical).rows
    assert all(len(r.conversation) == 12 and "wecom" not in r.conversation for r in rows)
    assert len({r.conversation for r in rows}) == 4  # Alice's two sessions share her hash


def test_reference_levels_place_covered_questions_above_uncovered(scripted_store, lexical):
    covered, uncovered = report(scripted_store, lexical).reference
    assert 0 < uncovered < covered <= 1
