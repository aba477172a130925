"""The rights table (negotiator/app/rights.py), cell by cell, over HTTP, on SQLite and on a real PostgreSQL.

Every cell of :data:`RIGHTS` is one test: ``no`` is a 403 ``wrong_channel`` that
changes nothing; ``all`` is the action done on another channel's record;
``own`` is the action done on the caller's own channel's record and "not found"
(404, the other record never named) on another channel's. The issue-19 breaks
follow: the portal superseding, naming or paying for what it cannot see.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from negotiator.app import rights
from negotiator.app.rights import ALL, NO, OWN, RIGHTS
from negotiator.service import create_app
from negotiator.store.models import Arrangement, Event

from .conftest import AGENT_KEY, BATCH_KEY, KEYS, PORTAL_KEY, make_config, quote_body

SUPERVISOR_KEY = "supervisor-key-0123456789abcdef"
SECRET = "rights-secret-0123456789abcdef0123456789"
KEY = {"agent": AGENT_KEY, "supervisor": SUPERVISOR_KEY, "batch": BATCH_KEY, "portal": PORTAL_KEY}
CELLS = [(action, channel) for action in RIGHTS for channel in rights.CHANNELS]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    """One app per backend for the module (each test works on accounts of its own)."""
    from conftest import _fresh_postgres_url

    from negotiator.store import upgrade
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('rights') / 'store.sqlite3'}"
    else:
        url = _fresh_postgres_url(request.getfixturevalue("postgres_server"))
    upgrade(url)
    app = create_app(make_config(database_url=url, api_keys=f"{KEYS},supervisor:{SUPERVISOR_KEY}",
                                 portal_rate_limit="off", secret_key=SECRET, public_url="https://portal.example.com"))
    app.extensions["negotiator"]["clock"].set(dt.date(2026, 11, 23))   # the examples' day (portal quotes: today)
    yield app
    app.extensions["negotiator"]["records"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def h(channel: str, **extra) -> dict:
    return {"X-API-Key": KEY[channel], **extra}


def account() -> str:
    return "ACC-" + uuid.uuid4().hex[:12]


def body_for(account_id: str, income: str = "8000.00", **over) -> dict:
    body = quote_body()
    body["account"]["account_id"] = account_id
    body["finances"]["monthly_income"] = income
    body.update(over)
    return body


def quote(client, channel: str, account_id: str, income: str = "8000.00") -> dict:
    r = client.post("/v1/quotes", json=body_for(account_id, income), headers=h(channel))
    assert r.status_code == 201, r.json
    return r.json


def accept(client, channel: str, q: dict, option_id: str | None = None, **extra):
    body = {"quote_id": q["quote_id"], "option_id": option_id or q["options"][0]["option_id"],
            "accepted_by": "borrower" if channel == "portal" else f"{channel}-7", **extra}
    return client.post("/v1/arrangements", json=body, headers=h(channel, **{"Idempotency-Key": uuid.uuid4().hex}))


def live(client, owner: str, account_id: str | None = None) -> dict:
    """A live arrangement made through ``owner``'s channel."""
    r = accept(client, owner, quote(client, owner, account_id or account()))
    assert r.status_code == 201, r.json
    return r.json


def pending(client) -> dict:
    """An agent's arrangement waiting for a supervisor."""
    q = quote(client, "agent", account(), income="6000.00")
    opt = next(o for o in q["options"] if o["approval"] == "supervisor" and o["affordable"])
    r = accept(client, "agent", q, opt["option_id"])
    assert r.status_code == 201 and r.json["status"] == "pending_approval", r.json
    return r.json


def status_of(app, aid: str) -> str:
    with app.extensions["negotiator"]["records"].db.sessions() as s:
        return s.get(Arrangement, aid).status


def other(channel: str) -> str:
    """A channel whose records ``channel`` is tested against: the portal's for staff, an agent's for the portal."""
    return "agent" if channel == "portal" else "portal"


def refused(r, status: int, field: str, code: str):
    assert r.status_code == status, r.json
    assert r.json["type"] == f"urn:negotiator:problem:{code}", r.json
    assert field in [e["field"] for e in r.json["errors"]], r.json


# --------------------------------------------------------------------------- each action, done on a record

