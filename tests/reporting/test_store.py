"""Reading Rasa's SQL tracker store: SQLite, and PostgreSQL through the same code."""

import os
import sqlite3

import pytest

from bot.reporting.conversations import conversations
from bot.reporting.store import StoreError, database_url, read_events
from tests.support.tracker_store import ALICE, at, scripted_conversations, write_conversations


def test_reads_rasa_rows_in_order_per_sender(scripted_store):
    events = list(read_events(str(scripted_store)))
    senders = [e.sender_id for e in events]
    assert senders == sorted(senders)  # grouped by sender
    alice = [e for e in events if e.sender_id == ALICE]
    assert [e.type_name for e in alice].count("session_started") == 2
    user = next(e for e in alice if e.type_name == "user")
    assert (user.data["text"], user.intent_name) == ("你好", "greet")
    assert all(e.type_name in ("user", "bot", "action", "session_started") for e in events)


def test_time_window_is_half_open(scripted_store):
    events = list(read_events(str(scripted_store), since=at(3, 0), until=at(4, 0)))
    assert events and all(at(3, 0) <= e.timestamp < at(4, 0) for e in events)
    assert {e.sender_id for e in events} == {"web-9f1c-wangwu", "wecom-zhaoliu"}


def test_missing_file_and_foreign_database_are_reported_plainly(tmp_path):
    with pytest.raises(StoreError, match="没有找到对话数据库"):
        database_url(str(tmp_path / "nope.db"))
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="no `events` table"):
        list(read_events(str(other)))


def test_unreadable_json_rows_are_skipped(scripted_store, tmp_path):
    broken = tmp_path / "broken.db"
    broken.write_bytes(scripted_store.read_bytes())
    with sqlite3.connect(broken) as db:
        db.execute(
            "UPDATE events SET data = '{not json' WHERE id = (SELECT min(id) FROM events WHERE type_name='user')"
        )
    assert len(list(read_events(str(broken)))) == len(list(read_events(str(scripted_store)))) - 1


def test_url_from_the_environment(monkeypatch, scripted_store):
    monkeypatch.setenv("BOT_REPORT_DB_URL", f"sqlite:///{scripted_store}")
    assert database_url() == f"sqlite:///{scripted_store}"


@pytest.mark.slow
def test_postgresql_through_the_same_code(scripted_store):
    from tests.e2e.test_scale_out import parse_env, services

    started = services("start")
    if started.returncode != 0:
        reason = f"scripts/services.sh start failed:\n{started.stderr[-2000:]}"
        if os.geteuid() != 0 and os.environ.get("CI", "").lower() not in ("1", "true"):
            pytest.skip(reason)
        pytest.fail(reason)
    env = parse_env(started.stdout)
    import uuid

    import sqlalchemy as sa

    # A schema of its own (Rasa's POSTGRESQL_SCHEMA), so reruns and the
    # scale-out tests never mix rows with this one.
    schema = f"report_{uuid.uuid4().hex[:8]}"
    base = (
        f"postgresql://{env['BOT_PG_USER']}:{env['BOT_PG_PASSWORD']}@{env['BOT_PG_HOST']}:"
        f"{env['BOT_PG_PORT']}/{env['BOT_PG_DB']}"
    )
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        write_conversations(
            {
                "dialect": "postgresql",
                "host": env["BOT_PG_HOST"],
                "port": int(env["BOT_PG_PORT"]),
                "db": env["BOT_PG_DB"],
                "username": env["BOT_PG_USER"],
                "password": env["BOT_PG_PASSWORD"],
            },
            scripted_conversations(),
            env={"POSTGRESQL_SCHEMA": schema},
        )
        url = f"{base}?options=-csearch_path%3D{schema}"
        from_pg = conversations(read_events(url))
        from_sqlite = conversations(read_events(str(scripted_store)))
        assert [(c.sender_id, [(t.text, t.kind) for t in c.turns]) for c in from_pg] == [
            (c.sender_id, [(t.text, t.kind) for t in c.turns]) for c in from_sqlite
        ]
        assert len(from_pg) == 5
        # The password never appears in an error message about the URL.
        from bot.reporting.store import StoreError

        with pytest.raises(StoreError) as err:
            list(read_events(base.replace(env["BOT_PG_DB"], "no_such_db")))
        assert env["BOT_PG_PASSWORD"] not in str(err.value)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
