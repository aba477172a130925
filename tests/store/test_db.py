"""The store itself, on SQLite and on a real PostgreSQL: URLs, migrations, the rules held by the database."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import sqlalchemy as sa
from service.conftest import ROOT, make_config  # tests/ is on sys.path (rootdir conftest)
from sqlalchemy.exc import DBAPIError, IntegrityError

from negotiator.core.errors import StoreError
from negotiator.service import ConfigError, create_app
from negotiator.store import db as store_db
from negotiator.store.models import Base

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_embedded_default_is_a_sqlite_file_in_the_data_folder(tmp_path):
    assert store_db.resolve_url("", str(tmp_path)) == f"sqlite:///{tmp_path}/negotiator.sqlite3"
    env = {"NEGOTIATOR_DATA_DIR": str(tmp_path / "d")}
    assert store_db.resolve_url("", "", env) == f"sqlite:///{tmp_path}/d/negotiator.sqlite3"
    assert store_db.resolve_url("", "", {"XDG_DATA_HOME": str(tmp_path)}).endswith("/negotiator/negotiator.sqlite3")


@pytest.mark.parametrize("url", ["not a url", "mysql://u@h/db", "://"])
def test_a_bad_database_url_stops_the_start_naming_the_variable(url):
    with pytest.raises(ConfigError, match="NEGOTIATOR_DATABASE_URL"):
        make_config(database_url=url).checked()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(database_url):
    engine = store_db.make_engine(database_url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        else:
            assert conn.exec_driver_sql("SHOW server_version").scalar().startswith("16")
    engine.dispose()


def test_upgrade_brings_an_empty_database_to_head_and_check_says_so(empty_database_url):
    head = store_db.head_revision()
    assert store_db.revision_status(empty_database_url) == (None, head)
    with pytest.raises(StoreError, match="negotiator db upgrade"):
        store_db.check_at_head(empty_database_url)
    assert store_db.upgrade(empty_database_url) == (None, head)
    store_db.check_at_head(empty_database_url)
    assert store_db.upgrade(empty_database_url) == (head, head)   # again: nothing to do


def test_the_migrations_create_exactly_the_models(database_url):
    """A model changed without a migration (or the reverse) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    engine = store_db.make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_the_service_refuses_a_schema_not_at_head_saying_what_to_run(empty_database_url):
    with pytest.raises(ConfigError, match=r"NEGOTIATOR_DATABASE_URL.*run `negotiator db upgrade`"):
        create_app(make_config(database_url=empty_database_url))


def test_the_service_starts_without_a_store_when_it_is_off(empty_database_url):
    app = create_app(make_config(database_url=empty_database_url, store=False))
    assert app.extensions["negotiator"]["records"] is None


def test_db_commands(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "NEGOTIATOR_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "negotiator.cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    first = run("db", "check")
    assert first.returncode == 5 and "empty" in first.stdout
    up = run("db", "upgrade")
    assert up.returncode == 0 and "-> 0006 (head)" in up.stdout
    assert run("db", "check").returncode == 0
    bad = run("db", "purge", "--before", "yesterday")
    assert bad.returncode == 2 and "--before" in bad.stderr
    review = run("arrangements", "review")                                  # as of today
    assert review.returncode == 0 and '"broken": 0' in review.stdout
    assert (tmp_path / "negotiator.sqlite3").exists()


# --------------------------------------------------------------------------- rules the database holds

def _arrangement(aid: str, account: str, status: str = "active", **over) -> dict:
    row = dict(arrangement_id=aid, account_id=account, quote_id="q1", option_id="o", option_type="instalment",
               approval="none", channel="agent", accepted_by="a1", status=status, currency="CNY", digits=2,
               policy_name="default", policy_version="1", starts_on=dt.date(2026, 11, 23),
               first_due=dt.date(2026, 12, 23), last_due=dt.date(2027, 1, 23), monthly_payment=100,
               total_payable=200, paid_total=0, term_months=2, grace_days=14, missed_allowed=1,
               created_at=NOW, updated_at=NOW)
    row.update(over)
    return row


@pytest.fixture
def engine(database_url):
    from negotiator.store.models import Quote
    eng = store_db.make_engine(database_url)
    with eng.begin() as conn:
        conn.execute(sa.insert(Quote), [dict(
            quote_id="q1", channel="agent", account_id="A1", policy_name="default", policy_version="1",
            currency="CNY", as_of=dt.date(2026, 11, 23), request={}, response={}, created_at=NOW,
            expires_at=NOW)])
    yield eng
    eng.dispose()


def test_one_live_arrangement_per_account_is_a_database_rule(engine):
    from negotiator.store.models import Arrangement
    with engine.begin() as conn:
        conn.execute(sa.insert(Arrangement), [_arrangement("a1", "A1")])
        conn.execute(sa.insert(Arrangement), [_arrangement("a0", "A1", "broken")])      # not live: fine
        conn.execute(sa.insert(Arrangement), [_arrangement("a2", "A2", "pending_approval")])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(Arrangement), [_arrangement("a3", "A1", "pending_approval")])