def do(app, client, action: str, channel: str, owner: str):
    """Do ``action`` as ``channel`` on a record made through ``owner``'s channel; ``(response, record_id, check)``
    where ``check(ok)`` asserts the record's state after a refusal (unchanged) or success."""
    if action == "quote":
        return client.post("/v1/quotes", json=body_for(account()), headers=h(channel)), None
    if action == "what_if":
        return client.post("/v1/proposals", json=body_for(account(), proposal={"monthly_payment": "800.00"}),
                           headers=h(channel)), None
    if action == "read_quote":
        q = quote(client, owner, account())
        return client.get(f"/v1/quotes/{q['quote_id']}", headers=h(channel)), q["quote_id"]
    if action == "accept":
        return accept(client, channel, quote(client, owner, account())), None
    if action == "replace":
        acc = account()
        old = live(client, owner, acc)
        q = quote(client, channel, acc) if rights.allowed(channel, "quote") else quote(client, "agent", acc)
        return accept(client, channel, q, replaces=old["arrangement_id"]), old["arrangement_id"]
    if action == "decide":
        arr = pending(client)
        return client.post(f"/v1/arrangements/{arr['arrangement_id']}/decision", headers=h(channel),
                           json={"decision": "approve", "decided_by": "sup-1"}), arr["arrangement_id"]
    aid = live(client, owner)["arrangement_id"]
    if action == "cancel":
        return client.post(f"/v1/arrangements/{aid}/cancel", json={"cancelled_by": "agent-7"},
                           headers=h(channel)), aid
    if action == "pay":
        return client.post(f"/v1/arrangements/{aid}/payments", headers=h(channel), json={
            "reference": "PAY-1", "amount": "100.00", "paid_on": "2026-11-23"}), aid
    if action == "read_arrangement":
        return client.get(f"/v1/arrangements/{aid}", headers=h(channel)), aid
    if action == "read_events":
        return client.get(f"/v1/arrangements/{aid}/events", headers=h(channel)), aid
    if action == "list_account":
        with app.extensions["negotiator"]["records"].db.sessions() as s:
            acc = s.get(Arrangement, aid).account_id
        return client.get(f"/v1/accounts/{acc}/arrangements", headers=h(channel)), aid
    if action == "invite":
        return client.post("/v1/invitations", headers=h(channel), json={
            "account": {**body_for(account())["account"]}}), None
    raise AssertionError(action)


def contact(client, channel: str, account_id: str):
    return client.post("/v1/contacts", headers=h(channel), json={
        "account_id": account_id, "policy": "us-card", "channel": "call", "direction": "inbound",
        "at": "2026-11-23T10:00:00-05:00", "outcome": "conversation"})


def do_contact(app, client, action: str, channel: str, owner: str):
    """The contact actions (issue 21): a contact made through ``owner``'s channel, then ``action``."""
    acc = account()
    assert contact(client, owner, acc).status_code == 201
    if action == "record_contact":
        return contact(client, channel, acc), None
    if action == "read_contacts":
        return client.get(f"/v1/accounts/{acc}/contacts", headers=h(channel)), acc
    if action == "set_preferences":
        return client.post(f"/v1/accounts/{acc}/contact-preferences", headers=h(channel),
                           json={"refused": ["sms"]}), None
    if action == "contact_window":
        return client.get(f"/v1/accounts/{acc}/contact-window?channel=call&timezone=America/New_York",
                          headers=h(channel)), None
    if action == "follow_ups":
        return client.get("/v1/follow-ups?as_of=2026-11-23", headers=h(channel)), None
    raise AssertionError(action)


CONTACT_ACTIONS = ("record_contact", "read_contacts", "set_preferences", "contact_window", "follow_ups")
_do = do


def do(app, client, action: str, channel: str, owner: str):   # noqa: F811 - the table's actions, then contact's
    if action in CONTACT_ACTIONS:
        return do_contact(app, client, action, channel, owner)
    return _do(app, client, action, channel, owner)


OK = {"quote": 201, "what_if": 201, "read_quote": 200, "accept": 201, "replace": 201, "decide": 200, "cancel": 200,
      "pay": 201, "read_arrangement": 200, "read_events": 200, "list_account": 200, "invite": 201,
      "record_contact": 201, "read_contacts": 200, "set_preferences": 201, "contact_window": 200, "follow_ups": 200}
NOT_FOUND = {"read_quote": ("quote_id", "unknown_quote"), "accept": ("quote_id", "unknown_quote"),
             "replace": ("replaces", "unknown_arrangement"), "cancel": ("arrangement_id", "unknown_arrangement"),
             "pay": ("arrangement_id", "unknown_arrangement"), "decide": ("arrangement_id", "unknown_arrangement"),
             "read_arrangement": ("arrangement_id", "unknown_arrangement"),
             "read_events": ("arrangement_id", "unknown_arrangement")}


def test_the_table_is_complete_and_speaks_only_its_three_words():
    assert list(RIGHTS) == list(rights.ACTIONS)
    assert all(set(row) == set(rights.CHANNELS) and set(row.values()) <= {ALL, OWN, NO} for row in RIGHTS.values())
    # What issue 19 asks of it: the portal never records payments, never decides, cancels or invites.
    assert [a for a in RIGHTS if RIGHTS[a]["portal"] == ALL] == []
    assert {a for a in RIGHTS if RIGHTS[a]["portal"] == NO} == {"decide", "cancel", "pay", "invite", "review",
                                                                    "contact_window", "follow_ups"}


