"""Rasa's PostgreSQL tracker store and Redis lock store, fixed for several
Rasa servers sharing them (endpoints.scale-out.yml, docs/deployment.md).

Both classes keep the stock stores' configuration keys, so switching back is
a one-line change of `type:` once Rasa fixes the two problems below. Both
were measured with two Rasa 3.6.21 servers (tests/e2e/test_scale_out.py):

ReconnectingSQLTrackerStore
    Rasa builds the SQL store's engine without `pool_pre_ping` and has no
    setting for it (only SQL_POOL_SIZE, SQL_MAX_OVERFLOW, POSTGRESQL_SCHEMA).
    After PostgreSQL restarts, every pooled connection is dead, so the first
    turn on each instance fails to read its tracker. FailSafeTrackerStore
    turns that into "no tracker": the turn is answered without history, and
    since the fresh tracker holds fewer events than the stored session,
    SQLTrackerStore.save() writes none of them. The client gets a 200 and
    the turn is gone. Pinging connections as they leave the pool (one round
    trip per checkout) replaces dead ones before Rasa sees them.

AtomicRedisLockStore
    RedisLockStore issues and returns tickets with a plain GET, change in
    Python, SET. Two processes issuing a ticket for the same conversation at
    once can both read the same lock: they get the same ticket number, or
    one overwrites the other's ticket, and two turns then run at the same
    time; the SQL store drops the events of the later save. Sending ten
    messages at once, five to each of two instances, lost one or two user
    messages in three runs out of eight. Each read-modify-write here runs
    under a short Redis mutex per conversation (SET NX with expiry, released
    by token), so tickets are issued and removed one at a time.

Rasa loads custom stores by module path: the Rasa process needs the project
on PYTHONPATH. It falls back to an in-memory tracker store with only a
warning when it cannot import a custom tracker store, which would split
conversations between instances; the scale-out tests would catch that.
"""

from __future__ import annotations

from typing import Any, Optional, Text

import sqlalchemy as sa
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.orm import sessionmaker

# A mutex is held for a few Redis round trips; the expiry only matters when
# its holder dies inside that window.
MUTEX_EXPIRY_SECONDS = 10.0
MUTEX_WAIT_SECONDS = 10.0


class ReconnectingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rasa is untyped here (and absent from the type-checking venv).
        parent_engine: sa.engine.Engine = self.engine  # type: ignore[has-type]
        url = parent_engine.url
        engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        # The parent's engine has only created the tables by now.
        parent_engine.dispose()
        self.engine = engine
        self.sessionmaker = sessionmaker(bind=engine)


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        # Rasa hands a custom lock store its whole endpoint config; the stock
        # Redis store takes the URL as `host` and the rest as keywords.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _mutex(self, conversation_id: Text):
        # Outside the "<prefix>lock:" key space, so no conversation id can collide with it.
        return self.red.lock(
            "mutex:" + self.key_prefix + conversation_id,
            timeout=MUTEX_EXPIRY_SECONDS,
            blocking_timeout=MUTEX_WAIT_SECONDS,
            sleep=0.005,
        )

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # Removing the ticket and deleting the lock when nobody waits must be
        # one step, or a ticket issued in between is deleted with the lock.
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
