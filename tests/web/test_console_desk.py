"""The console as a desk for a live call (issue 20, item 7), through Flask's test client on a real SQLite store:
find an account and quote with what its record knows, replace and cancel with a reason, the supervisors' queue,
an invitation from the quote, every code and time in words, post/redirect/get on every form."""

from __future__ import annotations

import html
import re

import pytest

from negotiator.service import ConfigError, create_app

from .conftest import AGENT_HEADER, web_config
from .pages import csrf, hidden
from .test_console import AGENT, _book, _quote

SUPERVISOR = {AGENT_HEADER: "sup-1"}
TIGHT = {"monthly_income": "2200", "monthly_expenses": "1900", "other_debt_payments": "0",
         "lump_sum_available": "2000"}


@pytest.fixture
def desk(tmp_path):
    """The console with a supervisor (sup-1) and the agents' time zone set to Shanghai's."""
    from negotiator.store import upgrade
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    upgrade(url)
    app = create_app(web_config(database_url=url, console_supervisors="sup-1, sup-2",
                                console_timezone="Asia/Shanghai"))
    return app, app.test_client()


def _records(app):
    return app.extensions["negotiator"]["records"]


def test_find_an_account_and_quote_with_what_its_record_knows(desk):
    app, client = desk
    never = client.get("/console/accounts?account_id=ACC-NEW", headers=AGENT).get_data(as_text=True)
    assert "no stored quote" in never and "No live plan" in never
    _quote(client, account_id="ACC-FIND")
    found = client.get("/console/accounts?account_id=ACC-FIND", headers=AGENT)
    text = found.get_data(as_text=True)
    assert "What the record knows" in text and "CN¥12,000.00" in text and "Credit card" in text
    assert "CN¥8,000.00" in text and "CST" in text                      # the last quote's time, in Shanghai
    from_quote = hidden(found, "from_quote")[0]
    r = client.post("/console/quote", data={"csrf_token": csrf(found), "lang": "en", "from_quote": from_quote},
                    headers=AGENT)
    assert r.status_code == 303
    page = client.get(r.headers["Location"], headers=AGENT)
    assert "Quote for ACC-FIND" in page.get_data(as_text=True)
    assert hidden(page, "quote_id")[0] != from_quote and 'value="8000.00"' in page.get_data(as_text=True)
    # "Change the figures first": the form filled from the record, nothing to retype.
    form = client.get("/console/?account_id=ACC-FIND", headers=AGENT).get_data(as_text=True)
    assert 'value="ACC-FIND"' in form and 'value="5200.00"' in form


def test_booking_over_a_live_plan_asks_for_a_reason_and_replaces_it(desk):
    app, client = desk
    first = _quote(client, account_id="ACC-REP")
    assert _book(client, first, "catch_up", hidden(first, "quote_id")[0]).status_code == 303
    [live] = _records(app).account("ACC-REP", _staff())["arrangements"]
    again = _quote(client, account_id="ACC-REP")
    text = again.get_data(as_text=True)
    assert "This account has a live plan" in text and live["arrangement_id"] in text
    assert "Replace the live plan with this one" in text and "`replaces`" not in text
    assert hidden(again, "replaces")[0] == live["arrangement_id"]
    qid = hidden(again, "quote_id")[0]
    no_reason = _book(client, again, "catch_up", qid, replaces=live["arrangement_id"], reason="  ")
    assert no_reason.status_code == 422 and "<strong>reason</strong>: Give a reason." in no_reason.get_data(
        as_text=True)
    done = _book(client, again, "catch_up", qid, replaces=live["arrangement_id"], reason="Income fell in May")
    assert done.status_code == 303
    statuses = [a["status"] for a in _records(app).account("ACC-REP", _staff())["arrangements"]]
    assert statuses == ["active", "superseded"]
    page = client.get("/console/accounts?account_id=ACC-REP&lang=zh-CN", headers=AGENT).get_data(as_text=True)
    assert "方案已被替换" in page and "Income fell in May" in page


def test_cancel_the_live_plan_with_a_reason(desk):
    app, client = desk
    q = _quote(client, account_id="ACC-CAN")
    _book(client, q, "catch_up", hidden(q, "quote_id")[0])
    page = client.get("/console/accounts?account_id=ACC-CAN", headers=AGENT)
    aid = hidden(page, "arrangement_id")[0]
    form = {"csrf_token": csrf(page), "lang": "en", "arrangement_id": aid}
    assert client.post("/console/cancel", data={**form, "reason": ""}, headers=AGENT).status_code == 422
    r = client.post("/console/cancel", data={**form, "reason": "Paid in full by a relative"}, headers=AGENT)
    assert r.status_code == 303 and "cancelled=" in r.headers["Location"]
    after = client.get(r.headers["Location"], headers=AGENT).get_data(as_text=True)
    assert f"Cancelled: {aid}." in after and "Plan cancelled" in after and "Paid in full by a relative" in after
    assert "No live plan" in after


def _pending(client, account_id: str, headers=AGENT) -> str:
    q = client.post("/console/quote", data={"csrf_token": csrf(client.get("/console/", headers=headers)),
                                            "lang": "en", "account_id": account_id, "currency": "CNY",
                                            "balance": "12000.00", "arrears": "1500.00", "fees": "300.00",
                                            "apr": "0.18", "days_past_due": "45", "product": "credit_card",
                                            "contractual_payment": "600.00", "policy": "default",
                                            "household_size": "3", **TIGHT}, headers=headers)
    page = client.get(q.headers["Location"], headers=headers)
    form = {"csrf_token": csrf(page), "lang": "en", "quote_id": hidden(page, "quote_id")[0],
            "option_id": "interest_reduction", "idem": hidden(page, "idem")[0]}
    r = client.post("/console/book", data=form, headers=headers)
    return re.search(r"booked=([a-z0-9_]+)", r.headers["Location"]).group(1)


