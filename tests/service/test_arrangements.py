"""Stored quotes, arrangements, payments and events over HTTP, on SQLite and on a real PostgreSQL.

Every test gets a new database (see ``database_url`` in tests/conftest.py)
and an app on it. Quotes use examples/requests/card_cny.json (as of
2026-11-23) with an account id. The portal's first option is a catch-up
plan of three 1100.00 instalments (2026-12-23, 2027-01-23, 2027-02-23) that
needs no approval; an agent sees a two-month catch-up and a payment holiday
that needs an agent, and, at a lower income, an interest reduction that needs
a supervisor.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from negotiator.service import create_app
from negotiator.store.models import Arrangement, Event, IdempotencyKey, Payment, Quote

from .conftest import AGENT_KEY, BATCH_KEY, KEYS, PORTAL_KEY, make_config, quote_body

SUPERVISOR_KEY = "supervisor-key-0123456789abcdef"


@pytest.fixture
def app(database_url):
    app = create_app(make_config(database_url=database_url, api_keys=f"{KEYS},supervisor:{SUPERVISOR_KEY}",
                                 portal_rate_limit="off"))
    at(app, "2026-11-23")   # the examples' day: the server's clock is where the story starts
    yield app
    app.extensions["negotiator"]["records"].db.dispose()   # PostgreSQL allows only so many connections


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    return app.extensions["negotiator"]["records"].db


def at(app_or_client, day: str) -> None:
    """Move the server's clock to ``day`` (noon UTC): the story's time passes; no request can move it."""
    app = getattr(app_or_client, "application", app_or_client)
    app.extensions["negotiator"]["clock"].set(dt.date.fromisoformat(day))


def count(db, model) -> int:
    with db.sessions() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(model))


def body_for(account_id: str = "ACC-1", income: str = "8000.00", **over) -> dict:
    body = quote_body()
    body["account"]["account_id"] = account_id
    body["finances"]["monthly_income"] = income
    body.update(over)
    return body


def quote(client, key=PORTAL_KEY, **kw) -> dict:
    body = body_for(**kw)
    if key == PORTAL_KEY:
        at(client, body["as_of"])          # the portal quotes as of today: the borrower comes that day
    r = client.post("/v1/quotes", json=body, headers={"X-API-Key": key})
    assert r.status_code == 201, r.json
    assert r.headers["Location"] == f"/v1/quotes/{r.json['quote_id']}"     # kept: read back there
    return r.json


def accept(client, q: dict, option_id: str | None = None, key=PORTAL_KEY, idem: str = "idem-key-0001",
           accepted_by: str = "borrower", **extra):
    body = {"quote_id": q["quote_id"], "option_id": option_id or q["options"][0]["option_id"],
            "accepted_by": accepted_by, **extra}
    return client.post("/v1/arrangements", json=body, headers={"X-API-Key": key, "Idempotency-Key": idem})


def pay(client, aid: str, reference: str, amount, paid_on: str, as_of: str = "2027-03-01", key=AGENT_KEY):
    clock = client.application.extensions["negotiator"]["clock"]
    before = clock()
    at(client, as_of)                      # recorded on the day it says (the feed's day), then back
    try:
        return client.post(f"/v1/arrangements/{aid}/payments", headers={"X-API-Key": key},
                           json={"reference": reference, "amount": amount, "paid_on": paid_on, "as_of": as_of})
    finally:
        clock.set(before)


def read(client, aid: str, as_of: str, key=AGENT_KEY) -> dict:
    r = client.get(f"/v1/arrangements/{aid}?as_of={as_of}", headers={"X-API-Key": key})
    assert r.status_code == 200, r.json
    return r.json


def problem(r, status: int, field: str, code: str | None = None):
    assert r.status_code == status, r.json
    assert r.mimetype == "application/problem+json"
    assert field in [e["field"] for e in r.json["errors"]], r.json
    if code is not None:
        assert r.json["type"].endswith(":" + code)


# --------------------------------------------------------------------------- quotes kept

def test_every_quote_is_kept_once_and_read_back_in_the_callers_view(client, db):
    first = quote(client, key=AGENT_KEY)
    again = quote(client, key=AGENT_KEY)
    assert again["quote_id"] == first["quote_id"]
    assert count(db, Quote) == 1                                  # re-quoting the same inputs: no duplicate
    r = client.get(f"/v1/quotes/{first['quote_id']}", headers={"X-API-Key": AGENT_KEY})
    assert r.status_code == 200
    stored = r.json
    assert stored["options"] == first["options"] and stored["account_id"] == "ACC-1"
    created, expires = (dt.datetime.fromisoformat(stored[k]) for k in ("created_at", "expires_at"))
    # default policy: quote_valid_days 30, counted again from the re-quote
    assert dt.timedelta(days=30) <= expires - created < dt.timedelta(days=30, minutes=5)
    with db.sessions() as s:
        row = s.get(Quote, first["quote_id"])
        assert row.request["account"]["account_id"] == "ACC-1" and row.policy_version == "2026.11.1"
    # A portal key never reads an agent's quote: not found, not forbidden.
    r = client.get(f"/v1/quotes/{first['quote_id']}", headers={"X-API-Key": PORTAL_KEY})
    problem(r, 404, "quote_id", "unknown_quote")
    portal = quote(client, key=PORTAL_KEY)
    r = client.get(f"/v1/quotes/{portal['quote_id']}", headers={"X-API-Key": PORTAL_KEY})
    assert r.status_code == 200 and all("lender_npv" not in o for o in r.json["options"])
    assert count(db, Quote) == 2


def test_a_quote_without_an_account_id_is_kept_but_cannot_be_accepted(client, db):
    body = quote_body()
    q = client.post("/v1/quotes", json=body, headers={"X-API-Key": PORTAL_KEY}).json
    problem(accept(client, q), 422, "quote_id", "account_id_required")
    assert count(db, Arrangement) == 0


# --------------------------------------------------------------------------- accepting

def test_the_portal_accepts_the_first_option_and_reads_it_back(client, db):
    q = quote(client)
    r = accept(client, q)
    assert r.status_code == 201, r.json
    arr = r.json
    assert r.headers["Location"] == f"/v1/arrangements/{arr['arrangement_id']}"
    assert arr["status"] == "active" and arr["type"] == "catch_up" and arr["accepted_by"] == "borrower"
    assert [(i["due_date"], i["amount"], i["state"]) for i in arr["instalments"]] == [
        ("2026-12-23", "1100.00", "due"), ("2027-01-23", "1100.00", "due"), ("2027-02-23", "1100.00", "due")]
    assert arr["total_payable"] == "3300.00" and arr["outstanding"] == "3300.00"
    assert arr["next_due_date"] == "2026-12-23"
    assert read(client, arr["arrangement_id"], "2026-11-30", key=PORTAL_KEY)["status"] == "active"


def test_the_same_idempotency_key_replays_and_another_body_is_refused(client, db):
    q = quote(client)
    first = accept(client, q, idem="key-aaaa-1")
    replay = accept(client, q, idem="key-aaaa-1")
    assert replay.status_code == 201 and replay.json == first.json
    assert replay.headers["Idempotent-Replayed"] == "true"
    other = accept(client, q, idem="key-aaaa-1", option_id="payment_holiday")
    problem(other, 422, "Idempotency-Key", "idempotency_key_reused")
    assert count(db, Arrangement) == 1


@pytest.mark.parametrize("key", [None, "short", "has space in it", "x" * 129])
def test_a_missing_or_malformed_idempotency_key_is_refused(client, db, key):
    q = quote(client)
    headers = {"X-API-Key": PORTAL_KEY, **({"Idempotency-Key": key} if key is not None else {})}
    r = client.post("/v1/arrangements", json={"quote_id": q["quote_id"], "option_id": "catch_up",
                                              "accepted_by": "borrower"}, headers=headers)
    problem(r, 400, "Idempotency-Key")
    assert count(db, Arrangement) == 0


def test_refusals_name_the_field_and_write_nothing(client, db):
    q = quote(client)
    agent_q = quote(client, key=AGENT_KEY)
    problem(accept(client, {"quote_id": "q_nope", "options": [{"option_id": "x"}]}, idem="refused-01"), 404,
            "quote_id", "unknown_quote")
    problem(accept(client, agent_q, option_id="catch_up", idem="refused-02"), 404, "quote_id",
            "unknown_quote")   # not in view
    problem(accept(client, q, option_id="settlement", idem="refused-03"), 422, "option_id", "unknown_option")
    problem(accept(client, q, accepted_by="agent-7", idem="refused-04"), 422, "accepted_by", "borrower_only")
    problem(accept(client, q, key=BATCH_KEY, idem="refused-05"), 403, "X-API-Key", "wrong_channel")
    problem(accept(client, q, replaces="a_nothing", idem="refused-06"), 404, "replaces", "unknown_arrangement")
    r = client.post("/v1/arrangements", json={"quote_id": q["quote_id"]},
                    headers={"X-API-Key": PORTAL_KEY, "Idempotency-Key": "idem-key-0002"})
    problem(r, 422, "option_id")
    low = quote(client, key=AGENT_KEY, income="6500.00")            # catch-up no longer affordable
    problem(accept(client, low, option_id="catch_up", key=AGENT_KEY, accepted_by="agent-7", idem="refused-07"),
            422, "option_id", "option_not_acceptable")
    # The store's six refusals keep their key's answer, to replay it (issue 23); the rights table's 403 and the
    # body's 422 come before the key is looked at and keep none. Nothing else is written.
    assert count(db, Arrangement) == 0 and count(db, IdempotencyKey) == 6
    with db.sessions() as s:
        assert set(s.scalars(sa.select(Event.type))) == {"quote_issued"}


def test_an_expired_quote_cannot_be_accepted(client, db):
    q = quote(client)
    with db.transaction() as s:
        s.execute(sa.update(Quote).values(created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                                          expires_at=dt.datetime(2026, 1, 31, tzinfo=dt.UTC)))
    problem(accept(client, q), 409, "quote_id", "quote_expired")
    assert count(db, Arrangement) == 0


def test_one_live_arrangement_per_account_unless_it_is_replaced(client, db):
    q = quote(client, key=AGENT_KEY)
    first = accept(client, q, key=AGENT_KEY, accepted_by="agent-7", idem="idem-first-1").json
    second = accept(client, q, option_id="payment_holiday", key=AGENT_KEY, accepted_by="agent-7",
                    idem="idem-second-1")
    problem(second, 409, "replaces", "arrangement_exists")
    assert first["arrangement_id"] in second.json["detail"]
    third = accept(client, q, option_id="payment_holiday", key=AGENT_KEY, accepted_by="agent-7",
                   idem="idem-third-1", replaces=first["arrangement_id"])
    assert third.status_code == 201 and third.json["replaces"] == first["arrangement_id"]
    assert read(client, first["arrangement_id"], "2026-12-01")["status"] == "superseded"
    trail = client.get(f"/v1/arrangements/{first['arrangement_id']}/events", headers={"X-API-Key": AGENT_KEY})
    assert [e["type"] for e in trail.json["events"]] == ["quote_issued", "accepted", "superseded"]


def test_a_supervisor_option_waits_for_a_supervisor(client, db):
    q = quote(client, key=AGENT_KEY, income="6000.00")
    opt = next(o for o in q["options"] if o["approval"] == "supervisor" and o["affordable"])
    r = accept(client, q, option_id=opt["option_id"], key=AGENT_KEY, accepted_by="agent-7")
    assert r.status_code == 201 and r.json["status"] == "pending_approval"
    aid = r.json["arrangement_id"]
    problem(pay(client, aid, "P1", "10.00", "2026-12-01"), 409, "arrangement_id", "arrangement_not_active")
    decision = {"decision": "approve", "decided_by": "sup-1"}
    problem(client.post(f"/v1/arrangements/{aid}/decision", json=decision, headers={"X-API-Key": AGENT_KEY}),
            403, "X-API-Key", "wrong_channel")
    ok = client.post(f"/v1/arrangements/{aid}/decision", json=decision, headers={"X-API-Key": SUPERVISOR_KEY})
    assert ok.status_code == 200 and ok.json["status"] == "active" and ok.json["decided_by"] == "sup-1"
    again = client.post(f"/v1/arrangements/{aid}/decision", json=decision, headers={"X-API-Key": SUPERVISOR_KEY})
    problem(again, 409, "arrangement_id", "not_pending")


def test_a_supervisor_can_reject(client, db):
    q = quote(client, key=AGENT_KEY, income="6000.00")
    opt = next(o for o in q["options"] if o["approval"] == "supervisor" and o["affordable"])
    aid = accept(client, q, option_id=opt["option_id"], key=AGENT_KEY, accepted_by="agent-7").json["arrangement_id"]
    r = client.post(f"/v1/arrangements/{aid}/decision", json={"decision": "reject", "decided_by": "sup-1",
                                                              "reason": "income not evidenced"},
                    headers={"X-API-Key": SUPERVISOR_KEY})
    assert r.status_code == 200 and r.json["status"] == "rejected"
    # A rejected arrangement is not live: the account may take another.
    again = accept(client, q, option_id=opt["option_id"], key=AGENT_KEY, accepted_by="agent-7",
                   idem="idem-after-reject")
    assert again.status_code == 201 and again.json["status"] == "pending_approval"


# --------------------------------------------------------------------------- payments and status

@pytest.fixture
def arrangement(client):
    return accept(client, quote(client)).json["arrangement_id"]


def test_payments_go_to_the_oldest_instalment_and_a_replay_never_counts_twice(client, db, arrangement):
    r = pay(client, arrangement, "PAY-1", "1000.00", "2026-12-20")
    assert r.status_code == 201 and r.json["replayed"] is False
    r = pay(client, arrangement, "PAY-2", 500, "2027-01-05")
    assert r.status_code == 201
    arr = read(client, arrangement, "2027-01-10")
    assert [(i["paid"], i["state"]) for i in arr["instalments"]] == [
        ("1100.00", "paid"), ("400.00", "part_paid"), ("0.00", "due")]
    assert arr["paid"] == "1500.00" and arr["outstanding"] == "1800.00" and arr["next_due_date"] == "2027-01-23"
    replay = pay(client, arrangement, "PAY-2", "500.00", "2027-01-05")
    assert replay.status_code == 200 and replay.json["replayed"] is True
    assert read(client, arrangement, "2027-01-10")["paid"] == "1500.00"
    assert count(db, Payment) == 2
    # As of a day before the second payment, only the first counts.
    early = read(client, arrangement, "2027-01-01")
    assert [i["state"] for i in early["instalments"]] == ["overdue", "due", "due"] and early["paid"] == "1000.00"
    assert early["status"] == "at_risk" and early["next_due_date"] == "2026-12-23"
    done = pay(client, arrangement, "PAY-3", "1800.00", "2027-01-20")
    assert done.json["arrangement"]["status"] == "completed" and done.json["arrangement"]["next_due_date"] is None
    events = client.get(f"/v1/arrangements/{arrangement}/events", headers={"X-API-Key": AGENT_KEY}).json["events"]
    assert [e["type"] for e in events] == ["quote_issued", "accepted", "payment_recorded", "payment_recorded",
                                           "payment_recorded", "completed"]
    assert events[-1]["status_before"] == "active" and events[-1]["status_after"] == "completed"


@pytest.mark.parametrize("amount, paid_on, field", [
    (0, "2026-12-20", "amount"), ("-5.00", "2026-12-20", "amount"), ("10.001", "2026-12-20", "amount"),
    (True, "2026-12-20", "amount"), ("3300.01", "2026-12-20", "amount"),
    ("10.00", "2026-11-01", "paid_on"), ("10.00", "2027-03-02", "paid_on"), ("10.00", "soon", "paid_on")])
def test_bad_payments_are_refused_naming_the_field(client, db, arrangement, amount, paid_on, field):
    problem(pay(client, arrangement, "PAY-BAD", amount, paid_on), 422, field)
    assert count(db, Payment) == 0


def test_a_reference_reused_for_another_payment_is_refused(client, db, arrangement):
    assert pay(client, arrangement, "PAY-1", "100.00", "2026-12-20").status_code == 201
    problem(pay(client, arrangement, "PAY-1", "200.00", "2026-12-20"), 422, "reference", "reference_reused")
    assert read(client, arrangement, "2027-01-01")["paid"] == "100.00"


def test_instalment_states_and_status_through_grace_to_broken(client, db, arrangement):
    # Default policy: 14 grace days, one missed instalment allowed.
    assert read(client, arrangement, "2026-12-23")["instalments"][0]["state"] == "due"
    late = read(client, arrangement, "2026-12-24")
    assert late["status"] == "at_risk" and late["instalments"][0]["state"] == "overdue"
    one_missed = read(client, arrangement, "2027-01-07")
    assert one_missed["status"] == "at_risk" and one_missed["instalments"][0]["state"] == "missed"
    broken = read(client, arrangement, "2027-02-07")
    assert broken["status"] == "broken" and [i["state"] for i in broken["instalments"]] == ["missed", "missed", "due"]


def _review(app, as_of: str) -> dict:
    at(app, as_of)
    return app.extensions["negotiator"]["records"].review(dt.date.fromisoformat(as_of))


def test_the_review_moves_to_broken_and_completed_as_the_read_path_says(app, client, db):
    """The nightly review (set-wise SQL) and the read path (Python) side by side on varied payment histories."""
    patterns = [[], [("1100.00", "2026-12-20")], [("1100.00", "2026-12-30")], [("1000.00", "2026-12-20")],
                [("3300.00", "2026-12-01")],
                [("1100.00", "2026-12-20"), ("1100.00", "2027-01-20"), ("1100.00", "2027-02-05")],
                [("1100.00", "2027-01-10")], [("100.00", "2026-12-01"), ("2000.00", "2027-02-05")],
                [("1100.00", "2026-12-23"), ("1099.99", "2027-01-23")]]
    ids = []
    for n, payments in enumerate(patterns):
        aid = accept(client, quote(client, account_id=f"ACC-R{n}"), idem=f"idem-review-{n}").json["arrangement_id"]
        for k, (amount, on) in enumerate(payments):
            assert pay(client, aid, f"R{n}-{k}", amount, on).status_code == 201
        ids.append(aid)
    for as_of in ("2026-12-24", "2027-01-07", "2027-02-07", "2027-02-08"):
        before = {aid: read(client, aid, as_of)["status"] for aid in ids}
        result = _review(app, as_of)
        with db.sessions() as s:
            stored = dict(s.execute(sa.select(Arrangement.arrangement_id, Arrangement.status)).all())
        after = {aid: read(client, aid, as_of)["status"] for aid in ids}
        assert after == before, as_of                              # the review never changes what is read
        for aid in ids:
            expected = before[aid] if before[aid] in ("broken", "completed") else "active"
            assert stored[aid] == expected, (as_of, aid)
        assert result["still_active"] == sum(1 for s in stored.values() if s == "active")
    final = {aid: read(client, aid, "2027-02-08")["status"] for aid in ids}
    assert [final[aid] for aid in ids] == ["broken", "at_risk", "at_risk", "broken", "completed", "completed",
                                           "at_risk", "at_risk", "at_risk"]


def test_the_review_records_missed_instalments_once_and_the_break(app, client, db, arrangement):
    _review(app, "2027-01-07")
    _review(app, "2027-01-08")
    _review(app, "2027-02-07")
    events = client.get(f"/v1/arrangements/{arrangement}/events", headers={"X-API-Key": AGENT_KEY}).json["events"]
    assert [(e["type"], e["instalment_number"]) for e in events] == [
        ("quote_issued", None), ("accepted", None), ("instalment_missed", 1), ("instalment_missed", 2),
        ("broken", None)]
    assert events[-1]["channel"] == "system" and events[-1]["status_after"] == "broken"
    problem(pay(client, arrangement, "LATE", "10.00", "2027-02-01"), 409, "arrangement_id", "arrangement_not_active")


def test_the_account_lists_its_arrangements_and_the_next_quote_knows_them(client, db):
    q = quote(client, key=AGENT_KEY, income="6500.00")                # the recommended plan re-ages: instalment
    r = accept(client, q, option_id="instalment", key=AGENT_KEY, accepted_by="agent-7")
    assert r.status_code == 201
    listing = client.get("/v1/accounts/ACC-1/arrangements?as_of=2026-12-01", headers={"X-API-Key": AGENT_KEY})
    assert [a["arrangement_id"] for a in listing.json["arrangements"]] == [r.json["arrangement_id"]]
    assert client.get("/v1/accounts/ACC-1/arrangements", headers={"X-API-Key": PORTAL_KEY}).json["arrangements"] == []
    later = body_for(as_of="2026-12-15")
    q2 = client.post("/v1/quotes", json=later, headers={"X-API-Key": AGENT_KEY}).json
    with db.sessions() as s:
        history = s.get(Quote, q2["quote_id"]).request["account"]["history"]
    assert history["arrangement_dates"] == ["2026-11-23"] and history["reage_dates"] == ["2026-11-23"]
    problem(client.get("/v1/accounts/bad%20id/arrangements", headers={"X-API-Key": AGENT_KEY}), 422, "account_id")


def test_purge_removes_expired_quotes_never_accepted_and_nothing_else(app, client, db):
    kept = quote(client)
    aid = accept(client, kept).json["arrangement_id"]
    quote(client, account_id="ACC-2")
    records = app.extensions["negotiator"]["records"]
    assert records.purge(dt.date(2026, 12, 1)) == 0                 # nothing expired yet
    assert records.purge(dt.date(2027, 6, 1)) == 1                  # the unaccepted quote
    assert count(db, Quote) == 1 and count(db, Arrangement) == 1
    assert client.get(f"/v1/arrangements/{aid}/events", headers={"X-API-Key": AGENT_KEY}).status_code == 200
    assert count(db, Event) == 3                                    # two quotes issued, one accepted: all kept


def test_with_the_store_off_quotes_still_work_and_nothing_is_kept(database_url):
    c = create_app(make_config(database_url=database_url, store=False)).test_client()
    r = c.post("/v1/quotes", json=body_for(), headers={"X-API-Key": AGENT_KEY})
    assert r.status_code == 200 and "Location" not in r.headers          # nothing kept, nowhere to read it back
    r = c.get("/v1/quotes/q_x", headers={"X-API-Key": AGENT_KEY})
    assert r.status_code == 503 and r.mimetype == "application/problem+json"


# --------------------------------------------------------------------------- concurrency

def _in_threads(n: int, fn) -> list:
    results: list = [None] * n
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait(timeout=60)
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


def test_twenty_accepts_at_once_for_one_account_make_exactly_one_arrangement(app, client, db):
    q = quote(client, key=AGENT_KEY)
    options = [o["option_id"] for o in q["options"]]

    def one(i):
        r = app.test_client().post("/v1/arrangements", json={
            "quote_id": q["quote_id"], "option_id": options[i % len(options)], "accepted_by": f"agent-{i}"},
            headers={"X-API-Key": AGENT_KEY, "Idempotency-Key": f"race-key-{i:04d}"})
        return r.status_code, r.json

    results = _in_threads(20, one)
    assert sorted(s for s, _ in results) == [201] + [409] * 19
    assert all(b["type"].endswith(":arrangement_exists") for s, b in results if s == 409)
    # Each key keeps its answer, the 409s too (replayed as stored, never answered afresh).
    assert count(db, Arrangement) == 1 and count(db, IdempotencyKey) == 20


def test_ten_requests_with_one_idempotency_key_make_one_arrangement_and_one_answer(app, client, db):
    q = quote(client)

    def one(i):
        r = app.test_client().post("/v1/arrangements", json={
            "quote_id": q["quote_id"], "option_id": "catch_up", "accepted_by": "borrower"},
            headers={"X-API-Key": PORTAL_KEY, "Idempotency-Key": "same-key-for-all"})
        return r.status_code, r.json

    results = _in_threads(10, one)
    assert {s for s, _ in results} == {201}
    assert all(b == results[0][1] for _, b in results)
    assert count(db, Arrangement) == 1


def test_a_payment_replayed_at_once_counts_once(app, client, db, arrangement):
    at(app, "2026-12-21")

    def one(i):
        r = app.test_client().post(f"/v1/arrangements/{arrangement}/payments", headers={"X-API-Key": AGENT_KEY},
                                   json={"reference": "SAME", "amount": "100.00", "paid_on": "2026-12-20",
                                         "as_of": "2026-12-21"})
        return r.status_code

    assert sorted(_in_threads(8, one)) == [200] * 7 + [201]
    assert read(client, arrangement, "2026-12-21")["paid"] == "100.00" and count(db, Payment) == 1


def test_quote_storage_copies_requests_so_answers_are_not_shared(client, db):
    body = body_for()
    original = copy.deepcopy(body)
    client.post("/v1/quotes", json=body, headers={"X-API-Key": AGENT_KEY})
    assert body == original


# --------------------------------------------------------------------------- a worker killed mid-request

KILLED_WORKER = r"""
import sys, time
from negotiator.policy import PolicyRegistry
from negotiator.store.db import Database
from negotiator.store.records import Caller, Records