@pytest.mark.parametrize("action, channel", CELLS, ids=[f"{a}-{c}" for a, c in CELLS])
def test_every_cell_of_the_table_holds_over_http(app, client, action, channel):
    cell = RIGHTS[action][channel]
    if action == "review":
        # The review has no address: only the command line (with the database's URL) runs it.
        assert cell == NO and not [r.rule for r in app.url_map.iter_rules() if "review" in r.rule]
        return
    events_before = _events(app)
    if cell == NO:
        r, rid = do(app, client, action, channel, other(channel))
        after = _events(app)
        refused(r, 403, "X-API-Key", "wrong_channel")
        if rid and rid.startswith("a_"):
            assert status_of(app, rid) in ("active", "pending_approval")        # untouched
        # nothing written by the refused request (only the setup's quotes and acceptances)
        assert {t for t in after[len(events_before):]} <= {"quote_issued", "accepted"}
        return
    r, rid = do(app, client, action, channel, other(channel))
    if cell == ALL:
        assert r.status_code == OK[action], r.json
        if action == "list_account":
            assert rid in [a["arrangement_id"] for a in r.json["arrangements"]]
        return
    # own: another channel's record is not found, never named; the caller's own is served
    if action in NOT_FOUND:
        refused(r, 404, *NOT_FOUND[action])
        assert rid is None or rid not in r.get_data(as_text=True)
        if action == "replace":
            assert status_of(app, rid) == "active"                               # not superseded
    elif action == "list_account":
        assert r.status_code == 200 and r.json["arrangements"] == []
    elif action == "read_contacts":   # another channel's contacts are not in the portal's view
        assert r.status_code == 200 and r.json["contacts"] == []
    else:
        assert r.status_code == OK[action], r.json
        return
    mine, _ = do(app, client, action, channel, channel)
    assert mine.status_code == OK[action], mine.json
    if action == "list_account":
        assert len(mine.json["arrangements"]) == 1
    if action == "read_contacts":
        assert len(mine.json["contacts"]) == 1


def _events(app) -> list[str]:
    with app.extensions["negotiator"]["records"].db.sessions() as s:
        return list(s.scalars(sa.select(Event.type).order_by(Event.event_id)))


# --------------------------------------------------------------------------- the breaks of issue 19, item 2

@pytest.mark.parametrize("made_by", ["agent", "supervisor_pending"])
def test_a_portal_accept_never_names_nor_supersedes_another_channels_live_arrangement(app, client, made_by):
    acc = account()
    if made_by == "agent":
        theirs = live(client, "agent", acc)
    else:   # a supervisor's settlement waiting for approval (made by an agent key)
        q = quote(client, "agent", acc, income="6000.00")
        opt = next(o for o in q["options"] if o["approval"] == "supervisor" and o["affordable"])
        theirs = accept(client, "agent", q, opt["option_id"]).json
    aid = theirs["arrangement_id"]
    q = quote(client, "portal", acc)
    r = accept(client, "portal", q)
    refused(r, 409, "replaces", "arrangement_exists")
    assert aid not in r.get_data(as_text=True)
    r = accept(client, "portal", q, replaces=aid)
    refused(r, 404, "replaces", "unknown_arrangement")
    assert aid not in r.get_data(as_text=True)
    assert status_of(app, aid) == theirs["status"]
    # An unknown id is answered alike: the portal cannot tell another channel's record from none.
    unknown = accept(client, "portal", q, replaces="a_00000000000000000000")
    assert (unknown.status_code, unknown.json["detail"]) == (r.status_code, r.json["detail"])


def test_a_portal_key_records_no_payment(app, client):
    aid = live(client, "portal")["arrangement_id"]
    for paid_on in ("2026-11-23", "2199-12-31"):
        r = client.post(f"/v1/arrangements/{aid}/payments", headers=h("portal"),
                        json={"reference": f"P-{paid_on}", "amount": "3300.00", "paid_on": paid_on,
                              "as_of": paid_on})
        refused(r, 403, "X-API-Key", "wrong_channel")
    assert status_of(app, aid) == "active"


