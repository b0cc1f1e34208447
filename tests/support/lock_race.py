"""Provokes the ticket race of Rasa's Redis lock store on purpose, for
tests/rasa_ext/test_stores.py. Runs in the Rasa venv (it imports Rasa):

    .venv-rasa/bin/python -m tests.support.lock_race {stock|atomic}

with BOT_REDIS_* set. Prints JSON: the two tickets issued and the ticket
numbers stored afterwards.

Two stores (two Rasa instances) issue a ticket for one conversation. Store A
is held between reading the lock and saving it until store B has read it too,
or for one second when B cannot read (it waits for A's mutex). With Rasa's
own store both read the same empty lock every time, so the outcome is fixed,
not a matter of luck: they get the same ticket and one save overwrites the other.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import uuid

from rasa.core.lock_store import RedisLockStore

from bot.rasa_ext.stores import AtomicRedisLockStore

HOLD_SECONDS = 1.0


def connection() -> dict:
    return dict(
        host=os.environ["BOT_REDIS_HOST"],
        port=int(os.environ["BOT_REDIS_PORT"]),
        db=int(os.environ["BOT_REDIS_DB"]),
        password=os.environ["BOT_REDIS_PASSWORD"] or None,
        key_prefix="lockrace",
    )


def race(store_class) -> dict:
    conversation = f"race{uuid.uuid4().hex}"
    a, b = store_class(**connection()), store_class(**connection())
    a_has_read, b_has_read = threading.Event(), threading.Event()
    read_a, read_b, save_a = a.get_lock, b.get_lock, a.save_lock

    def a_reads(conversation_id):
        lock = read_a(conversation_id)
        a_has_read.set()
        return lock

    def b_reads(conversation_id):
        lock = read_b(conversation_id)
        b_has_read.set()
        return lock

    def a_saves(lock):
        b_has_read.wait(HOLD_SECONDS)
        save_a(lock)

    a.get_lock, b.get_lock, a.save_lock = a_reads, b_reads, a_saves
    tickets = {}
    first = threading.Thread(target=lambda: tickets.__setitem__("a", a.issue_ticket(conversation)))
    second = threading.Thread(target=lambda: tickets.__setitem__("b", b.issue_ticket(conversation)))
    first.start()
    a_has_read.wait(10)
    second.start()
    first.join(20)
    second.join(20)
    stored = read_a(conversation)
    a.delete_lock(conversation)
    return {
        "tickets": [tickets.get("a"), tickets.get("b")],
        "stored": sorted(t.number for t in stored.tickets) if stored else [],
    }


if __name__ == "__main__":
    kind = sys.argv[1]
    print(json.dumps(race({"stock": RedisLockStore, "atomic": AtomicRedisLockStore}[kind])))
