"""The process-wide answering service and its knowledge base (fast: no model)."""
import pytest

from bot.answering import service as service_module
from bot.answering.decide import AnswerKind
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
    service = AnsweringService(KnowledgeBase(tuple(faqs)), load_answering_settings(),
                               retriever_factory=lambda: None)
    assert set(service.faqs) == {f.id for f in faqs}
    reply = service.answer("加强针怎么打", {"intent": {"name": "faq", "confidence": 0.99},
                                      "response_selector": {"faq": {"ranking": [
                                          {"intent_response_key": "faq/booster_schedule", "confidence": 0.97}]}}})
    assert reply.decision.kind is AnswerKind.FAQ and reply.metadata["kind"] == "faq"
    assert reply.metadata["answer_id"] == "booster_schedule" and reply.metadata["retrieval"] == "unavailable"