@pytest.mark.parametrize("over", [{"status": "at_risk"}, {"total_payable": 0}, {"paid_total": 201},
                                  {"channel": "fax"}, {"quote_id": "no-such-quote"}])
def test_the_database_refuses_impossible_arrangements(engine, over):
    from negotiator.store.models import Arrangement
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(Arrangement), [_arrangement("a1", "A1", **over)])


def test_a_payment_of_zero_and_a_reference_twice_are_refused_by_the_database(engine):
    from negotiator.store.models import Arrangement, Payment
    with engine.begin() as conn:
        conn.execute(sa.insert(Arrangement), [_arrangement("a1", "A1")])
    pay = dict(arrangement_id="a1", reference="R1", amount=100, paid_on=dt.date(2026, 12, 1), channel="agent",
               recorded_at=NOW)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(Payment), [{**pay, "amount": 0}])
    with engine.begin() as conn:
        conn.execute(sa.insert(Payment), [pay])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(Payment), [pay])


@pytest.mark.parametrize("statement", ["UPDATE events SET actor = 'someone else'", "DELETE FROM events"])
def test_events_cannot_be_rewritten_or_deleted(engine, statement):
    from negotiator.store.models import Event
    with engine.begin() as conn:
        conn.execute(sa.insert(Event), [dict(type="quote_issued", at=NOW, channel="agent", actor="a1",
                                             quote_id="q1")])
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql(statement)
    with engine.connect() as conn:
        assert conn.execute(sa.select(Event.actor)).scalars().all() == ["a1"]


def test_times_come_back_in_utc(engine):
    from negotiator.store.models import Quote
    with engine.connect() as conn:
        created = conn.execute(sa.select(Quote.created_at)).scalar_one()
    assert created == NOW and created.tzinfo is not None


def _replace_statements(dialect: str) -> list[str]:
    """Statements that would overwrite an event in place (issue 19, item 9: SQLite's INSERT OR REPLACE)."""
    values = "(1, 'accepted', '2026-11-23 09:00:00', 'agent', 'mallory', 'q1')"
    cols = "(event_id, type, at, channel, actor, quote_id)"
    if dialect == "sqlite":
        return [f"INSERT OR REPLACE INTO events {cols} VALUES {values}", f"REPLACE INTO events {cols} VALUES {values}"]
    return [f"INSERT INTO events {cols} VALUES {values} ON CONFLICT (event_id) DO UPDATE SET actor = 'mallory'"]


def test_an_event_cannot_be_replaced_either(engine):
    from negotiator.store.models import Event
    with engine.begin() as conn:
        conn.execute(sa.insert(Event), [dict(event_id=1, type="quote_issued", at=NOW, channel="agent", actor="a1",
                                             quote_id="q1")])
    for statement in _replace_statements(engine.dialect.name):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(statement)
    with engine.connect() as conn:
        assert conn.execute(sa.select(Event.type, Event.actor)).all() == [("quote_issued", "a1")]


def test_revision_0002_keeps_old_events_and_their_guard(empty_database_url):
    """An event written at 0001 comes through 0002 with no principal; the append-only triggers still hold."""
    from negotiator.store.models import Event
    store_db.upgrade(empty_database_url, "0001")
    eng = store_db.make_engine(empty_database_url)
    try:
        with eng.begin() as conn:
            conn.exec_driver_sql("INSERT INTO events (type, at, channel, actor) "
                                 "VALUES ('quote_issued', '2026-11-23 09:00:00', 'agent', 'agent:old')")
        assert store_db.upgrade(empty_database_url) == ("0001", store_db.head_revision())
        with eng.connect() as conn:
            assert conn.execute(sa.select(Event.actor, Event.principal)).all() == [("agent:old", None)]
        with pytest.raises(DBAPIError, match="append-only"), eng.begin() as conn:
            conn.exec_driver_sql("UPDATE events SET principal = 'forged'")
    finally:
        eng.dispose()


