"""Knowledge-base passages cut from the Q&A articles."""

import dataclasses

import pytest

from bot.retrieval.passages import (
    FAQ_ANSWER,
    FAQ_QUESTION,
    KINDS,
    SENTENCE,
    build_passages,
    passages_fingerprint,
)


def test_every_passage_is_the_article_text_at_its_span(passages, articles):
    texts = {a.id: a.text for a in articles}
    for p in passages:
        start, end = p.span
        if p.kind == FAQ_ANSWER and p.text.endswith("……"):
            # A cut answer is displayed with a cut mark that is not printed.
            assert p.text.startswith(texts[p.article_id][start:end])
        else:
            assert texts[p.article_id][start:end] == p.text, p.id


def test_only_articles_with_qa_contribute(passages, articles):
    qa = {a.id for a in articles if a.has_qa}
    assert {p.article_id for p in passages} <= qa
    assert any(not a.has_qa for a in articles)  # the page does hold other news


def test_each_faq_has_question_answer_and_sentences(passages, faqs):
    by_id = {p.id: p for p in passages}
    for faq in faqs:
        assert by_id[f"{faq.id}#q"].text == faq.question
        assert by_id[f"{faq.id}#a"].text == faq.display_answer
        assert by_id[f"{faq.id}#q"].kind == FAQ_QUESTION
    assert "暂不用进行加强免疫" in by_id["booster_schedule#s3"].text
    assert by_id["booster_schedule#s3"].kind == SENTENCE


def test_sentences_and_windows_stay_inside_one_answer(passages, faqs):
    spans = {f.id: f.answer_span for f in faqs}
    for p in passages:
        if p.kind == SENTENCE and p.faq_id is not None:
            start, end = spans[p.faq_id]
            assert start <= p.span[0] < p.span[1] <= end, p.id
            assert "问：" not in p.text and "答：" not in p.text


def test_windows_are_two_consecutive_sentences(passages):
    windows = [p for p in passages if p.sentence_count == 2]
    assert windows
    by_id = {p.id: p for p in passages}
    w = by_id["booster_schedule#w2-2"]
    assert w.text == by_id["booster_schedule#s2"].text + by_id["booster_schedule#s3"].text


def test_shown_text_is_complete_sentences(passages):
    for p in passages:
        if p.kind == SENTENCE:
            assert p.text[-1] in "。！？!?”’）)……" or p.text.endswith("……"), p.id


def test_cut_answer_yields_no_partial_sentence(passages, faqs):
    cut = [f for f in faqs if f.partial]
    assert cut, "data has a cut-off answer (vaccination_progress)"
    for faq in cut:
        for p in passages:
            if p.faq_id == faq.id and p.kind == SENTENCE:
                assert not p.text.endswith(("；", "，", ";", ","))


def test_intro_sentences_belong_to_no_faq(passages):
    intro = [p for p in passages if p.faq_id is None]
    assert intro and all(p.kind == SENTENCE and "#intro-s" in p.id for p in intro)
    assert any("奥密克戎" in p.text for p in intro)
    assert all(not p.text.startswith("问") for p in intro)


def test_ids_are_unique_and_stable(articles, faqs, passages):
    assert len({p.id for p in passages}) == len(passages)
    again = build_passages(articles, faqs)
    assert [p.id for p in again] == [p.id for p in passages]
    assert passages_fingerprint(again) == passages_fingerprint(passages)
    assert {p.kind for p in passages} <= set(KINDS)


def test_fingerprint_changes_with_the_text(articles, faqs, passages):
    edited = [dataclasses.replace(faqs[0], question="改过的问题？")] + list(faqs[1:])
    assert passages_fingerprint(build_passages(articles, edited)) != passages_fingerprint(passages)


def test_duplicate_faq_ids_are_rejected(articles, faqs):
    with pytest.raises(ValueError, match="duplicate passage id"):
        build_passages(articles, [faqs[0], faqs[0]])
