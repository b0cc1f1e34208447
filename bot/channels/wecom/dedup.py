"""Suppressing repeated deliveries of one callback.

WeCom re-sends a callback it believes went unanswered (up to three times, a few
seconds apart), and a retry can arrive while the first copy is still being
answered. Answering each copy would send the user the same reply several times,
so the channel asks a SeenStore whether a delivery key is new before it answers.

The in-memory store only sees its own process. Several server instances behind
a load balancer need a shared store, e.g. Redis `SET key 1 NX EX ttl`; anything
with an async `first_seen(key) -> bool` plugs in through the `dedup_store`
setting (see docs/channels.md).
"""
from __future__ import annotations

import importlib
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, Optional, Protocol


class SeenStore(Protocol):
    async def first_seen(self, key: str) -> bool:
        """True exactly once per key while the key is remembered."""


class MemorySeenStore:
    """Bounded, time-limited memory of delivery keys for a single process."""

    def __init__(self, ttl: float = 600.0, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
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


def load_store(class_path: Optional[str], options: Optional[Dict[str, Any]] = None) -> SeenStore:
    """The store named in the channel settings, or the in-memory default."""
    if not class_path:
        return MemorySeenStore(**(options or {}))
    module_name, _, class_name = class_path.rpartition(".")
    store_class = getattr(importlib.import_module(module_name), class_name)
    return store_class(**(options or {}))