def test_the_portal_reads_another_channels_events_without_staff_ids_or_internal_reasons(app, client):
    """A supervisor cancels the borrower's plan for an internal reason: the borrower sees that it was cancelled."""
    aid = live(client, "portal")["arrangement_id"]
    r = client.post(f"/v1/arrangements/{aid}/cancel", headers=h("supervisor"),
                    json={"cancelled_by": "sup-jane.doe", "reason": "internal: suspected fraud"})
    assert r.status_code == 200
    staff = client.get(f"/v1/arrangements/{aid}/events", headers=h("agent")).json["events"]
    assert staff[-1]["actor"] == "sup-jane.doe" and staff[-1]["detail"] == {"reason": "internal: suspected fraud"}
    seen = client.get(f"/v1/arrangements/{aid}/events", headers=h("portal"))
    text = seen.get_data(as_text=True)
    assert "sup-jane.doe" not in text and "suspected fraud" not in text
    last = seen.json["events"][-1]
    assert (last["type"], last["actor"], last["status_after"], last["request_id"]) == (
        "cancelled", "supervisor", "cancelled", None)
    # The borrower's own events stay as they were.
    assert seen.json["events"][1]["actor"] == "borrower"


def test_a_plan_superseded_by_an_agent_does_not_name_the_agents_plan_to_the_portal(app, client):
    acc = account()
    mine = live(client, "portal", acc)
    r = accept(client, "agent", quote(client, "agent", acc), replaces=mine["arrangement_id"])
    assert r.status_code == 201
    text = client.get(f"/v1/arrangements/{mine['arrangement_id']}/events", headers=h("portal")).get_data(as_text=True)
    assert '"superseded"' in text and r.json["arrangement_id"] not in text and "agent-7" not in text


# --------------------------------------------------------------------------- one place: the table moves both


def test_a_cell_changed_in_the_table_changes_what_the_api_allows(app, client, monkeypatch):
    """The views hold no rights of their own (the pages' side: tests/web/test_rights_pages.py)."""
    monkeypatch.setitem(RIGHTS["invite"], "agent", NO)
    refused(do(app, client, "invite", "agent", "agent")[0], 403, "X-API-Key", "wrong_channel")
    monkeypatch.setitem(RIGHTS["pay"], "portal", ALL)
    aid = live(client, "agent")["arrangement_id"]
    r = client.post(f"/v1/arrangements/{aid}/payments", headers=h("portal"),
                    json={"reference": "P-1", "amount": "10.00", "paid_on": "2026-11-23"})
    assert r.status_code == 201


# --------------------------------------------------------------------------- the actor is who authenticated (item 2)

def principal(channel: str) -> str:
    import hashlib
    return f"{channel}:{hashlib.sha256(KEY[channel].encode()).hexdigest()[:16]}"


def test_every_event_records_the_key_that_acted_beside_the_actor_the_body_names(app, client):
    q = quote(client, "agent", account(), income="6000.00")
    opt = next(o for o in q["options"] if o["approval"] == "supervisor" and o["affordable"])
    # An agent key writes "accepted by borrower": the body's claim is kept, and so is the key that made it.
    arr = accept(client, "agent", q, opt["option_id"], accepted_by="borrower").json
    aid = arr["arrangement_id"]
    assert client.post(f"/v1/arrangements/{aid}/decision", headers=h("supervisor"),
                       json={"decision": "approve", "decided_by": "sup-1"}).status_code == 200
    assert client.post(f"/v1/arrangements/{aid}/payments", headers=h("batch"), json={
        "reference": "FEED-1", "amount": "10.00", "paid_on": "2026-11-23"}).status_code == 201
    assert client.post(f"/v1/arrangements/{aid}/cancel", headers=h("agent"),
                       json={"cancelled_by": "agent-9"}).status_code == 200
    events = client.get(f"/v1/arrangements/{aid}/events", headers=h("agent")).json["events"]
    assert [(e["type"], e["actor"], e["principal"]) for e in events] == [
        ("quote_issued", principal("agent"), principal("agent")),
        ("accepted", "borrower", principal("agent")),
        ("approved", "sup-1", principal("supervisor")),
        ("payment_recorded", principal("batch"), principal("batch")),
        ("cancelled", "agent-9", principal("agent"))]


def test_the_portal_reads_its_own_principal_and_no_one_elses(app, client):
    aid = live(client, "portal")["arrangement_id"]
    assert client.post(f"/v1/arrangements/{aid}/cancel", headers=h("agent"),
                       json={"cancelled_by": "agent-9"}).status_code == 200
    events = client.get(f"/v1/arrangements/{aid}/events", headers=h("portal")).json["events"]
    assert [(e["type"], e["actor"], e["principal"]) for e in events] == [
        ("quote_issued", principal("portal"), principal("portal")), ("accepted", "borrower", principal("portal")),
        ("cancelled", "agent", None)]
    assert principal("agent") not in client.get(f"/v1/arrangements/{aid}/events",
                                                headers=h("portal")).get_data(as_text=True)
