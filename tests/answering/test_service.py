"""The process-wide answering service and its knowledge base (fast: no model)."""

import pytest

from bot.answering import service as service_module
from bot.answering.decide import AnswerKind, Decision, Mode
from bot.answering.follow_up import Conversation, Reading
from bot.answering.service import AnsweringService, process_service
from bot.answering.settings import load_answering_settings
from bot.knowledge import KnowledgeBase


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(service_module, "_process_service", None)


def test_service_is_built_once_per_process(fresh):
    built = []
    first = process_service(lambda: built.append(1) or object())
    assert process_service(lambda: built.append(1) or object()) is first
    assert len(built) == 1


def test_a_failed_build_is_retried(fresh):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("model missing")
        return object()

    with pytest.raises(RuntimeError):
        process_service(flaky)
    assert process_service(flaky) is not None and len(calls) == 2


def test_service_reads_the_knowledge_base_it_is_given(faqs):
    service = AnsweringService(KnowledgeBase(tuple(faqs)), load_answering_settings(), retriever_factory=lambda: None)
    assert set(service.faqs) == {f.id for f in faqs}
    reply = service.answer(
        "加强针怎么打",
        {
            "intent": {"name": "faq", "confidence": 0.99},
            "response_selector": {
                "faq": {"ranking": [{"intent_response_key": "faq/booster_schedule", "confidence": 0.97}]}
            },
        },
    )
    assert reply.decision.kind is AnswerKind.FAQ and reply.metadata["kind"] == "faq"
    assert reply.metadata["answer_id"] == "booster_schedule" and reply.metadata["retrieval"] == "unavailable"


@pytest.fixture
def offline(faqs):
    """The real service over the committed FAQs, with retrieval unavailable."""
    return AnsweringService(KnowledgeBase(tuple(faqs)), load_answering_settings(), retriever_factory=lambda: None)


def test_clarification_states_no_fact_and_offers_the_questions(offline):
    from bot.answering.decide import Decision
    from bot.answering.render import CLARIFY_TEXT

    reply = offline._render(Decision(AnswerKind.CLARIFY, options=("booster_schedule", "booster_target")))
    assert reply.text == CLARIFY_TEXT and "【来源】" not in reply.text
    assert [b["title"] for b in reply.buttons] == ["加强针怎么打？", "加强针的接种对象有哪些人？", "都不是"]
    assert reply.buttons[0]["payload"] == '/choose_faq{"faq_id":"booster_schedule"}'
    assert reply.buttons[-1]["payload"] == "/none_of_these"
    assert reply.metadata["kind"] == "clarify" and reply.metadata["options"] == ["booster_schedule", "booster_target"]
    assert reply.metadata["answer_id"] is None and reply.metadata["sources"] == []


def test_decline_says_not_covered_and_12320_and_suggests_as_other_questions(offline):
    from bot.answering.decide import Decision
    from bot.answering.render import NOT_COVERED_TEXT, SUGGESTIONS_TEXT

    bare = offline._render(Decision(AnswerKind.DECLINE))
    assert bare.text == NOT_COVERED_TEXT and "12320" in bare.text and bare.buttons == []
    offered = offline._render(Decision(AnswerKind.DECLINE, options=("eligibility",)))
    assert offered.text.endswith(SUGGESTIONS_TEXT) and "其他问题" in offered.text
    assert offered.buttons == [
        {"title": "哪些人群可以接种新冠病毒疫苗？", "payload": '/choose_faq{"faq_id":"eligibility"}'}
    ]


def test_direct_answers_end_with_the_feedback_buttons(offline):
    reply = offline.choose("vaccine_types")
    assert reply.decision.kind is AnswerKind.FAQ and "灭活疫苗" in reply.text and "【来源】" in reply.text
    assert [b["payload"] for b in reply.buttons[-2:]] == ['/feedback{"value":"useful"}', '/feedback{"value":"useless"}']
    assert [b["title"] for b in reply.buttons[-2:]] == ["有用", "没用"]
    assert reply.metadata["answer_id"] == "vaccine_types" and reply.metadata["intent"] == "choose_faq"


def test_button_replies_fail_clearly_on_stale_input(offline):
    stale = offline.choose("no_such_faq")
    assert not stale.decision.answered and "失效" in stale.text and stale.metadata["kind"] == "decline"
    assert "请先" in offline.full_answer(None).text
    none = offline.none_of_these()
    assert "12320" in none.text and none.buttons == [] and none.metadata["kind"] == "decline"
    full = offline.full_answer("booster_schedule")
    assert full.text.startswith("新冠病毒疫苗加强免疫方式有两种") and full.metadata["kind"] == "faq"


