"""猜你想问 candidates: retrieval's ranking first, the intent layer's as fallback."""

from bot.answering.evidence import RetrievalView, RetrievedFaq
from bot.feedback.related import related_faqs

KNOWN = ["why_vaccinate", "eligibility", "vaccine_types", "booster_concept", "booster_target", "booster_schedule"]


def view(*scored):
    return RetrievalView(
        tuple(
            RetrievedFaq(
                faq_id=f,
                score=s,
                passage_id=f"{f}#q",
                passage_kind="question",
                passage_text="",
                passage_score=s,
                question_score=0.0,
            )
            for f, s in scored
        ),
        -1.0,
    )


def parse(*keys):
    return {
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": f"faq/{k}", "confidence": 0.1} for k in keys]}
        }
    }


def test_nearest_by_retrieval_without_the_answered_faq():
    retrieved = view(
        ("booster_schedule", 0.9), ("booster_concept", 0.8), ("booster_target", 0.85), ("why_vaccinate", 0.2)
    )
    assert related_faqs("booster_schedule", KNOWN, retrieved, parse("why_vaccinate")) == [
        "booster_target",
        "booster_concept",
        "why_vaccinate",
    ]


def test_intent_layer_ranking_when_retrieval_is_unavailable():
    assert related_faqs(
        "booster_schedule", KNOWN, None, parse("booster_schedule", "booster_target", "gone_faq", "vaccine_types")
    ) == ["booster_target", "vaccine_types"]


def test_limit_and_nothing_known():
    assert related_faqs(None, KNOWN, view(*[(f, 1.0 - i / 10) for i, f in enumerate(KNOWN)]), limit=2) == KNOWN[:2]
    assert related_faqs("booster_schedule", KNOWN, None, None) == []