def test_revision_0006_adds_the_trace_ids_keeps_old_events_and_their_guard(empty_database_url):
    """Events written before 0006 have no trace ids; 0006 goes down and up again; rows stay append-only."""
    from alembic import command

    from negotiator.store.models import Event
    store_db.upgrade(empty_database_url, "0004")
    eng = store_db.make_engine(empty_database_url)
    try:
        with eng.begin() as conn:
            conn.exec_driver_sql("INSERT INTO events (type, at, channel, actor) "
                                 "VALUES ('quote_issued', '2026-11-23 09:00:00', 'agent', 'agent:old')")
        assert store_db.upgrade(empty_database_url) == ("0004", store_db.head_revision())
        with eng.connect() as conn:
            assert conn.execute(sa.select(Event.actor, Event.trace_id, Event.span_id)).all() == [
                ("agent:old", None, None)]
        with pytest.raises(DBAPIError, match="append-only"), eng.begin() as conn:
            conn.exec_driver_sql("UPDATE events SET trace_id = 'forged'")
        command.downgrade(store_db._alembic_config(empty_database_url), "0004")
        columns = {c["name"] for c in sa.inspect(eng).get_columns("events")}
        assert "trace_id" not in columns and "span_id" not in columns
        with pytest.raises(DBAPIError, match="append-only"), eng.begin() as conn:
            conn.exec_driver_sql("UPDATE events SET actor = 'forged'")
        assert store_db.upgrade(empty_database_url) == ("0004", store_db.head_revision())
    finally:
        eng.dispose()


def test_the_sqlite_file_is_its_owners_alone(tmp_path):
    """Issue 19, item 9: negotiator.sqlite3 was made 0644; now 0600, its WAL files too."""
    import os
    import stat
    old = os.umask(0o022)
    try:
        url = store_db.resolve_url("", str(tmp_path / "data"))
        store_db.upgrade(url)
    finally:
        os.umask(old)
    files = list((tmp_path / "data").iterdir())
    assert any(f.name == "negotiator.sqlite3" for f in files)
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) & 0o077 == 0, (f.name, oct(f.stat().st_mode))


def test_a_writer_waits_for_the_write_lock_in_short_pauses_then_gives_up(tmp_path):
    import sqlite3
    import threading
    import time

    url = f"sqlite:///{tmp_path / 'lock.sqlite3'}"
    store_db.upgrade(url)
    db = store_db.Database.open(url)
    holder = sqlite3.connect(tmp_path / "lock.sqlite3", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.02, lambda: holder.execute("COMMIT")).start()
    try:
        with db.own_connection() as conn:
            cur = conn.cursor()
            t0 = time.perf_counter()
            store_db.begin_immediate(cur)   # taken once the holder commits, within a pause of it
            waited = time.perf_counter() - t0
            cur.execute("COMMIT")
            assert 0.015 < waited < 0.5
            assert cur.execute("PRAGMA busy_timeout").fetchone() == (store_db.BUSY_TIMEOUT_S * 1000,)
            holder.execute("BEGIN IMMEDIATE")
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                store_db.begin_immediate(cur, timeout=0.01)
            holder.execute("COMMIT")
            assert cur.execute("PRAGMA busy_timeout").fetchone() == (store_db.BUSY_TIMEOUT_S * 1000,)
    finally:
        holder.close()
        db.dispose()


def test_a_kept_quote_is_read_back_by_another_worker_as_soon_as_it_is_kept(database_url):
    """Read-after-answer: the quote's transaction has committed when keep_quote returns, on the writer's own
    connection; another process's store (another Database) reads it at once."""
    import json

    from negotiator.engine.quote import quote
    from negotiator.policy import PolicyRegistry
    from negotiator.store.records import Caller, Records

    registry = PolicyRegistry.load(None)
    body = json.loads((ROOT / "examples" / "requests" / "card_cny.json").read_text(encoding="utf-8"))
    body["account"]["account_id"] = "acc-read-after"
    writer = Records(store_db.Database.open(database_url), registry)
    reader = Records(store_db.Database.open(database_url), registry)
    caller = Caller("agent", "agent:test")
    try:
        for day in (1, 2, 3):
            answer = quote(body, registry, today=dt.date(2026, 11, day))
            writer.keep_quote(answer, body, caller, f"r{day}")
            stored = reader.get_quote(answer["quote_id"], caller)
            assert {k: stored[k] for k in answer} == answer and stored["account_id"] == "acc-read-after"
        writer.keep_quote(answer, body, caller, "again")   # the same quote again: its expiry restarts
        assert reader.history("acc-read-after", dt.date(2026, 11, 3)) == ([], [], [])
    finally:
        writer.db.dispose()
        reader.db.dispose()
