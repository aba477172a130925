"""The pages keep the API's rights table, because they ask the same one (negotiator/app/rights.py): a cell changed
there changes what the console and the borrower page allow; the pages hold no rights of their own."""

from __future__ import annotations

from service.conftest import headers

from negotiator.app.rights import NO, RIGHTS
from negotiator.store.records import Caller

from .pages import csrf, hidden
from .test_console import AGENT, _form, _quote
from .test_portal import _choose, _link, _options

STAFF = Caller("agent", "agent:test")


def test_the_console_asks_the_table_before_quoting_booking_and_listing(web_app, web_client, monkeypatch):
    r = _quote(web_client)
    book = {"csrf_token": csrf(r), "quote_id": hidden(r, "quote_id")[0], "option_id": "catch_up",
            "idem": hidden(r, "idem")[0]}
    monkeypatch.setitem(RIGHTS["accept"], "agent", NO)
    refused = web_client.post("/console/book", data=book, headers=AGENT)
    assert refused.status_code == 403 and "cannot accept offers" in refused.get_data(as_text=True)
    assert web_app.extensions["negotiator"]["records"].account("ACC-1001", STAFF)["arrangements"] == []
    monkeypatch.setitem(RIGHTS["list_account"], "agent", NO)
    listing = web_client.get("/console/accounts?account_id=ACC-1001", headers=AGENT)
    assert listing.status_code == 403 and listing.mimetype == "text/html"
    monkeypatch.setitem(RIGHTS["quote"], "agent", NO)
    assert web_client.post("/console/quote", data=_form(web_client), headers=AGENT).status_code == 403


def test_the_borrower_page_asks_the_table_before_quoting_booking_and_reading(web_app, web_client, monkeypatch):
    link = _link(web_client, "ACC-TABLE")
    page, form = _choose(web_client, link)
    monkeypatch.setitem(RIGHTS["accept"], "portal", NO)
    assert web_client.post(link + "/accept", data=form).status_code == 403
    assert web_app.extensions["negotiator"]["records"].account("ACC-TABLE", STAFF)["arrangements"] == []
    monkeypatch.setitem(RIGHTS["accept"], "portal", "own")
    booked = web_client.post(link + "/accept", data=form)
    assert booked.status_code == 303
    monkeypatch.setitem(RIGHTS["read_arrangement"], "portal", NO)
    assert web_client.get(booked.headers["Location"]).status_code == 404
    monkeypatch.setitem(RIGHTS["quote"], "portal", NO)
    r = _options(web_client, _link(web_client, "ACC-TABLE-2"))
    assert r.status_code == 403 and r.mimetype == "text/html"


def test_the_borrower_page_never_takes_over_an_agents_plan(web_app, web_client):
    """An agent's live plan on the account: the borrower is told there is a plan, never which, and it stays."""
    from .pages import ACCOUNT
    q = web_client.post("/v1/quotes", headers=headers(), json={
        "as_of": "2026-11-23", "account": {**ACCOUNT, "account_id": "ACC-AGENTS"},
        "finances": {"monthly_income": "8000", "monthly_expenses": "5200"}}).get_json()
    r = web_client.post("/v1/arrangements", headers={**headers(), "Idempotency-Key": "agents-plan-0001"},
                        json={"quote_id": q["quote_id"], "option_id": q["options"][0]["option_id"],
                              "accepted_by": "agent-7"})
    assert r.status_code == 201
    aid = r.get_json()["arrangement_id"]
    link = _link(web_client, "ACC-AGENTS")
    _, form = _choose(web_client, link)
    refused = web_client.post(link + "/accept", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and aid not in text and "agent-7" not in text
    [arr] = web_app.extensions["negotiator"]["records"].account("ACC-AGENTS", STAFF)["arrangements"]
    assert arr["arrangement_id"] == aid and arr["status"] == "active"


def test_the_console_records_and_shows_the_signed_in_agent(web_app, web_client):
    r = _quote(web_client)
    book = {"csrf_token": csrf(r), "quote_id": hidden(r, "quote_id")[0], "option_id": "catch_up",
            "idem": hidden(r, "idem")[0]}
    assert web_client.post("/console/book", data=book, headers=AGENT).status_code == 303
    records = web_app.extensions["negotiator"]["records"]
    [arr] = records.account("ACC-1001", STAFF)["arrangements"]
    events = records.events(arr["arrangement_id"], STAFF)["events"]
    assert [(e["type"], e["actor"], e["principal"]) for e in events] == [
        ("quote_issued", "console:agent-7", "console:agent-7"), ("accepted", "agent-7", "console:agent-7")]
    page = web_client.get("/console/accounts?account_id=ACC-1001", headers=AGENT).get_data(as_text=True)
    assert '<td class="principal">console:agent-7</td>' in page


def test_the_borrower_page_records_its_invitation(web_app, web_client):
    link = _link(web_client, "ACC-INV")
    _, form = _choose(web_client, link)
    assert web_client.post(link + "/accept", data=form).status_code == 303
    records = web_app.extensions["negotiator"]["records"]
    [arr] = records.account("ACC-INV", STAFF)["arrangements"]
    principals = {e["principal"] for e in records.events(arr["arrangement_id"], STAFF)["events"]}
    assert len(principals) == 1 and principals.pop().startswith("portal:i_")
