"""Resolving a typed choice against the tracker store (bot/channels/choices.py).
The store here is a minimal in-memory one with Rasa's retrieve() signature; the
real SQL store is exercised by tests/e2e/test_clarify.py."""

import asyncio

from bot.channels.choices import chosen_payload, with_choice

BUTTONS = [
    {"title": "加强针怎么打？", "payload": '/choose_faq{"faq_id":"booster_schedule"}'},
    {"title": "都不是", "payload": "/none_of_these"},
]


class Tracker:
    def __init__(self, events):
        self.events = events


class Store:
    def __init__(self, trackers, broken=False):
        self.trackers, self.broken, self.reads = trackers, broken, 0

    async def retrieve(self, sender_id):
        self.reads += 1
        if self.broken:
            raise RuntimeError("database is locked")
        return self.trackers.get(sender_id)


class Agent:
    def __init__(self, store):
        self.tracker_store = store


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_number_after_buttons_becomes_the_payload():
    events = [{"event": "user", "text": "加强"}, {"event": "bot", "text": "您是想问", "data": {"buttons": BUTTONS}}]
    agent = Agent(Store({"u": Tracker(events)}))
    assert run(with_choice(agent, "u", "1")) == BUTTONS[0]["payload"]
    assert run(with_choice(agent, "u", "都不是")) == "/none_of_these"
    assert run(with_choice(agent, "u", "3")) == "3"  # no third option: left to NLU as text


def test_questions_and_unknown_conversations_pass_unchanged():
    store = Store({})
    agent = Agent(store)
    assert run(with_choice(agent, "u", "加强针第三针什么时候打呢")) == "加强针第三针什么时候打呢"
    assert store.reads == 0  # long text is never looked up
    assert run(with_choice(agent, "nobody", "1")) == "1"
    assert run(with_choice(None, "u", "1")) == "1"


def test_a_broken_store_keeps_the_message():
    assert run(chosen_payload(Agent(Store({}, broken=True)), "u", "1")) is None
