"""Issue 23 item 4: validators, on SQLite and on a real PostgreSQL.

A strong ETag on every record read and a 304 for ``If-None-Match``; ``Last-Modified`` on an arrangement;
``If-Match`` on decide, cancel and pay: 412 ``precondition_failed`` when the arrangement changed, with nothing
written, and under concurrency exactly one of two changes made from one version goes through.
"""

from __future__ import annotations

import pytest
from werkzeug.http import parse_date

from negotiator.store.models import Event

from .conftest import AGENT_KEY, PORTAL_KEY
from .test_arrangements import (
    SUPERVISOR_KEY,
    _in_threads,
    accept,
    app,  # noqa: F401 - the store's app fixture, on both databases
    at,
    client,  # noqa: F401
    count,
    db,  # noqa: F401
    pay,
    quote,
)

A = {"X-API-Key": AGENT_KEY}


@pytest.fixture
def booked(client):  # noqa: F811
    q = quote(client)
    aid = accept(client, q).json["arrangement_id"]
    body = {"account_id": "ACC-1", "policy": "default", "channel": "call", "direction": "outbound",
            "at": "2026-11-23T10:00:00+00:00", "outcome": "no_answer", "person": "borrower"}
    assert client.post("/v1/contacts", json=body, headers=A).status_code == 201
    return q, aid


def _reads(q, aid) -> list[str]:
    return [f"/v1/quotes/{q['quote_id']}", f"/v1/arrangements/{aid}", f"/v1/arrangements/{aid}/events",
            "/v1/accounts/ACC-1/arrangements", "/v1/policies", "/v1/policies/default", "/v1/accounts/ACC-1/contacts"]


def test_every_record_read_has_a_strong_etag_and_answers_304_when_it_matches(client, booked):  # noqa: F811
    for path in _reads(*booked):
        r = client.get(path, headers=A)
        tag = r.headers["ETag"]
        assert r.status_code == 200 and tag.startswith('"') and not tag.startswith("W/"), path
        assert client.get(path, headers=A).headers["ETag"] == tag          # the same bytes, the same tag
        for header in (tag, f'"other", {tag}', f"W/{tag}", "*"):
            same = client.get(path, headers={**A, "If-None-Match": header})
            assert same.status_code == 304 and same.get_data() == b"" and same.headers["ETag"] == tag, path
        other = client.get(path, headers={**A, "If-None-Match": '"not-it"'})
        assert other.status_code == 200 and other.json == r.json