url, quote_id = sys.argv[1], sys.argv[2]
records = Records(Database.open(url), PolicyRegistry.load())

def requote(req, channel):          # called inside the accept's transaction, after its first writes
    print("inside", flush=True)
    time.sleep(600)

records.accept({"quote_id": quote_id, "option_id": "catch_up", "accepted_by": "borrower"}, "killed-key-1",
               "portal-key-id", Caller("portal", "portal:portal-key-id", frozenset({"portal"})), "rid-1", requote)
"""


def test_a_worker_killed_mid_request_leaves_nothing_behind(app, client, db, database_url):
    import subprocess
    import sys
    q = quote(client, schedules="none")                 # the schedule is worked out again inside the transaction
    events_before = count(db, Event)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WORKER, database_url, q["quote_id"]],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "inside"
    finally:
        proc.kill()
        proc.wait(timeout=60)
        proc.stdout.close()
    assert count(db, Arrangement) == 0 and count(db, IdempotencyKey) == 0 and count(db, Event) == events_before
    # The lock the killed worker held is gone: the same request goes through now.
    r = accept(client, q, idem="killed-key-1")
    assert r.status_code == 201 and len(r.json["instalments"]) == 3


# --------------------------------------------------------------------------- the contract

def test_the_chain_quote_accept_pay_read_matches_the_document(app, client, db):
    """Every answer of the chain, and of its refusals, is what api_spec/openapi.yaml says (both databases)."""
    import yaml

    from .conftest import ROOT
    from .test_contract import check
    doc = yaml.safe_load((ROOT / "api_spec" / "openapi.yaml").read_text(encoding="utf-8"))
    h = {"X-API-Key": PORTAL_KEY}
    r = client.post("/v1/quotes", json=body_for(), headers=h)
    check(doc, "/v1/quotes", "post", r)
    qid = r.json["quote_id"]
    check(doc, "/v1/quotes/{quote_id}", "get", client.get(f"/v1/quotes/{qid}", headers=h))
    check(doc, "/v1/quotes/{quote_id}", "get", client.get("/v1/quotes/q_none", headers=h))
    r = accept(client, r.json)
    check(doc, "/v1/arrangements", "post", r)
    aid = r.json["arrangement_id"]
    check(doc, "/v1/arrangements", "post", accept(client, {"quote_id": qid, "options": [{"option_id": "x"}]}))
    check(doc, "/v1/arrangements", "post", client.post("/v1/arrangements", json={}, headers=h))
    at(app, "2026-12-21")
    for payment in ({"reference": "P1", "amount": "100.00", "paid_on": "2026-12-20", "as_of": "2026-12-21"},
                    {"reference": "P1", "amount": "100.00", "paid_on": "2026-12-20", "as_of": "2026-12-21"},
                    {"reference": "P2", "amount": "0", "paid_on": "2026-12-20"}):
        check(doc, "/v1/arrangements/{arrangement_id}/payments", "post",     # the lender's feed records payments
              client.post(f"/v1/arrangements/{aid}/payments", json=payment, headers={"X-API-Key": AGENT_KEY}))
    check(doc, "/v1/arrangements/{arrangement_id}/payments", "post",          # a portal key never does
          client.post(f"/v1/arrangements/{aid}/payments", json=payment, headers=h))
    for url in (f"/v1/arrangements/{aid}?as_of=2027-02-07", f"/v1/arrangements/{aid}?as_of=never",
                "/v1/arrangements/a_none"):
        check(doc, "/v1/arrangements/{arrangement_id}", "get", client.get(url, headers=h))
    check(doc, "/v1/arrangements/{arrangement_id}/events", "get",
          client.get(f"/v1/arrangements/{aid}/events", headers=h))
    check(doc, "/v1/accounts/{account_id}/arrangements", "get",
          client.get("/v1/accounts/ACC-1/arrangements", headers=h))
    check(doc, "/v1/arrangements/{arrangement_id}/decision", "post",
          client.post(f"/v1/arrangements/{aid}/decision", json={"decision": "approve", "decided_by": "s"},
                      headers={"X-API-Key": SUPERVISOR_KEY}))


def test_the_client_demo_runs_the_whole_flow_on_the_live_server(live_server):
    """examples/client.py against gunicorn (two workers) on the embedded SQLite store."""
    import subprocess
    import sys

    from .conftest import ROOT
    p = subprocess.run([sys.executable, str(ROOT / "examples" / "client.py"), "--url", live_server["url"],
                        "arrangement-demo"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "accepted: a_" in out and "active, 3 instalments" in out
    import re
    assert re.search(r"#1 \d{4}-\d\d-\d\d    1100.00 paid    1100.00  paid", out), out
    assert re.search(r"#2 \d{4}-\d\d-\d\d    1100.00 paid     100.00  part_paid", out), out
    assert ": broken (2 missed, 1 allowed" in out
    assert "events: quote_issued, accepted, payment_recorded, payment_recorded" in out


def test_schemathesis_checks_every_step_of_the_chain(app):
    """quote, read it, accept, pay, replay, read, events, account: each step with Schemathesis's checks."""
    import schemathesis
    from schemathesis import checks
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    portal = {"X-API-Key": PORTAL_KEY}

    def call(path, method, **kw):
        # Schemathesis's WSGI transport asks for gzip (requests-style default headers) but does not decode it.
        kw["headers"] = {**kw.get("headers", {}), "Accept-Encoding": "identity"}
        case = schema[path][method].Case(**kw)
        return case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])

    q = call("/v1/quotes", "POST", body=body_for(), headers=portal).json()
    call("/v1/quotes/{quote_id}", "GET", path_parameters={"quote_id": q["quote_id"]}, headers=portal)
    a = call("/v1/arrangements", "POST", headers={**portal, "Idempotency-Key": "chain-key-0001"},
             body={"quote_id": q["quote_id"], "option_id": q["options"][0]["option_id"], "accepted_by": "borrower"})
    aid = a.json()["arrangement_id"]
    ids = {"arrangement_id": aid}
    payment = {"reference": "CHAIN-1", "amount": "1100.00", "paid_on": "2026-12-23", "as_of": "2026-12-24"}
    feed = {"X-API-Key": AGENT_KEY}
    at(app, "2026-12-24")
    assert call("/v1/arrangements/{arrangement_id}/payments", "POST", path_parameters=ids, body=payment,
                headers=feed).status_code == 201
    assert call("/v1/arrangements/{arrangement_id}/payments", "POST", path_parameters=ids, body=payment,
                headers=feed).status_code == 200
    got = call("/v1/arrangements/{arrangement_id}", "GET", path_parameters=ids, query={"as_of": "2026-12-24"},
               headers=portal).json()
    assert [i["state"] for i in got["instalments"]] == ["paid", "due", "due"]
    call("/v1/arrangements/{arrangement_id}/events", "GET", path_parameters=ids, headers=portal)
    call("/v1/accounts/{account_id}/arrangements", "GET", path_parameters={"account_id": "ACC-1"}, headers=portal)