def test_the_supervisors_queue_approves_and_rejects_with_a_reason(desk):
    app, client = desk
    one, two = _pending(client, "ACC-Q1"), _pending(client, "ACC-Q2")
    refused = client.get("/console/queue", headers=AGENT)
    assert refused.status_code == 403 and "For supervisors only" in refused.get_data(as_text=True)
    assert "/console/queue" not in client.get("/console/", headers=AGENT).get_data(as_text=True)
    queue = client.get("/console/queue", headers=SUPERVISOR)
    text = queue.get_data(as_text=True)
    assert queue.status_code == 200 and text.index(one) < text.index(two) and "Booked by agent-7" in text
    form = {"csrf_token": csrf(queue), "lang": "en"}
    no_reason = client.post("/console/decide", data={**form, "arrangement_id": two, "decision": "reject"},
                            headers=SUPERVISOR)
    assert no_reason.status_code == 422 and "Give a reason." in no_reason.get_data(as_text=True)
    r = client.post("/console/decide", data={**form, "arrangement_id": two, "decision": "reject",
                                             "reason": "Income not evidenced"}, headers=SUPERVISOR)
    assert r.status_code == 303
    assert "Rejected" in client.get(r.headers["Location"], headers=SUPERVISOR).get_data(as_text=True)
    r = client.post("/console/decide", data={**form, "arrangement_id": one, "decision": "approve"},
                    headers=SUPERVISOR)
    assert r.status_code == 303
    staff = _staff()
    assert _records(app).arrangement(one, staff)["status"] == "active"
    assert _records(app).arrangement(two, staff)["status"] == "rejected"
    assert _records(app).arrangement(one, staff)["decided_by"] == "sup-1"
    trail = client.get("/console/accounts?account_id=ACC-Q2", headers=AGENT).get_data(as_text=True)
    assert "Income not evidenced" in trail
    # An agent cannot decide, and a supervisor does not decide a plan they booked themselves.
    assert client.post("/console/decide", data={**form, "arrangement_id": one, "decision": "approve"},
                       headers=AGENT).status_code == 403
    own = _pending(client, "ACC-Q3", headers=SUPERVISOR)
    q = client.get("/console/queue", headers=SUPERVISOR)
    assert "another supervisor decides it" in q.get_data(as_text=True)
    token = csrf(client.get("/console/", headers=SUPERVISOR))
    r = client.post("/console/decide", data={"csrf_token": token, "arrangement_id": own, "decision": "approve"},
                    headers=SUPERVISOR)
    assert r.status_code == 403 and _records(app).arrangement(own, staff)["status"] == "pending_approval"
    other = client.get("/console/queue", headers={AGENT_HEADER: "sup-2"})
    r = client.post("/console/decide", data={"csrf_token": csrf(other), "arrangement_id": own,
                                             "decision": "approve"}, headers={AGENT_HEADER: "sup-2"})
    assert r.status_code == 303 and _records(app).arrangement(own, staff)["status"] == "active"


def test_an_invitation_from_the_quote(desk):
    app, client = desk
    q = _quote(client, account_id="ACC-INVITE")
    r = client.post("/console/invite", data={"csrf_token": csrf(q), "lang": "en",
                                             "quote_id": hidden(q, "quote_id")[0]}, headers=AGENT)
    assert r.status_code == 303 and "/console/quotes/q_" in r.headers["Location"]
    page = client.get(r.headers["Location"], headers=AGENT).get_data(as_text=True)
    assert "Invitation for ACC-INVITE, valid until" in page
    link = html.unescape(re.search(r'class="invite-link" href="([^"]+)"', page).group(1))
    assert link.startswith("http://localhost/portal/")
    portal = client.get(link.removeprefix("http://localhost"))
    assert portal.status_code == 200


def test_codes_and_times_are_words_in_chinese(desk):
    app, client = desk
    q = _quote(client, lang="zh-CN", account_id="ACC-ZH")
    text = q.get_data(as_text=True)
    assert "信用卡" in text and "CST" in text
    _book(client, q, "catch_up", hidden(q, "quote_id")[0])
    page = client.get("/console/accounts?account_id=ACC-ZH&lang=zh-CN", headers=AGENT).get_data(as_text=True)
    for word in ("已出具报价", "方案已登记", "变为生效中", "坐席", "信用卡"):
        assert word in page, word
    for code in ("quote_issued", "credit_card", "→ active", "<code>accepted</code>", "+00:00"):
        assert code not in page, code
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d CST", page)


@pytest.mark.parametrize("over,variable", [
    ({"console_timezone": "Mars/Olympus"}, "NEGOTIATOR_CONSOLE_TIMEZONE"),
    ({"console_supervisors": "ok, <b>"}, "NEGOTIATOR_CONSOLE_SUPERVISORS"),
])
def test_bad_console_settings_stop_the_start(over, variable):
    with pytest.raises(ConfigError) as exc:
        web_config(**over).checked()
    assert exc.value.variable == variable


def _staff():
    from negotiator.store.records import Caller
    return Caller("agent", "agent:test")
