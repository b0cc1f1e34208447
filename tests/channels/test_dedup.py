"""The delivery memory shared by the WeCom and WeChat channels: the replay
window it must cover, and the Redis store against a real Redis (two store
objects stand for two server instances)."""

import asyncio
import logging
import socket
import uuid

import pytest

from bot.channels.dedup import (
    DedupBackend,
    MemorySeenStore,
    RedisSeenStore,
    backend_from,
    load_store,
    replay_window_problem,
)


def run(coro):
    return asyncio.run(coro)


def test_tolerance_may_be_at_most_half_the_memory():
    assert replay_window_problem(300, ttl=600) is None
    assert replay_window_problem(1, ttl=600) is None
    assert "at most 300" in replay_window_problem(301, ttl=600)
    assert "at most 50" in replay_window_problem(51, ttl=100)
    assert "at least 1" in replay_window_problem(0, ttl=600)


def test_a_replay_inside_the_window_is_still_remembered():
    """The worst case the bound is for: first seen with a timestamp `tolerance`
    in the future, replayed when the same timestamp is `tolerance` in the past."""
    tolerance, clock = 300, [0.0]
    store = MemorySeenStore(ttl=2 * tolerance, clock=lambda: clock[0])
    assert store.check_and_remember("msg:1")
    clock[0] = 2 * tolerance - 0.001
    assert not store.check_and_remember("msg:1")


def test_backend_names():
    assert backend_from(None) is DedupBackend.MEMORY and backend_from(" Redis ") is DedupBackend.REDIS
    with pytest.raises(ValueError, match="memory, redis"):
        backend_from("sqlite")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_redis_falls_back_to_this_process(caplog):
    store = RedisSeenStore("test", port=_closed_port())

    async def twice():
        try:
            return await store.first_seen("msg:1"), await store.first_seen("msg:1")
        finally:
            await store.close()

    with caplog.at_level(logging.ERROR, logger="bot.channels.dedup"):
        assert run(twice()) == (True, False)
    assert "unreachable" in caplog.text
    assert "password" not in repr(store).lower()


@pytest.fixture(scope="module")
def redis_env(store_env):
    # PostgreSQL and Redis from the session fixture (tests/conftest.py); only Redis is used here.
    return store_env


def _store(env, namespace: str, ttl: float = 600) -> RedisSeenStore:
    store = load_store(DedupBackend.REDIS, namespace, env, ttl=ttl)
    assert isinstance(store, RedisSeenStore)
    return store


def test_two_instances_share_the_memory(redis_env):
    namespace = f"test-{uuid.uuid4().hex[:8]}"

    async def scenario():
        first, second = _store(redis_env, namespace), _store(redis_env, namespace)
        try:
            results = [
                await first.first_seen("msg:42"),
                await second.first_seen("msg:42"),
                await first.first_seen("msg:42"),
                await second.first_seen("msg:43"),
            ]
            # Ten concurrent copies of one delivery, half on each instance: exactly one wins.
            racers = [store.first_seen("msg:44") for store in (first, second) * 5]
            return results, await asyncio.gather(*racers)
        finally:
            await first.close()
            await second.close()

    results, raced = run(scenario())
    assert results == [True, False, False, True]
    assert raced.count(True) == 1


def test_namespaces_do_not_collide(redis_env):
    suffix = uuid.uuid4().hex[:8]

    async def scenario():
        wecom, wechat = _store(redis_env, f"wecom-{suffix}"), _store(redis_env, f"wechat-{suffix}")
        try:
            return await wecom.first_seen("msg:1"), await wechat.first_seen("msg:1")
        finally:
            await wecom.close()
            await wechat.close()

    assert run(scenario()) == (True, True)


def test_keys_expire_with_the_ttl(redis_env):
    namespace = f"test-{uuid.uuid4().hex[:8]}"

    async def scenario():
        store = _store(redis_env, namespace, ttl=1)
        try:
            first = await store.first_seen("msg:1")
            again = await store.first_seen("msg:1")
            await asyncio.sleep(1.6)
            return first, again, await store.first_seen("msg:1")
        finally:
            await store.close()

    assert run(scenario()) == (True, False, True)


def test_wrong_password_is_logged_not_fatal(redis_env, caplog):
    env = dict(redis_env, BOT_REDIS_PASSWORD="not-the-password")

    async def scenario():
        store = _store(env, f"test-{uuid.uuid4().hex[:8]}")
        try:
            return await store.first_seen("msg:1"), await store.first_seen("msg:1")
        finally:
            await store.close()

    with caplog.at_level(logging.ERROR, logger="bot.channels.dedup"):
        assert run(scenario()) == (True, False)
    assert "unreachable" in caplog.text and "not-the-password" not in caplog.text