def test_an_agent_cancels_a_live_arrangement_and_the_account_is_free_again(client, db, arrangement):
    body = {"cancelled_by": "agent-7", "reason": "borrower asked to stop"}
    problem(client.post(f"/v1/arrangements/{arrangement}/cancel", json=body, headers={"X-API-Key": PORTAL_KEY}),
            403, "X-API-Key", "wrong_channel")
    r = client.post(f"/v1/arrangements/{arrangement}/cancel", json=body, headers={"X-API-Key": AGENT_KEY})
    assert r.status_code == 200 and r.json["status"] == "cancelled" and r.json["next_due_date"] is None
    again = client.post(f"/v1/arrangements/{arrangement}/cancel", json=body, headers={"X-API-Key": AGENT_KEY})
    problem(again, 409, "arrangement_id", "not_live")
    problem(pay(client, arrangement, "P1", "10.00", "2026-12-01"), 409, "arrangement_id", "arrangement_not_active")
    events = client.get(f"/v1/arrangements/{arrangement}/events", headers={"X-API-Key": AGENT_KEY}).json["events"]
    assert events[-1]["type"] == "cancelled" and events[-1]["actor"] == "agent-7"
    assert events[-1]["status_before"] == "active" and events[-1]["detail"] == {"reason": "borrower asked to stop"}
    # Not live any more: the borrower can take another plan without `replaces`.
    assert accept(client, quote(client), idem="idem-after-cancel").status_code == 201


