"""The answering action: a thin adapter, tested with a stand-in service (fast)
and with the real service and models (slow)."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.answer as answer_module
from actions.answer import ActionAnswer, conversation
from bot.answering.decide import AnswerKind, Decision
from bot.answering.follow_up import Conversation
from bot.answering.service import Reply


def tracker(*user_texts, parse=None, slots=None):
    events = []
    for text in user_texts:
        events += [{"event": "user", "text": text}, {"event": "action", "name": "action_listen"}]
    latest = dict(parse or {}, text=user_texts[-1])
    return Tracker("u1", dict(slots or {}), latest, events, False, None, {}, "action_listen")


class StubService:
    def __init__(self, reply):
        self.reply, self.calls = reply, []

    def answer(self, text, parse, context, mode):
        self.calls.append((text, context, mode))
        return self.reply

    def none_of_these(self):
        return self.reply


@pytest.fixture
def stub(monkeypatch):
    def install(reply):
        service = StubService(reply)
        monkeypatch.setattr(answer_module, "service", lambda: service)
        return service

    return install


def test_rendered_answer_goes_out_with_its_metadata(stub):
    meta = {"answer_id": "booster_schedule", "sources": [{"article": "文章"}]}
    service = stub(Reply(Decision(AnswerKind.FAQ, "booster_schedule"), text="答案\n【来源】…", metadata=meta))
    dispatcher = CollectingDispatcher()
    events = ActionAnswer().run(
        dispatcher,
        tracker("加强针怎么打", "那智飞的呢", slots={"topic_faq": "booster_schedule", "vaccine": "智飞龙科马"}),
        {},
    )
    assert dispatcher.messages[0]["text"] == "答案\n【来源】…"
    assert dispatcher.messages[0]["custom"] == {"answer": meta}
    assert service.calls[0][:2] == ("那智飞的呢", Conversation("booster_schedule", "智飞龙科马"))
    assert {"event": "slot", "name": "topic_faq", "value": "booster_schedule", "timestamp": None} in events


def test_decline_uses_the_domain_response_and_notices_follow(stub):
    stub(
        Reply(
            Decision(AnswerKind.DECLINE),
            response="utter_out_of_scope",
            notices=["utter_search_unavailable"],
            metadata={"answer_id": None},
        )
    )
    dispatcher = CollectingDispatcher()
    ActionAnswer().run(dispatcher, tracker("政采贷怎么申请"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope", "utter_search_unavailable"]


def test_the_topic_is_the_slot_not_the_previous_text():
    # 政采贷是什么 was declined: it set no topic, so it cannot leak into the next question.
    assert (
        conversation(
            tracker("加强针怎么打", "政采贷是什么", "那智飞的呢", slots={"topic_faq": "booster_schedule"})
        ).topic_faq
        == "booster_schedule"
    )
    assert conversation(tracker("政采贷是什么", "那疫苗加强针怎么打")) == Conversation(None, None)


def test_a_decline_keeps_the_topic(stub):
    stub(Reply(Decision(AnswerKind.DECLINE), response="utter_out_of_scope", metadata={"answer_id": None}))
    events = ActionAnswer().run(
        CollectingDispatcher(), tracker("那孕妇呢", slots={"topic_faq": "booster_schedule"}), {}
    )
    assert [e["name"] for e in events] == ["answer_id"]


def test_a_clarification_offers_its_first_option_as_the_topic_of_a_typed_follow_up(stub):
    clarified = Decision(AnswerKind.CLARIFY, options=("booster_schedule", "booster_target"))
    stub(Reply(clarified, text="您是想问…？", metadata={"answer_id": None}))
    events = ActionAnswer().run(CollectingDispatcher(), tracker("俺想问问加强针咋打"), {})
    assert {"event": "slot", "name": "offered_faq", "value": "booster_schedule", "timestamp": None} in events
    assert "topic_faq" not in [e["name"] for e in events]  # 全文 still needs a real answer

    after = tracker("俺想问问加强针咋打", "智飞龙科马的呢", slots={"offered_faq": "booster_schedule"})
    assert conversation(after).continued_faq == "booster_schedule"
    assert conversation(after).topic_faq is None


def test_an_answer_or_none_of_these_ends_the_offer(stub):
    stub(Reply(Decision(AnswerKind.FAQ, "booster_target"), text="答案", metadata={"answer_id": "booster_target"}))
    events = ActionAnswer().run(CollectingDispatcher(), tracker("那加强针呢", slots={"offered_faq": "eligibility"}), {})
    assert {"event": "slot", "name": "offered_faq", "value": None, "timestamp": None} in events
    stub(Reply(Decision(AnswerKind.DECLINE), text="好的", metadata={"answer_id": None}))
    picked = tracker(
        "/none_of_these", parse={"intent": {"name": "none_of_these"}}, slots={"offered_faq": "eligibility"}
    )
    events = ActionAnswer().run(CollectingDispatcher(), picked, {})
    assert {"event": "slot", "name": "offered_faq", "value": None, "timestamp": None} in events


INSIDE = [
    ("奥密克戎会逃逸疫苗吗", "why_vaccinate", "没有完全逃逸"),
    ("打完智飞三针还要加强吗", "booster_schedule", "暂不用进行加强免疫"),
    ("科兴是哪种疫苗", "vaccine_types", "灭活疫苗"),
]
UNCOVERED = ["打完疫苗发烧怎么办", "孕妇能打吗", "政采贷利率多少", "今天天气怎么样"]


@pytest.mark.slow
class TestRealService:
    @pytest.fixture(scope="class")
    def service(self):
        from bot.answering.service import AnsweringService

        return AnsweringService.from_project()

    @pytest.fixture(scope="class")
    def parses(self):
        # One Rasa model load for every question of this class.
        from bot.evaluation.rasa_parses import parse_with_rasa

        texts = (
            [q for q, _, _ in INSIDE] + UNCOVERED + ["第四针什么时候打", "新冠疫苗要钱吗", "那智飞的呢", "加强针怎么打"]
        )
        return dict(zip(texts, parse_with_rasa(texts), strict=True))

    @pytest.fixture
    def ask(self, service, parses):
        return lambda text, topic=None: service.answer(text, parses[text], Conversation(topic))

    @pytest.mark.parametrize("question, faq_id, must_say", INSIDE)
    def test_answers_found_inside_an_answer_or_offers_it_first(self, ask, question, faq_id, must_say):
        reply = ask(question)
        if reply.decision.kind is AnswerKind.CLARIFY:
            # Unsure, it states nothing and offers the right FAQ first (one tap).
            assert reply.decision.options[0] == faq_id and "【来源】" not in (reply.text or "")
            return
        assert reply.decision.faq_id == faq_id
        assert must_say in reply.text and "【来源】" in reply.text
        assert reply.metadata["sources"][0]["newspaper"] == "大同日报"

    @pytest.mark.parametrize("question", UNCOVERED)
    def test_declines_what_the_source_does_not_cover(self, ask, question):
        reply = ask(question)
        assert reply.decision.kind is AnswerKind.DECLINE
        assert reply.metadata["answer_id"] is None and reply.metadata["sources"] == []
        said = reply.text or ""  # None: a domain response (utter_*), which says 12320 itself
        assert reply.response in ("utter_out_of_scope", "utter_default") or "12320" in said

    @pytest.mark.parametrize("question", ["孕妇能打吗", "打完疫苗发烧怎么办", "第四针什么时候打", "新冠疫苗要钱吗"])
    def test_health_near_misses_get_no_suggestion_that_could_read_as_an_answer(self, ask, question):
        reply = ask(question)
        assert reply.decision.kind is AnswerKind.DECLINE and reply.decision.options == ()
        assert not reply.buttons and "12320" in (reply.text or "")

    def test_follow_up_continues_the_topic(self, ask):
        reply = ask("那智飞的呢", topic="booster_schedule")
        assert reply.decision.faq_id == "booster_schedule"
        assert reply.metadata["search_query"] == "加强针怎么打？ 那智飞的呢"
        assert reply.metadata["full_answer_mode"] == "append" and "智飞龙科马" in reply.metadata["lead"][0]

    def test_missing_model_degrades_to_the_intent_layer(self, parses):
        from bot.answering.service import AnsweringService
        from bot.answering.settings import load_answering_settings
        from bot.knowledge import load_knowledge_base

        def broken():
            raise RuntimeError("model folder missing; run make embedding-model")

        service = AnsweringService(load_knowledge_base(), load_answering_settings(), retriever_factory=broken)
        reply = service.answer("加强针怎么打", parses["加强针怎么打"])
        assert reply.decision.faq_id == "booster_schedule"
        assert reply.notices == ["utter_search_unavailable"] and reply.metadata["retrieval"] == "unavailable"


class RecordingService:
    def __init__(self):
        self.calls = []

    def _reply(self):
        return Reply(
            Decision(AnswerKind.FAQ, "x"),
            text="t",
            buttons=[{"title": "有用", "payload": "/feedback"}],
            metadata={"answer_id": "x"},
        )

    def choose(self, faq_id):
        self.calls.append(("choose", faq_id))
        return self._reply()

    def none_of_these(self):
        self.calls.append(("none",))
        return self._reply()

    def full_answer(self, faq_id):
        self.calls.append(("full", faq_id))
        return self._reply()


def button_tracker(intent, entities=(), slots=None):
    latest = {"text": f"/{intent}", "intent": {"name": intent, "confidence": 1.0}, "entities": list(entities)}
    return Tracker(
        "u1", slots or {}, latest, [{"event": "user", "text": f"/{intent}"}], False, None, {}, "action_listen"
    )


@pytest.mark.parametrize(
    "intent, entities, slots, call",
    [
        ("choose_faq", [{"entity": "faq_id", "value": "booster_target"}], {}, ("choose", "booster_target")),
        ("choose_faq", [], {}, ("choose", None)),
        ("none_of_these", [], {}, ("none",)),
        ("show_full_answer", [], {"answer_id": "booster_schedule#s3"}, ("full", "booster_schedule")),
        ("show_full_answer", [], {"answer_id": "x", "topic_faq": "eligibility"}, ("full", "eligibility")),
    ],
)
def test_button_intents_are_served_without_deciding_again(monkeypatch, intent, entities, slots, call):
    recording = RecordingService()
    monkeypatch.setattr(answer_module, "service", lambda: recording)
    dispatcher = CollectingDispatcher()
    ActionAnswer().run(dispatcher, button_tracker(intent, entities, slots), {})
    assert recording.calls == [call]
    assert dispatcher.messages[0]["buttons"] == [{"title": "有用", "payload": "/feedback"}]


def test_a_number_typed_where_no_channel_mapped_it_picks_the_offered_faq(monkeypatch):
    """Plain `rasa shell` (Rasa's cmdline channel) hands "2" to NLU as text."""
    recording = RecordingService()
    monkeypatch.setattr(answer_module, "service", lambda: recording)
    buttons = [
        {"title": "加强针怎么打？", "payload": '/choose_faq{"faq_id":"booster_schedule"}'},
        {"title": "加强针的接种对象有哪些人？", "payload": '/choose_faq{"faq_id":"booster_target"}'},
        {"title": "都不是", "payload": "/none_of_these"},
    ]
    events = [
        {"event": "user", "text": "加强"},
        {"event": "bot", "text": "您是想问", "data": {"buttons": buttons}},
        {"event": "user", "text": "2"},
    ]
    latest = {"text": "2", "intent": {"name": "nlu_fallback", "confidence": 0.3}, "entities": []}
    t = Tracker("u1", {}, latest, events, False, None, {}, "action_listen")
    ActionAnswer().run(CollectingDispatcher(), t, {})
    assert recording.calls == [("choose", "booster_target")]
    t = Tracker(
        "u1",
        {},
        dict(latest, text="3"),
        events[:-1] + [{"event": "user", "text": "3"}],
        False,
        None,
        {},
        "action_listen",
    )
    ActionAnswer().run(CollectingDispatcher(), t, {})
    assert recording.calls[-1] == ("none",)


def test_payload_parsing():
    from bot.answering.buttons import choose_faq_payload, parse_payload

    assert parse_payload(choose_faq_payload("booster_target")) == ("choose_faq", {"faq_id": "booster_target"})
    assert parse_payload("/none_of_these") == ("none_of_these", {})
    assert parse_payload("/choose_faq{oops") == (None, {}) and parse_payload("1") == (None, {})