def test_a_follow_up_asking_what_the_source_never_states_of_a_vaccine_is_declined(offline):
    # The explainer gives the 6-month interval for inactivated and adenovirus-vector
    # vaccines only: nothing about 智飞龙科马.
    reply = offline.answer("要隔多久", None, Conversation("vaccine_types", "智飞龙科马"))
    assert reply.decision.kind is AnswerKind.DECLINE and reply.metadata["follow_up"] == "not_covered"
    assert "智飞龙科马的接种间隔" in reply.text and "12320" in reply.text
    # 智飞龙科马's doses: the 混打 sentence names it, but its 2剂次 are the inactivated
    # vaccine's (another clause); 康希诺's one dose is stated in its own clause.
    doses = offline.answer("它一共打几针", None, Conversation("booster_schedule", "智飞龙科马"))
    assert "智飞龙科马的接种剂次" in doses.text and doses.decision.kind is AnswerKind.DECLINE
    assert not offline._uncovered(offline._plan_follow_up("那它要打几针", Conversation("vaccine_types", "康希诺")))
    # 科兴 is inactivated: its interval is stated, so the turn is not declined as unstated.
    assert (
        offline.answer("要隔多久", None, Conversation("vaccine_types", "科兴")).metadata["follow_up"] != "not_covered"
    )


def _sure_parse(faq_id: str) -> dict:
    return {
        "intent": {"name": "faq", "confidence": 0.99},
        "intent_ranking": [{"name": "faq", "confidence": 0.99}],
        "response_selector": {"faq": {"ranking": [{"intent_response_key": f"faq/{faq_id}", "confidence": 0.99}]}},
    }


@pytest.mark.parametrize(
    "text, topic, named",
    [
        # Read with the topic it would be a booster question; infection history is never covered.
        ("我去年阳过了 还能打吗", "booster_target", "阳过"),
        # The city's totals are not a figure for boosters or for the elderly.
        ("那加强针打了多少人", "vaccination_progress", "加强针的接种数据"),
        ("六十岁以上老人打了多少", None, "老人的接种数据"),
    ],
)
def test_what_the_source_never_covers_is_declined_however_the_turn_was_read(offline, text, topic, named):
    # The turn alone is unclear; rewritten with the topic the intent layer is sure.
    offline.parser = lambda query: _sure_parse(topic or "vaccination_progress")
    unsure = {"intent": {"name": "nlu_fallback", "confidence": 0.3}}
    reply = offline.answer(text, unsure, Conversation(topic) if topic else None)
    assert reply.decision.kind is AnswerKind.DECLINE
    assert f"“{named}”" in reply.text and "12320" in reply.text


def test_an_answer_stating_the_asked_aspect_of_the_vaccine_is_preferred(offline):
    follow_up = offline._plan_follow_up("这种要打几针", Conversation("vaccine_types", "灭活疫苗"))
    topic = Decision(
        AnswerKind.FAQ,
        "vaccine_types",
        score=0.96,
        scores=(("vaccine_types", 0.96), ("booster_schedule", 0.3), ("booster_target", 0.2)),
    )
    # vaccine_types names 灭活 but no doses; booster_schedule states 2剂次 of it.
    assert offline._stating_focus(topic, [topic], follow_up).faq_id == "booster_schedule"
    # Below the suggestion floor nothing is preferred.
    unlikely = Decision(
        AnswerKind.FAQ, "vaccine_types", score=0.96, scores=(("vaccine_types", 0.96), ("booster_schedule", 0.01))
    )
    assert offline._stating_focus(unlikely, [unlikely], follow_up) is unlikely


def test_an_answer_misses_the_focus_when_none_of_its_sentences_states_the_asked_aspect(offline):
    # Which vaccine the booster may be: booster_target (who may get one) never
    # says; booster_schedule does (…进行1剂次加强免疫 / 混打…加强免疫时可选择…).
    follow_up = offline._plan_follow_up("那她加强能打哪几种", Conversation("booster_target"))
    assert offline._misses_focus("booster_target", follow_up)
    assert not offline._misses_focus("booster_schedule", follow_up)
    # A turn that asks no marked aspect misses nothing.
    assert not offline._misses_focus("booster_target", offline._plan_follow_up("为啥", Conversation("booster_target")))


@pytest.mark.parametrize(
    "topic_answer, options, continued",
    [
        # 打完加强还会得新冠吗 after 加强针怎么打: asks something of its own; the
        # schedule is not among what it might mean, so the clarification stays.
        ("booster_schedule", ("why_vaccinate", "booster_concept"), False),
        # 那他能打加强针嘛 after 哪些人群可以接种: the topic's reading is one of the options.
        ("eligibility", ("booster_target", "eligibility"), True),
    ],
)
def test_a_clarified_turn_takes_the_topic_only_when_it_was_an_option(
    offline, monkeypatch, topic_answer, options, continued
):
    clarify = Decision(AnswerKind.CLARIFY, None, None, 0.5, "unsure", options=options)
    answered = Decision(AnswerKind.FAQ, topic_answer, None, 0.95, "with the topic")
    monkeypatch.setattr(service_module, "decide", lambda *args, **kwargs: clarify)
    monkeypatch.setattr(offline, "_read_with_topic", lambda *args: (answered, None, "rewritten"))
    follow_up = offline._plan_follow_up("打完加强还会得新冠吗", Conversation("booster_schedule"))
    decision, _, _, reading = offline._decide_turn("打完加强还会得新冠吗", None, follow_up, (), Mode.HYBRID)
    assert (reading is Reading.CONTINUED) is continued
    assert decision is (answered if continued else clarify)