# --------------------------------------------------------------------------- what-if plans booked

def propose(client, payment: str, key=AGENT_KEY, **kw) -> dict:
    r = client.post("/v1/proposals", json=body_for(proposal={"monthly_payment": payment}, **kw),
                    headers={"X-API-Key": key})
    assert r.status_code == 201, r.json
    assert r.headers["Location"] == f"/v1/quotes/{r.json['quote_id']}"     # kept: read back there
    return r.json


def test_an_acceptable_what_if_is_kept_and_its_plan_booked_with_its_own_schedule(app, client, db):
    """800 a month at 8,000 income: an 18-month instalment plan the quote itself does not list."""
    p = propose(client, "800.00", schedules="all")
    assert p["acceptable"] and p["counter_offer"] is None
    plan = p["plan"]
    assert plan["option_id"] not in [o["option_id"] for o in quote(client, key=AGENT_KEY)["options"]]
    with db.sessions() as s:
        row = s.get(Quote, p["quote_id"])
        assert row.request["proposal"] == {"monthly_payment": "800.00"} and row.account_id == "ACC-1"
        issued = s.scalars(sa.select(Event).where(Event.quote_id == p["quote_id"])).one()
        assert issued.type == "quote_issued" and issued.detail == {"options": 1, "proposal": True}
    r = accept(client, p, option_id=plan["option_id"], key=AGENT_KEY, accepted_by="agent-7")
    assert r.status_code == 201, r.json
    arr = r.json
    assert (arr["type"], arr["quote_id"], arr["status"]) == (plan["type"], p["quote_id"], "active")
    assert arr["term_months"] == plan["term_months"] == len(arr["instalments"])
    assert [(i["due_date"], i["amount"]) for i in arr["instalments"]] == [
        (line["due_date"], line["payment"]) for line in plan["schedule"]]
    assert arr["total_payable"] == plan["total_payable"]


