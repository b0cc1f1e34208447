import numpy as np

from bot.answering.combiner import FEATURES, Combiner, feature_rows, fit_logistic
from bot.answering.decide import AnswerKind, Bands, Calibration, Mode, below_threshold, decide, out_of_scope_evidence
from bot.answering.evidence import RetrievalView, RetrievedFaq
from bot.answering.intent_view import IntentView, intent_view_from_parse
from bot.answering.settings import load_answering_settings

# A hand-set combiner: intent and retrieval both count, out-of-scope evidence counts against.
COMBINER = Combiner(
    weights={
        "intent_score": 4.0,
        "intent_top": 1.0,
        "out_of_scope_intent": -3.0,
        "passage_score": 5.0,
        "question_score": 10.0,
        "retrieval_top": 1.0,
        "retrieval_lead": 10.0,
        "out_of_scope_lead": -30.0,
    },
    bias=-20.0,
    threshold=0.5,
)
CAL = Calibration(retrieval_only_threshold=0.9, combiner=COMBINER)


def parse(intent, conf, ranking=(), oos=0.0):
    return {
        "intent": {"name": intent, "confidence": conf},
        "intent_ranking": [{"name": intent, "confidence": conf}, {"name": "out_of_scope", "confidence": oos}],
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": f"faq/{fid}", "confidence": c} for fid, c in ranking]}
        },
    }


def hit(fid, score, kind="faq_question", text="……"):
    return RetrievedFaq(fid, score, f"{fid}#x", kind, text, passage_score=score, question_score=score)


def found(*hits, lead=-0.1):
    return RetrievalView(tuple(hits), lead)


def test_intent_view_reads_rasa_parse():
    view = intent_view_from_parse(parse("faq", 0.9, [("booster_schedule", 0.8), ("booster_target", 0.1)], oos=0.05))
    assert view.faq_choice == "booster_schedule"
    assert view.faq_scores()["booster_schedule"] == 0.9 * 0.8
    assert view.out_of_scope_confidence == 0.05


def test_intent_view_survives_garbage():
    for junk in (None, 42, "text", {"intent": "x"}, {"response_selector": {"faq": {"ranking": [None, {}]}}}):
        assert intent_view_from_parse(junk).faq_choice is None


def test_fallback_keeps_faq_confidence_from_ranking():
    p = parse("faq", 0.8, [("eligibility", 0.4), ("booster_target", 0.35)])
    p["intent"] = {"name": "nlu_fallback", "confidence": 0.55}
    view = intent_view_from_parse(p)
    assert view.faq_choice is None and view.faq_confidence == 0.8


def test_intent_mode_answers_only_confident_faq():
    yes = decide(intent_view_from_parse(parse("faq", 0.9, [("vaccine_types", 0.9)])), None, CAL, Mode.INTENT)
    no = decide(intent_view_from_parse(parse("out_of_scope", 0.9)), None, CAL, Mode.INTENT)
    assert (yes.kind, yes.faq_id) == ("faq", "vaccine_types") and not no.answered


def test_hybrid_answers_when_layers_agree_and_declines_weak_evidence():
    view = intent_view_from_parse(parse("faq", 0.95, [("vaccine_types", 0.95), ("eligibility", 0.02)]))
    agreed = decide(view, found(hit("vaccine_types", 0.96), hit("eligibility", 0.85)), CAL)
    assert (agreed.kind, agreed.faq_id) == ("faq", "vaccine_types")
    unsure = intent_view_from_parse(parse("nlu_fallback", 0.5, []))
    assert not decide(unsure, found(hit("vaccine_types", 0.82), hit("eligibility", 0.81)), CAL).answered


def test_higher_similarity_means_more_likely_to_answer():
    """Direction of the threshold: raising the similarity (never lowering it) turns a decline into an answer."""
    view = IntentView("nlu_fallback", 0.5, 0.0, ())
    low = decide(view, found(hit("eligibility", 0.83, "sentence"), hit("vaccine_types", 0.8)), CAL)
    high = decide(view, found(hit("eligibility", 0.99, "sentence"), hit("vaccine_types", 0.8)), CAL)
    assert not low.answered and high.answered and high.score > low.score


def test_calibrated_settings_point_the_right_way():
    """Whatever calibration fitted, more similarity must never count against answering,
    and out-of-scope evidence must never count for it."""
    weights = load_answering_settings().calibration.combiner.weights
    assert weights["question_score"] > 0 and weights["passage_score"] > 0 and weights["retrieval_lead"] > 0
    assert weights["out_of_scope_lead"] < 0
    assert 0 < load_answering_settings().calibration.combiner.threshold < 1


def test_passage_is_quoted_when_retrieval_found_a_sentence_the_intent_layer_did_not_pick():
    view = IntentView("nlu_fallback", 0.5, 0.3, (("booster_target", 0.6),))
    d = decide(
        view,
        found(hit("booster_schedule", 0.99, "sentence", "另外，……暂不用进行加强免疫。"), hit("booster_target", 0.85)),
        CAL,
    )
    assert d.kind == "passage" and d.faq_id == "booster_schedule" and "暂不用" in d.passage.passage_text


def test_out_of_scope_evidence_counts_against_answering():
    calm = decide(IntentView("nlu_fallback", 0.5, 0.0, (), 0.0), found(hit("booster_schedule", 0.95), lead=-0.05), CAL)
    oos = decide(IntentView("nlu_fallback", 0.5, 0.0, (), 0.0), found(hit("booster_schedule", 0.95), lead=0.03), CAL)
    assert calm.score > oos.score


