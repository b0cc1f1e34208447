"""Suppressing repeated deliveries of one callback, for WeCom and WeChat alike.

Both platforms re-send a callback they believe went unanswered (WeChat three
times at five-second intervals, WeCom up to three times), and a retry can
arrive while the first copy is still being answered. Answering each copy would
send the user the same reply several times, so a channel asks a SeenStore
whether a delivery key (the MsgId) is new before it answers.

The same memory stops replays: a captured, correctly signed callback is only
accepted while its signed timestamp is within the channel's tolerance, and
within that window its MsgId is remembered. That holds only if the memory
lasts at least twice the tolerance (a timestamp may be up to `tolerance` in the
future at the first delivery and up to `tolerance` in the past at the replay),
which `replay_window_problem` checks when a channel's settings are read.

Two stores:
- MEMORY: one process. Enough for a single server.
- REDIS: `SET key 1 NX EX ttl`, shared by every instance that uses the same
  Redis, so a retry or replay that a load balancer sends to another instance is
  still answered once. Connection settings come from the BOT_REDIS_* variables
  that endpoints.scale-out.yml (the lock store) and scripts/services.sh use.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from enum import Enum
from typing import Any, Callable, Mapping, Optional, Protocol

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 600
DEFAULT_MAX_ENTRIES = 10_000
REDIS_KEY_PREFIX = "vaccinefaq:seen"
# A turn must not wait on a slow Redis for long: WeChat's whole window is 5 s.
REDIS_TIMEOUT_SECONDS = 1.0


class DedupBackend(str, Enum):
    MEMORY = "memory"
    REDIS = "redis"


class SeenStore(Protocol):
    ttl: float

    async def first_seen(self, key: str) -> bool:
        """True exactly once per key while the key is remembered."""


class MemorySeenStore:
    """Bounded, time-limited memory of delivery keys for a single process."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl <= 0 or max_entries <= 0:
            raise ValueError("ttl and max_entries must be positive")
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._seen: "OrderedDict[str, float]" = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def _forget_old(self, now: float) -> None:
        # Keys go in with the current time and never move, so the oldest is first.
        while self._seen:
            key, at = next(iter(self._seen.items()))
            if now - at < self.ttl and len(self._seen) <= self.max_entries:
                break
            self._seen.popitem(last=False)

    def check_and_remember(self, key: str) -> bool:
        now = self._clock()
        self._forget_old(now)
        if key in self._seen:
            return False
        self._seen[key] = now
        self._forget_old(now)
        return True

    async def first_seen(self, key: str) -> bool:
        return self.check_and_remember(key)


class RedisSeenStore:
    """Delivery keys in Redis, shared by every instance pointed at it.

    When Redis cannot be reached the store falls back to this process's own
    memory and logs an error: retries to the same instance are still caught,
    and users still get answers, rather than every message being dropped.
    """

    def __init__(
        self,
        namespace: str,
        host: str = "127.0.0.1",
        port: int = 6379,
        db: int = 0,
        password: Optional[str] = None,
        ttl: float = DEFAULT_TTL_SECONDS,
        client: Any = None,
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self.ttl = ttl
        self.prefix = f"{REDIS_KEY_PREFIX}:{namespace}:"
        self._fallback = MemorySeenStore(ttl=ttl)
        if client is None:
            # Imported here: only deployments that ask for Redis need the package.
            import redis.asyncio

            client = redis.asyncio.Redis(
                host=host,
                port=port,
                db=db,
                password=password or None,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
        self._redis = client

    def __repr__(self) -> str:  # the client's repr would show the password
        return f"RedisSeenStore(prefix={self.prefix!r}, ttl={self.ttl})"

    async def first_seen(self, key: str) -> bool:
        try:
            created = await self._redis.set(self.prefix + key, b"1", nx=True, ex=int(self.ttl))
        except Exception as exc:  # redis raises many kinds; none may cost the user an answer
            logger.error("dedup store unreachable (%s); using this process's memory", type(exc).__name__)
            return self._fallback.check_and_remember(key)
        return bool(created)

    async def close(self) -> None:
        await self._redis.close()


def backend_from(value: Any) -> DedupBackend:
    """The backend named in settings; ValueError (with the choices) for anything else."""
    try:
        return DedupBackend(str(value or DedupBackend.MEMORY.value).strip().lower())
    except ValueError:
        choices = ", ".join(b.value for b in DedupBackend)
        raise ValueError(f"dedup_store must be one of: {choices}") from None


def load_store(
    backend: DedupBackend, namespace: str, environ: Mapping[str, str], ttl: float = DEFAULT_TTL_SECONDS
) -> SeenStore:
    """The store a channel's settings ask for; Redis reads BOT_REDIS_{HOST,PORT,DB,PASSWORD}."""
    if backend is DedupBackend.MEMORY:
        return MemorySeenStore(ttl=ttl)
    return RedisSeenStore(
        namespace,
        host=environ.get("BOT_REDIS_HOST") or "127.0.0.1",
        port=int(environ.get("BOT_REDIS_PORT") or 6379),
        db=int(environ.get("BOT_REDIS_DB") or 0),
        password=environ.get("BOT_REDIS_PASSWORD") or None,
        ttl=ttl,
    )


def replay_window_problem(timestamp_tolerance: int, ttl: float = DEFAULT_TTL_SECONDS) -> Optional[str]:
    """Why a tolerance is unsafe with this memory, or None.

    A callback is accepted while |now - timestamp| <= tolerance, so its first
    delivery and a replay can be up to 2 × tolerance apart; the delivery memory
    must still hold the MsgId then, or the replay would be answered again.
    """
    if timestamp_tolerance < 1:
        return "timestamp_tolerance must be at least 1 second"
    limit = int(ttl // 2)
    if timestamp_tolerance > limit:
        return (
            f"timestamp_tolerance must be at most {limit} s (half of the {int(ttl)} s "
            f"duplicate memory), or a replay could outlive it"
        )
    return None