def test_a_what_if_below_capacity_books_only_its_counter_offer(client, db):
    """300 a month asks a concession 8,000 of income does not need: the plan is refused, the counter-offer booked."""
    p = propose(client, "300.00")
    assert not p["acceptable"] and p["plan"] is not None and p["counter_offer"] is not None
    assert p["plan"]["option_id"] != p["counter_offer"]["option_id"]
    problem(accept(client, p, option_id=p["plan"]["option_id"], key=AGENT_KEY, accepted_by="agent-7",
                   idem="idem-key-0002"), 422, "option_id", "unknown_option")
    assert count(db, Arrangement) == 0
    counter = p["counter_offer"]
    r = accept(client, p, option_id=counter["option_id"], key=AGENT_KEY, accepted_by="agent-7")
    assert r.status_code == 201, r.json
    assert (r.json["type"], r.json["monthly_payment"], r.json["term_months"]) == (
        counter["type"], counter["monthly_payment"], counter["term_months"])


def test_a_what_if_kept_without_schedules_is_booked_with_the_schedule_it_implies(client):
    """The store keeps no schedule here: accepting runs the proposal again (not a quote) to rebuild it."""
    from negotiator.engine.proposals import propose as engine_propose
    from negotiator.policy import PolicyRegistry
    p = propose(client, "800.00", schedules="none")
    assert "schedule" not in p["plan"]
    r = accept(client, p, option_id=p["plan"]["option_id"], key=AGENT_KEY, accepted_by="agent-7")
    assert r.status_code == 201, r.json
    want = engine_propose(body_for(proposal={"monthly_payment": "800.00"}, schedules="all"), PolicyRegistry.load())
    assert [(i["due_date"], i["amount"]) for i in r.json["instalments"]] == [
        (line["due_date"], line["payment"]) for line in want["plan"]["schedule"]]