def test_a_change_gives_a_new_etag_and_last_modified(client, booked):  # noqa: F811
    _, aid = booked
    before = client.get(f"/v1/arrangements/{aid}", headers=A)
    assert parse_date(before.headers["Last-Modified"]) == parse_date("Mon, 23 Nov 2026 12:00:00 GMT")
    at(client, "2026-11-25")
    assert client.get(f"/v1/arrangements/{aid}", headers=A).headers["ETag"] != before.headers["ETag"]  # another day
    r = pay(client, aid, "P1", "1100.00", "2026-11-25", as_of="2026-11-25")
    assert r.status_code == 201
    after = client.get(f"/v1/arrangements/{aid}", headers={**A, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert parse_date(after.headers["Last-Modified"]) == parse_date("Wed, 25 Nov 2026 12:00:00 GMT")
    assert after.json["updated_at"] == "2026-11-25T12:00:00+00:00"
    events = client.get(f"/v1/arrangements/{aid}/events", headers={**A, "If-None-Match": before.headers["ETag"]})
    assert events.status_code == 200


def test_if_match_guards_a_cancel_and_a_stale_one_writes_nothing(client, db, booked):  # noqa: F811
    _, aid = booked
    read = client.get(f"/v1/arrangements/{aid}", headers=A)
    stale = read.headers["ETag"]
    assert pay(client, aid, "P1", "100.00", "2026-11-23", as_of="2026-11-23").status_code == 201
    n = count(db, Event)
    r = client.post(f"/v1/arrangements/{aid}/cancel", json={"cancelled_by": "agent-7"},
                    headers={**A, "If-Match": stale})
    assert r.status_code == 412 and r.json["code"] == "precondition_failed"
    assert r.json["errors"][0]["field"] == "If-Match"
    assert count(db, Event) == n and client.get(f"/v1/arrangements/{aid}", headers=A).json["status"] == "active"
    for header in ("W/" + stale, '"x"'):
        assert client.post(f"/v1/arrangements/{aid}/cancel", json={"cancelled_by": "agent-7"},
                           headers={**A, "If-Match": header}).status_code == 412
    current = client.get(f"/v1/arrangements/{aid}", headers=A).headers["ETag"]
    ok = client.post(f"/v1/arrangements/{aid}/cancel", json={"cancelled_by": "agent-7"},
                     headers={**A, "If-Match": f'"x", {current}'})
    assert ok.status_code == 200 and ok.json["status"] == "cancelled"
    assert ok.headers["ETag"] == client.get(f"/v1/arrangements/{aid}", headers=A).headers["ETag"]


def test_if_match_guards_a_payment_and_a_replayed_payment_is_still_answered(client, booked):  # noqa: F811
    _, aid = booked
    tag = client.get(f"/v1/arrangements/{aid}", headers=A).headers["ETag"]
    first = client.post(f"/v1/arrangements/{aid}/payments", headers={**A, "If-Match": tag},
                        json={"reference": "P1", "amount": "100.00", "paid_on": "2026-11-23"})
    assert first.status_code == 201
    again = client.post(f"/v1/arrangements/{aid}/payments", headers={**A, "If-Match": tag},
                        json={"reference": "P1", "amount": "100.00", "paid_on": "2026-11-23"})
    assert again.status_code == 200 and again.json["replayed"]     # the retry of a payment made
    other = client.post(f"/v1/arrangements/{aid}/payments", headers={**A, "If-Match": tag},
                        json={"reference": "P2", "amount": "100.00", "paid_on": "2026-11-23"})
    assert other.status_code == 412
    assert client.get(f"/v1/arrangements/{aid}", headers=A).json["paid"] == "100.00"
    star = client.post(f"/v1/arrangements/{aid}/payments", headers={**A, "If-Match": "*"},
                       json={"reference": "P2", "amount": "100.00", "paid_on": "2026-11-23"})
    assert star.status_code == 201


def test_if_match_guards_a_decision_and_two_decisions_from_one_version_make_one(app, client, db):  # noqa: F811
    q = quote(client, key=AGENT_KEY, income="6000.00")
    opt = next(o for o in q["options"] if o["approval"] == "supervisor" and o["affordable"])
    aid = accept(client, q, option_id=opt["option_id"], key=AGENT_KEY, accepted_by="agent-7").json["arrangement_id"]
    tag = client.get(f"/v1/arrangements/{aid}", headers=A).headers["ETag"]
    bad = client.post(f"/v1/arrangements/{aid}/decision", json={"decision": "approve", "decided_by": "sup-1"},
                      headers={"X-API-Key": SUPERVISOR_KEY, "If-Match": '"old"'})
    assert bad.status_code == 412

    def one(i):
        r = app.test_client().post(f"/v1/arrangements/{aid}/decision",
                                   json={"decision": "approve" if i else "reject", "decided_by": f"sup-{i}"},
                                   headers={"X-API-Key": SUPERVISOR_KEY, "If-Match": tag})
        return r.status_code

    assert sorted(_in_threads(2, one)) == [200, 412]
    assert count(db, Event) == 3   # quote issued, accepted, one decision


def test_a_portal_key_reads_with_validators_too(client, booked):  # noqa: F811
    _, aid = booked
    r = client.get(f"/v1/arrangements/{aid}", headers={"X-API-Key": PORTAL_KEY})
    assert client.get(f"/v1/arrangements/{aid}", headers={"X-API-Key": PORTAL_KEY,
                                                          "If-None-Match": r.headers["ETag"]}).status_code == 304
