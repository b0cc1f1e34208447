"""Reading Rasa's SQL tracker store, SQLite or PostgreSQL, with one code path.

Rasa's SQLTrackerStore keeps one row per event in the table `events`
(id, sender_id, type_name, timestamp, intent_name, action_name, data), where
`data` is the event's full JSON. Only the rows are read; no Rasa import, so
the report runs in the main environment. The id orders a conversation's
events as Rasa wrote them.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

from bot.paths import PROJECT_ROOT

logger = logging.getLogger(__name__)

DEFAULT_DB = PROJECT_ROOT / "state" / "conversations.db"
# A URL with a password is better kept out of argv (`ps` shows it): the
# environment variable is read when --db is not given.
DB_URL_ENV = "BOT_REPORT_DB_URL"
READ_TYPES = ("user", "bot", "action", "session_started")


class StoreError(RuntimeError):
    """The tracker store cannot be read; the message says why in plain words."""


@dataclass(frozen=True)
class StoredEvent:
    sender_id: str
    type_name: str
    timestamp: float
    intent_name: Optional[str]
    action_name: Optional[str]
    data: dict


def database_url(db: Optional[str] = None) -> str:
    """An SQLAlchemy URL from a URL, a file path, BOT_REPORT_DB_URL, or the default SQLite file."""
    db = db or os.environ.get(DB_URL_ENV) or str(DEFAULT_DB)
    if "://" in db:
        return db
    path = Path(db).expanduser().resolve()
    if not path.is_file():
        raise StoreError(
            f"没有找到对话数据库 {path}（tracker store file not found; start the bot with "
            f"`make run` first, or pass --db）"
        )
    return f"sqlite:///{path}"


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def read_events(
    db: Optional[str] = None, since: Optional[float] = None, until: Optional[float] = None
) -> Iterator[StoredEvent]:
    """Events with since <= timestamp < until (unix seconds), per sender in
    the order Rasa wrote them. Rows whose JSON is unreadable are skipped
    with a warning rather than ending the report."""
    import sqlalchemy as sa

    url = database_url(db)
    try:
        engine = sa.create_engine(url)
    except Exception as exc:  # unknown dialect, missing driver: say which URL
        raise StoreError(f"cannot open {_safe(url)}: {exc}") from exc
    clauses = ["type_name IN :types"]
    params: Dict[str, Any] = {"types": READ_TYPES}
    if since is not None:
        clauses.append("timestamp >= :since")
        params["since"] = since
    if until is not None:
        clauses.append("timestamp < :until")
        params["until"] = until
    query = sa.text(
        "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events "
        f"WHERE {' AND '.join(clauses)} ORDER BY sender_id, id"
    ).bindparams(sa.bindparam("types", expanding=True))
    skipped = 0
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("events"):
                raise StoreError(f"{_safe(url)} has no `events` table: is it a Rasa SQL tracker store?")
            for row in conn.execute(query, params):
                try:
                    data = json.loads(row.data) if row.data else {}
                except (TypeError, ValueError):
                    skipped += 1
                    continue
                yield StoredEvent(
                    row.sender_id,
                    row.type_name,
                    float(row.timestamp or 0.0),
                    row.intent_name,
                    row.action_name,
                    data if isinstance(data, dict) else {},
                )
    except StoreError:
        raise
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot read {_safe(url)}: {exc.__class__.__name__}: {exc}") from exc
    finally:
        engine.dispose()
    if skipped:
        logger.warning("skipped %d events with unreadable JSON", skipped)