def test_the_portal_books_a_what_if_needing_no_approval_and_reads_it_back_as_documented(client, db):
    import yaml

    from .conftest import ROOT
    from .test_contract import check
    doc = yaml.safe_load((ROOT / "api_spec" / "openapi.yaml").read_text(encoding="utf-8"))
    p = propose(client, "800.00", key=PORTAL_KEY)
    assert p["acceptable"] and p["plan"]["approval"] == "none"
    got = client.get(f"/v1/quotes/{p['quote_id']}", headers={"X-API-Key": PORTAL_KEY})
    check(doc, "/v1/quotes/{quote_id}", "get", got)
    assert got.json["plan"] == p["plan"] and "lender_npv" not in got.json["plan"]
    r = accept(client, p, option_id=p["plan"]["option_id"])
    check(doc, "/v1/arrangements", "post", r)
    assert r.status_code == 201 and r.json["status"] == "active" and r.json["accepted_by"] == "borrower"
    # An agent's what-if is not in the portal's view.
    agent = propose(client, "800.00", account_id="ACC-2")
    problem(accept(client, agent, option_id=agent["plan"]["option_id"], idem="idem-key-0003"), 404, "quote_id",
            "unknown_quote")


def test_a_what_if_knows_the_accounts_stored_arrangements(client, db):
    """Like a quote, a what-if is worked out with the account's stored arrangement dates (re-age limits)."""
    q = quote(client, key=AGENT_KEY, income="6500.00")
    assert accept(client, q, option_id="instalment", key=AGENT_KEY, accepted_by="agent-7").status_code == 201
    p = propose(client, "700.00", as_of="2026-12-15")
    with db.sessions() as s:
        history = s.get(Quote, p["quote_id"]).request["account"]["history"]
    assert history["arrangement_dates"] == ["2026-11-23"] and history["reage_dates"] == ["2026-11-23"]