def test_hybrid_without_retrieval_falls_back_to_intent_layer():
    view = intent_view_from_parse(parse("faq", 0.9, [("booster_schedule", 0.9)]))
    assert decide(view, None, CAL, Mode.HYBRID).faq_id == "booster_schedule"


def test_retrieval_mode_uses_its_own_threshold():
    view = IntentView(None, 0.0, 0.0, ())
    assert decide(view, found(hit("eligibility", 0.95)), CAL, Mode.RETRIEVAL).answered
    assert not decide(view, found(hit("eligibility", 0.85)), CAL, Mode.RETRIEVAL).answered
    assert not decide(view, found(), CAL, Mode.RETRIEVAL).answered


def test_feature_rows_cover_every_candidate():
    view = intent_view_from_parse(parse("faq", 0.9, [("a", 0.7), ("b", 0.2)]))
    ids, rows = feature_rows(view, found(hit("b", 0.9), hit("c", 0.8)))
    assert ids == ["a", "b", "c"] and rows.shape == (3, len(FEATURES))
    top = dict(zip(FEATURES, rows[1], strict=True))
    assert top["retrieval_top"] == 1.0 and abs(top["retrieval_lead"] - 0.1) < 1e-9


def test_logistic_fit_learns_a_separable_rule():
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(400, len(FEATURES)))
    labels = (rows[:, 4] > 0).astype(float)  # only question_score matters
    weights, bias = fit_logistic(rows, labels)
    assert weights["question_score"] > 3 * max(abs(v) for k, v in weights.items() if k != "question_score")


BANDS = Bands(clarify=0.3, suggest=0.1, options=3, max_out_of_scope_lead=0.0)
BANDED = Calibration(retrieval_only_threshold=0.9, combiner=COMBINER, bands=BANDS)


def ranked(*pairs):
    return tuple(pairs)


def test_bands_answer_clarify_and_decline_in_order_of_p():
    scores = ranked(("booster_schedule", 0.2), ("booster_target", 0.15), ("booster_concept", 0.12), ("x", 0.01))
    clarify = below_threshold((("booster_schedule", 0.4),) + scores[1:], BANDS, out_of_scope=False)
    assert clarify.kind is AnswerKind.CLARIFY and not clarify.answered and clarify.answer_id is None
    assert clarify.options == ("booster_schedule", "booster_target", "booster_concept")
    decline = below_threshold(scores, BANDS, out_of_scope=False)
    assert decline.kind is AnswerKind.DECLINE and decline.options == (
        "booster_schedule",
        "booster_target",
        "booster_concept",
    )
    weak = below_threshold(ranked(("a", 0.05), ("b", 0.01)), BANDS, out_of_scope=False)
    assert weak.kind is AnswerKind.DECLINE and weak.options == ()


def test_clarification_offers_two_choices_at_least_and_drops_weak_thirds():
    d = below_threshold(ranked(("a", 0.5), ("b", 0.02), ("c", 0.01)), BANDS, out_of_scope=False)
    assert d.kind is AnswerKind.CLARIFY and d.options == ("a", "b")


def test_out_of_scope_evidence_declines_and_offers_nothing():
    d = below_threshold(ranked(("eligibility", 0.6), ("vaccine_types", 0.3)), BANDS, out_of_scope=True)
    assert d.kind is AnswerKind.DECLINE and d.options == ()
    view = IntentView("nlu_fallback", 0.5, 0.0, ())
    assert out_of_scope_evidence(view, found(hit("eligibility", 0.9), lead=0.02), BANDS)
    assert not out_of_scope_evidence(view, found(hit("eligibility", 0.9), lead=-0.02), BANDS)
    assert out_of_scope_evidence(IntentView("out_of_scope", 0.8, 0.1, ()), found(lead=-0.2), BANDS)
    assert not out_of_scope_evidence(IntentView("out_of_scope", 0.3, 0.1, ()), None, BANDS)


def test_nearness_to_a_declined_example_needs_the_intent_layers_support():
    # 家里小孩能打新冠疫苗不: a cosine hair nearer an out-of-scope example, while
    # the classifier is sure it is a FAQ question (P(out_of_scope) 0.001).
    supported = Bands(clarify=0.3, suggest=0.1, max_out_of_scope_lead=0.0, out_of_scope_support=0.05)
    sure = IntentView("faq", 0.89, 0.89, (("eligibility", 0.95),), out_of_scope_confidence=0.001)
    doubtful = IntentView("nlu_fallback", 0.5, 0.3, (), out_of_scope_confidence=0.2)
    near = found(hit("eligibility", 0.9), lead=0.01)
    assert not out_of_scope_evidence(sure, near, supported)
    assert out_of_scope_evidence(doubtful, near, supported)
    assert out_of_scope_evidence(sure, near, BANDS)  # support 0: the old gate


def test_hybrid_clarifies_between_answer_and_decline():
    view = IntentView("nlu_fallback", 0.5, 0.0, ())
    # P(right) for these rows under COMBINER falls between 0.3 and 0.5.
    probe = decide(view, found(hit("eligibility", 0.92), hit("vaccine_types", 0.9)), CAL)
    assert not probe.answered
    d = decide(
        view,
        found(hit("eligibility", 0.92), hit("vaccine_types", 0.9)),
        Calibration(0.9, COMBINER, Bands(clarify=probe.score - 0.01, suggest=0.0)),
    )
    assert d.kind is AnswerKind.CLARIFY and d.options[0] == "eligibility" and len(d.options) >= 2


def test_default_bands_never_clarify():
    d = below_threshold(ranked(("a", 0.99), ("b", 0.9)), Bands(), out_of_scope=False)
    assert d.kind is AnswerKind.DECLINE and d.options == ()