@pytest.mark.parametrize(
    "text, continued",
    [
        ("那他能打加强针嘛", True),
        # Declined on its own, and nothing in it is something the topic could be about.
        ("顺便问一下 明天大同下雨不", False),
    ],
)
def test_a_declined_turn_takes_the_topic_only_when_it_is_anchored(offline, monkeypatch, text, continued):
    declined = Decision(AnswerKind.DECLINE, reason="below the bands")
    answered = Decision(AnswerKind.FAQ, "why_vaccinate", None, 0.95, "with the topic")
    monkeypatch.setattr(service_module, "decide", lambda *args, **kwargs: declined)
    monkeypatch.setattr(offline, "_read_with_topic", lambda *args: (answered, None, "rewritten"))
    follow_up = offline._plan_follow_up(text, Conversation("why_vaccinate"))
    assert follow_up is not None and not follow_up.continues
    decision, _, _, reading = offline._decide_turn(text, None, follow_up, (), Mode.HYBRID)
    assert (reading is Reading.CONTINUED) is continued
    assert decision is (answered if continued else declined)


@pytest.mark.parametrize(
    "text, topic, specific, with_topic, chosen",
    [
        # 怎么打 after 那加强针呢 (answered with booster_target): the rewrite with
        # the topic's question repeats the topic, surer; 加强针怎么打 moves on.
        ("怎么打", "booster_target", "booster_schedule", "booster_target", "booster_schedule"),
        # 那打了加强针还会感染不 after why_vaccinate asks its own thing: the
        # topic's answer says a booster lowers breakthrough infection.
        ("那打了加强针还会感染不", "why_vaccinate", "booster_concept", "why_vaccinate", "why_vaccinate"),
    ],
)
def test_a_bare_aspect_read_two_ways_prefers_the_answer_not_just_given(
    offline, monkeypatch, text, topic, specific, with_topic, chosen
):
    follow_up = offline._plan_follow_up(text, Conversation(topic))
    assert follow_up is not None and len(follow_up.queries) == 2
    first, second = follow_up.queries
    # The more specific reading is less sure than the one carrying the topic.
    readings = {
        first: Decision(AnswerKind.FAQ, specific, None, 0.9, "specific"),
        second: Decision(AnswerKind.FAQ, with_topic, None, 0.97, "with the topic"),
    }
    monkeypatch.setattr(offline, "search", lambda query: query)
    monkeypatch.setattr(offline, "_continued_intent", lambda query, intent: None)
    monkeypatch.setattr(service_module, "decide", lambda intent, retrieved, *args: readings[retrieved])
    assert offline._read_with_topic(None, follow_up, Mode.HYBRID)[0].faq_id == chosen


@pytest.mark.parametrize(
    "question, ruled_out",
    [
        ("打过康希诺 加强能打智飞吗", {"mixed_booster", "protein_no_booster"}),  # one 康希诺 dose was given
        ("我打了两针科兴 第三针能打智飞吗", {"protein_no_booster"}),
        ("智飞能当加强针打吗", set()),  # 智飞 is the booster asked about, not a dose given
        ("科兴打的两针 加强打智飞中不中", {"protein_no_booster"}),
        ("科兴和智飞 哪个是灭活的", set()),  # two vaccines, neither given
        ("加强针怎么打", set()),
    ],
)
def test_rule_sentences_for_another_primary_series_are_not_about_the_asker(question, ruled_out):
    from bot.answering.service import not_about_the_asker
    from bot.dialogue.booster import load_rules

    assert not_about_the_asker(question) == {load_rules().quotes[q].text for q in ruled_out}


def test_the_passage_shown_is_the_best_one_about_the_asker():
    from bot.answering.service import SingledOut, retrieval_view
    from bot.retrieval.hybrid import Analysis, FaqScore, Hit
    from bot.retrieval.passages import FAQ_ANSWER, SENTENCE, Passage

    def hit(pid, kind, text, score):
        passage = Passage(pid, kind, text, "booster_schedule", "a", "t", "n", "2022-05", (0, 1), 1)
        return Hit(passage, score, score, 0, 0)

    mixed = hit("b#s2", SENTENCE, "另一种是“混打”…", 0.93)
    whole = hit("b#a", FAQ_ANSWER, "新冠病毒疫苗加强免疫方式有两种…", 0.91)
    analysis = Analysis([FaqScore("booster_schedule", 0.93, mixed)], None, [whole, mixed])
    assert retrieval_view(analysis).faqs[0].passage_id == "b#s2"
    shown = retrieval_view(analysis, SingledOut(not_about=frozenset({mixed.passage.text}))).faqs[0]
    assert shown.passage_id == "b#a" and shown.score == 0.93  # the FAQ keeps its score