def test_a_broken_arrangement_raises_the_approval_the_next_plan_needs(app, client, db, arrangement):
    """The review breaks the plan (as above); the account's next quote reads the break from the store, and under
    default.yaml's broken_arrangements (agent_from 1) every plan now needs an agent: none is left for the
    portal, and the agent sees why."""
    for day in ("2027-01-07", "2027-01-08", "2027-02-07"):
        _review(app, day)
    at(app, "2027-02-08")                   # the next call, the day after the break
    assert read(client, arrangement, "2027-02-08")["status"] == "broken"
    q = client.post("/v1/quotes", json=body_for(as_of="2027-02-08"), headers={"X-API-Key": AGENT_KEY}).json
    with db.sessions() as s:
        history = s.get(Quote, q["quote_id"]).request["account"]["history"]
    assert len(history["broken_arrangement_dates"]) == 1
    assert q["options"] and all(o["approval"] in ("agent", "supervisor") for o in q["options"])
    assert any(r["code"] == "broken_arrangements_agent" for o in q["options"] for r in o["reasons"])
    portal = client.post("/v1/quotes", json=body_for(as_of="2027-02-08"), headers={"X-API-Key": PORTAL_KEY}).json
    assert portal["options"] == [] and portal["recommended_option_id"] is None
    assert "broken_arrangements_agent" not in str(portal)
