from bot.answering.decide import Mode, RetrievalView, RetrievedFaq, Thresholds, decide
from bot.answering.intent_view import IntentView, intent_view_from_parse

T = Thresholds(intent_weight=0.5, retrieval_floor=0.8, retrieval_ceiling=0.95, out_of_scope_weight=0.3,
               bank_out_of_scope_weight=0.5, bank_out_of_scope_margin=0.0,
               answer_threshold=0.45, margin=0.05, retrieval_only_threshold=0.88)


def parse(intent, conf, ranking=(), oos=0.0):
    return {
        "intent": {"name": intent, "confidence": conf},
        "intent_ranking": [{"name": intent, "confidence": conf}, {"name": "out_of_scope", "confidence": oos}],
        "response_selector": {"faq": {"ranking": [
            {"intent_response_key": f"faq/{fid}", "confidence": c} for fid, c in ranking]}},
    }


def hit(fid, score, kind="faq_question", text="……"):
    return RetrievedFaq(fid, score, f"{fid}#x", kind, text)


def found(*hits, lead=-0.1):
    return RetrievalView(tuple(hits), lead)


def test_intent_view_reads_rasa_parse():
    view = intent_view_from_parse(parse("faq", 0.9, [("booster_schedule", 0.8), ("booster_target", 0.1)], oos=0.05))
    assert view.faq_choice == "booster_schedule"
    assert view.faq_scores()["booster_schedule"] == 0.9 * 0.8
    assert view.out_of_scope_confidence == 0.05


def test_intent_view_survives_garbage():
    for junk in (None, 42, "text", {"intent": "x"}, {"response_selector": {"faq": {"ranking": [None, {}]}}}):
        view = intent_view_from_parse(junk)
        assert view.faq_choice is None


def test_fallback_keeps_faq_confidence_from_ranking():
    p = parse("faq", 0.8, [("eligibility", 0.4), ("booster_target", 0.35)])
    p["intent"] = {"name": "nlu_fallback", "confidence": 0.55}
    view = intent_view_from_parse(p)
    assert view.faq_choice is None
    assert view.faq_confidence == 0.8


def test_intent_mode_answers_only_confident_faq():
    yes = decide(intent_view_from_parse(parse("faq", 0.9, [("vaccine_types", 0.9)])), None, T, Mode.INTENT)
    no = decide(intent_view_from_parse(parse("out_of_scope", 0.9)), None, T, Mode.INTENT)
    assert (yes.kind, yes.faq_id) == ("faq", "vaccine_types")
    assert not no.answered


def test_hybrid_agreement_answers_and_disagreement_at_low_scores_declines():
    view = intent_view_from_parse(parse("faq", 0.9, [("vaccine_types", 0.9), ("eligibility", 0.05)]))
    agreed = decide(view, found(hit("vaccine_types", 0.93), hit("eligibility", 0.85)), T)
    assert (agreed.kind, agreed.faq_id) == ("faq", "vaccine_types")
    unsure = intent_view_from_parse(parse("nlu_fallback", 0.5, []))
    weak = decide(unsure, found(hit("vaccine_types", 0.82), hit("eligibility", 0.81)), T)
    assert not weak.answered


def test_higher_retrieval_score_means_more_likely_to_answer():
    """Direction of the threshold: raising the similarity (never lowering it) turns a decline into an answer."""
    view = IntentView("nlu_fallback", 0.5, 0.0, ())
    low = decide(view, found(hit("eligibility", 0.83, "sentence")), T)
    high = decide(view, found(hit("eligibility", 0.97, "sentence")), T)
    assert not low.answered and high.answered
    assert T.stretch(0.97) > T.stretch(0.83)


def test_passage_is_quoted_when_retrieval_found_a_sentence_the_intent_layer_did_not_pick():
    view = IntentView("nlu_fallback", 0.5, 0.3, (("booster_target", 0.6),))
    d = decide(view, found(hit("booster_schedule", 0.97, "sentence", "另外，……暂不用进行加强免疫。")), T)
    assert d.kind == "passage" and d.faq_id == "booster_schedule"
    assert "暂不用" in d.passage.passage_text


def test_out_of_scope_belief_counts_against_answering():
    retrieved = found(hit("booster_schedule", 0.9))
    calm = decide(IntentView("nlu_fallback", 0.5, 0.0, (), 0.0), retrieved, T)
    sure_oos = decide(IntentView("out_of_scope", 0.95, 0.0, (), 0.95), retrieved, T)
    assert calm.score > sure_oos.score


def test_hybrid_without_retrieval_falls_back_to_intent_layer():
    view = intent_view_from_parse(parse("faq", 0.9, [("booster_schedule", 0.9)]))
    d = decide(view, None, T, Mode.HYBRID)
    assert d.faq_id == "booster_schedule"


def test_retrieval_mode_uses_its_own_threshold():
    view = IntentView(None, 0.0, 0.0, ())
    assert decide(view, found(hit("eligibility", 0.95)), T, Mode.RETRIEVAL).answered
    assert not decide(view, found(hit("eligibility", 0.85)), T, Mode.RETRIEVAL).answered
    assert not decide(view, found(), T, Mode.RETRIEVAL).answered


def test_nearest_training_question_out_of_scope_counts_against_answering():
    view = IntentView("nlu_fallback", 0.5, 0.0, ())
    like_faq = decide(view, found(hit("booster_schedule", 0.96), lead=-0.05), T)
    like_oos = decide(view, found(hit("booster_schedule", 0.96), lead=0.03), T)
    assert like_faq.answered and not like_oos.answered
