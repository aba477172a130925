"""The contact log and preferences in the database (revision 0004): append-only, both databases."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DBAPIError, IntegrityError

from negotiator.store import db as store_db
from negotiator.store.models import Contact, ContactPreference

NOW = dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC)
ROW = dict(account_id="A1", policy_name="us-card", channel="call", direction="outbound", at=NOW, utc_offset=-300,
           outcome="no_answer", person="borrower", recorded_by="agent", principal="agent:k1", recorded_at=NOW)
PREF = dict(account_id="A1", refused=["sms"], quiet=[], preferred=None, language=None, timezone=None,
            moratorium=False, recorded_by="agent", principal="agent:k1", recorded_at=NOW)


@pytest.fixture
def engine(database_url):
    eng = store_db.make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.mark.parametrize("table", ["contacts", "contact_preferences"])
@pytest.mark.parametrize("verb", ["UPDATE {t} SET principal = 'forged'", "DELETE FROM {t}"])
def test_the_contact_log_and_preferences_cannot_be_rewritten_or_deleted(engine, table, verb):
    with engine.begin() as conn:
        conn.execute(sa.insert(Contact), [ROW])
        conn.execute(sa.insert(ContactPreference), [PREF])
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql(verb.format(t=table))


def test_a_contact_cannot_be_replaced_on_sqlite(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    with engine.begin() as conn:
        conn.execute(sa.insert(Contact), [{**ROW, "contact_id": 1}])
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql("INSERT OR REPLACE INTO contacts (contact_id, account_id, policy_name, channel, "
                             "direction, at, utc_offset, outcome, person, recorded_by, principal, recorded_at) "
                             "VALUES (1, 'A1', 'us-card', 'sms', 'outbound', '2026-12-05 09:00:00', 0, "
                             "'no_answer', 'borrower', 'agent', 'mallory', '2026-12-05 09:00:00')")


@pytest.mark.parametrize("bad", [{"channel": "fax"}, {"outcome": "shouted"}, {"person": "neighbour"},
                                 {"direction": "sideways"}, {"utc_offset": 2000}])
def test_the_database_refuses_words_outside_the_contract(engine, bad):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(Contact), [{**ROW, **bad}])


def test_revision_0004_goes_down_and_up_again(empty_database_url):
    store_db.upgrade(empty_database_url)
    from alembic import command
    command.downgrade(store_db._alembic_config(empty_database_url), "0003")
    eng = store_db.make_engine(empty_database_url)
    try:
        assert "contacts" not in sa.inspect(eng).get_table_names()
    finally:
        eng.dispose()
    assert store_db.upgrade(empty_database_url) == ("0003", store_db.head_revision())


# --------------------------------------------------------------------------- paging (property)

@pytest.fixture(scope="module")
def log(tmp_path_factory):
    from negotiator.policy import PolicyRegistry
    from negotiator.store.contacts import ContactLog
    from negotiator.store.db import Database
    from negotiator.store.records import Records
    url = f"sqlite:///{tmp_path_factory.mktemp('paging') / 'store.sqlite3'}"
    store_db.upgrade(url)
    db = Database.open(url)
    yield ContactLog(Records(db, PolicyRegistry.load(), clock=lambda: NOW))
    db.dispose()


_SEEN = [0]


@settings(max_examples=30, deadline=None)
@given(minutes=st.lists(st.integers(0, 5), min_size=0, max_size=12), limit=st.integers(1, 5))
def test_every_contact_is_on_exactly_one_page_newest_first(log, minutes, limit):
    """Contacts at equal times included: the cursor (time, id) never skips nor repeats one."""
    from negotiator.store.records import Caller
    _SEEN[0] += 1
    account = f"P{_SEEN[0]}"
    staff = Caller("agent", "agent:test")
    made = []
    for m in minutes:
        at = (NOW - dt.timedelta(minutes=m)).astimezone(dt.timezone(dt.timedelta(hours=8)))
        made.append(log.record({"account_id": account, "policy": "cn-card", "channel": "sms",
                                "direction": "outbound", "at": at.isoformat(), "outcome": "message_left"},
                               staff, None))
    seen, cursor = [], None
    while True:
        page = log.page(account, staff, limit, cursor)
        assert len(page["contacts"]) <= limit
        seen += page["contacts"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(c["contact_id"] for c in seen) == sorted(c["contact_id"] for c in made)
    keys = [(dt.datetime.fromisoformat(c["at"]), int(c["contact_id"])) for c in seen]
    assert keys == sorted(keys, reverse=True)
