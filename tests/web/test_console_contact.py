"""The console's contact page and the follow-ups due today (issue 21): the API's one rule, shown to an agent."""

from __future__ import annotations

import datetime as dt

from service.conftest import AGENT_KEY, PORTAL_KEY, quote_body

from .conftest import AGENT_HEADER

AGENT = {AGENT_HEADER: "agent-7"}
API = {"X-API-Key": AGENT_KEY}


def _at(app, when) -> None:
    app.extensions["negotiator"]["clock"].set(when)


def test_the_contact_page_shows_the_log_the_preferences_and_whether_a_call_is_allowed(web_app):
    client = web_app.test_client()
    _at(web_app, dt.datetime(2027, 1, 8, 2, 30, tzinfo=dt.UTC))        # 21:30 the day before in New York
    r = client.post("/v1/contacts", headers=API, json={
        "account_id": "ACC-7", "policy": "us-card", "channel": "call", "direction": "outbound",
        "at": "2027-01-07T10:00:00-05:00", "outcome": "conversation"})
    assert r.status_code == 201
    page = client.get("/console/accounts/ACC-7/contact?timezone=America/New_York", headers=AGENT)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "No: no call now." in text and "after_conversation" in text and "outside_hours" in text
    assert "2027-01-07T10:00:00-05:00" in text and "us-card" in text
    # The same answer as the API's, for the same question.
    api = client.get("/v1/accounts/ACC-7/contact-window?channel=call&policy=us-card&timezone=America/New_York",
                     headers=API).json
    assert api["next_allowed_at"][:16].replace("T", " ") in text
    zh = client.get("/console/accounts/ACC-7/contact?timezone=America/New_York&lang=zh-CN", headers=AGENT)
    assert "不可以：现在不得致电。" in zh.get_data(as_text=True)
    none = client.get("/console/accounts/ACC-7/contact", headers=AGENT)
    assert none.status_code == 422 and "timezone" in none.get_data(as_text=True)


def test_the_follow_ups_page_lists_todays_work(web_app):
    client = web_app.test_client()
    _at(web_app, dt.date(2026, 11, 23))
    body = quote_body()
    body["account"]["account_id"] = "ACC-FU"
    q = client.post("/v1/quotes", json=body, headers={"X-API-Key": PORTAL_KEY}).json
    r = client.post("/v1/arrangements", json={"quote_id": q["quote_id"], "option_id": q["options"][0]["option_id"],
                                              "accepted_by": "borrower"},
                    headers={"X-API-Key": PORTAL_KEY, "Idempotency-Key": "console-fu-1"})
    assert r.status_code == 201
    _at(web_app, dt.date(2027, 1, 21))
    page = client.get("/console/follow-ups?timezone=Asia/Shanghai", headers=AGENT)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "ACC-FU" in text and "Missed: 29 days ago" in text and "Reminder: due in 2 days" in text
    assert "Re-plan quote q_" in text
    assert client.get("/console/follow-ups?timezone=Mars/Base", headers=AGENT).status_code == 422
