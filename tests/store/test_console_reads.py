"""The console's reads, on SQLite and PostgreSQL: an account's last quote (what the record already knows), a
stored quote with its request, the supervisors' queue, and a replacement's reason kept in the trail."""

from __future__ import annotations

import datetime as dt

import pytest

from negotiator.core.errors import RecordError
from negotiator.engine.proposals import reissue
from negotiator.engine.quote import quote
from negotiator.store.db import Database
from negotiator.store.records import Caller, Records

STAFF = Caller("agent", "console:agent-7")
PORTAL = Caller("portal", "portal:i_1", frozenset({"portal"}))
CLOCK = [dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)]


@pytest.fixture
def records(database_url, registry):
    db = Database.open(database_url)
    yield Records(db, registry, clock=lambda: CLOCK[0], requote=lambda req, ch: reissue(req, registry, ch))
    db.engine.dispose()


def _quoted(records, registry, body, caller=STAFF, **over) -> dict:
    req = {**body, "account": {**body["account"], "account_id": "ACC-1"}, "as_of": "2026-11-23", **over}
    answer = quote(req, registry, channel=caller.channel, today=dt.date(2026, 11, 23))
    records.keep_quote(answer, req, caller, None)
    CLOCK[0] += dt.timedelta(seconds=1)
    return answer


def test_the_last_quote_is_the_newest_with_its_request(records, registry, body):
    assert records.last_quote("ACC-1", STAFF) is None
    _quoted(records, registry, body)
    newer = _quoted(records, registry, body, finances={**body["finances"], "monthly_income": "9000.00"})
    last = records.last_quote("ACC-1", STAFF)
    assert last["quote_id"] == newer["quote_id"]
    assert last["request"]["finances"]["monthly_income"] == "9000.00"
    assert last["request"]["account"]["account_id"] == "ACC-1"
    assert records.last_quote("ACC-1", PORTAL) is None          # the portal sees its own quotes only
    assert records.last_quote("ACC-2", STAFF) is None


def test_a_stored_quote_comes_with_its_request_and_unknown_is_404(records, registry, body):
    answer = _quoted(records, registry, body)
    stored = records.stored_quote(answer["quote_id"], STAFF)
    assert stored["response"] == answer and stored["account_id"] == "ACC-1"
    assert stored["request"]["finances"] == body["finances"]
    for qid, caller in (("q_nope", STAFF), (answer["quote_id"], PORTAL)):
        with pytest.raises(RecordError) as exc:
            records.stored_quote(qid, caller)
        assert exc.value.status == 404


def _book(records, answer, option_id, key, **extra):
    return records.accept({"quote_id": answer["quote_id"], "option_id": option_id, "accepted_by": "agent-7",
                           **extra}, key, "console-test", STAFF, None)[1]


def test_the_queue_holds_pending_plans_oldest_first_and_a_replacement_keeps_its_reason(records, registry, body):
    tight = {**body["finances"], "monthly_income": "2200", "monthly_expenses": "1900", "other_debt_payments": "0",
             "lump_sum_available": "2000"}
    answer = _quoted(records, registry, body, finances=tight)
    sup = next(o for o in answer["options"] if o["approval"] == "supervisor" and o["affordable"]
               and o["within_policy"])
    again = _quoted(records, registry, body)
    plain = next(o for o in again["options"] if o["approval"] != "supervisor" and o["affordable"]
                 and o["within_policy"])
    assert records.pending(STAFF) == []
    first = _book(records, answer, sup["option_id"], "k1")
    assert [a["arrangement_id"] for a in records.pending(STAFF)] == [first["arrangement_id"]]
    assert records.pending(PORTAL) == []
    second = _book(records, again, plain["option_id"], "k2", replaces=first["arrangement_id"],
                   reason="Borrower asked for a shorter plan")
    assert records.pending(STAFF) == []
    trail = records.events(first["arrangement_id"], STAFF)["events"]
    superseded = next(e for e in trail if e["type"] == "superseded")
    assert superseded["detail"] == {"by": second["arrangement_id"], "reason": "Borrower asked for a shorter plan"}
