"""--suggest: declined and clarified questions with a proposed FAQ, nothing approved."""

import yaml

from bot.reporting.conversations import conversations, questions
from bot.reporting.nearest_faq import FaqIndex
from bot.reporting.similarity import lexical_vectoriser
from bot.reporting.store import read_events
from bot.reporting.suggest import suggestions, write_review_file
from bot.text.normalize import Normalizer
from tests.support.tracker_store import PHONE


def made(store):
    vec = lexical_vectoriser(Normalizer())
    return suggestions(questions(conversations(read_events(str(store)))), vec, FaqIndex.build(vec), fold=Normalizer())


def test_the_citizens_own_choice_comes_first(scripted_store):
    items = made(scripted_store)
    first = items[0]
    assert (first.question, first.proposed_faq, first.source.value) == ("加强针隔多久", "booster_schedule", "chosen")
    assert first.faq_question.startswith("加强针怎么打") and 0 < first.score <= 1


def test_declined_questions_are_merged_by_spelling_and_none_is_approved(scripted_store):
    items = made(scripted_store)
    fever = [s for s in items if s.question == "打完疫苗发烧怎么办"]
    assert len(fever) == 1 and fever[0].asked == 2 and fever[0].source.value == "declined"
    assert all(s.proposed_faq and not s.approve for s in items)
    assert len(items) == 6  # 5 distinct declined questions + 1 clarified
    assert not any(PHONE in s.question for s in items)


def test_review_file_round_trips_with_instructions(scripted_store, tmp_path):
    path = write_review_file(made(scripted_store), tmp_path / "review.yml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ") and "approve: true" in text and "python -m bot accept" in text
    data = yaml.safe_load(text)
    assert set(data["suggestions"][0]) == {
        "question",
        "proposed_faq",
        "faq_question",
        "score",
        "asked",
        "source",
        "approve",
    }
