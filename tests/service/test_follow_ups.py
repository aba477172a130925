"""The day's follow-ups over a seeded book of arrangements, on SQLite and PostgreSQL (issue 21).

Three borrowers accept the portal's catch-up plan on 2026-11-23 (three 1100.00 instalments due 2026-12-23,
2027-01-23 and 2027-02-23; 14 days' grace, one missed instalment allowed under the default policy): one pays
on time, one pays nothing, one pays nothing and has refused calls. The review runs on 2027-01-21 and on
2027-02-10; ``GET /v1/follow-ups`` must give the reminders and follow-ups the instalments' states say, and
each re-plan quote must be the engine's own quote for the same input (here: ``POST /v1/quotes`` with the
account's id, which merges the stored history the same way), the broken plan counted.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from negotiator.service import create_app

from .conftest import AGENT_KEY, KEYS, PORTAL_KEY, ROOT, make_config, quote_body

A = {"X-API-Key": AGENT_KEY}
BOOK = ("ACC-PAYS", "ACC-SILENT", "ACC-NO-CALLS")


@pytest.fixture
def app(database_url):
    app = create_app(make_config(database_url=database_url, api_keys=KEYS, portal_rate_limit="off"))
    yield app
    app.extensions["negotiator"]["records"].db.dispose()


def at(app, day: str) -> None:
    app.extensions["negotiator"]["clock"].set(dt.date.fromisoformat(day))


def body_for(account_id: str) -> dict:
    body = quote_body()
    body["account"]["account_id"] = account_id
    return body


def seed(app, client) -> dict[str, str]:
    at(app, "2026-11-23")
    ids = {}
    for acc in BOOK:
        q = client.post("/v1/quotes", json=body_for(acc), headers={"X-API-Key": PORTAL_KEY}).json
        r = client.post("/v1/arrangements", json={"quote_id": q["quote_id"], "option_id": q["options"][0]["option_id"],
                                                  "accepted_by": "borrower"},
                        headers={"X-API-Key": PORTAL_KEY, "Idempotency-Key": f"seed-{acc}"})
        assert r.status_code == 201 and len(r.json["instalments"]) == 3, r.json
        ids[acc] = r.json["arrangement_id"]
    at(app, "2026-12-20")
    r = client.post(f"/v1/arrangements/{ids['ACC-PAYS']}/payments", headers=A,
                    json={"reference": "P1", "amount": "1100.00", "paid_on": "2026-12-20"})
    assert r.status_code == 201, r.json
    assert client.post("/v1/accounts/ACC-NO-CALLS/contact-preferences", headers=A,
                       json={"refused": ["call"], "timezone": "Asia/Shanghai"}).status_code == 201
    return ids


def review(app, client, day: str) -> list[dict]:
    at(app, day)
    app.extensions["negotiator"]["records"].review(dt.date.fromisoformat(day))
    r = client.get(f"/v1/follow-ups?as_of={day}&timezone=Asia/Shanghai", headers=A)
    assert r.status_code == 200, r.json
    return r.json["follow_ups"]


def summary(items: list[dict]) -> list[tuple]:
    return [(i["account_id"], i["kind"], i["instalment"]["number"], i["days"]) for i in items]


def test_the_review_gives_reminders_and_follow_ups_with_the_engines_re_plan(app, database_url):
    client = app.test_client()
    ids = seed(app, client)
    first = review(app, client, "2027-01-21")
    assert summary(first) == [("ACC-NO-CALLS", "missed", 1, 29), ("ACC-NO-CALLS", "reminder", 2, 2),
                              ("ACC-PAYS", "reminder", 2, 2),
                              ("ACC-SILENT", "missed", 1, 29), ("ACC-SILENT", "reminder", 2, 2)]
    assert all(i["arrangement_status"] == "at_risk" for i in first if i["account_id"] != "ACC-PAYS")
    # Each item carries the one rule's window: 20:00 in Shanghai is within hours; calls refused are never proposed.
    windows = {i["account_id"]: (i["channel"], i["contact_window"]) for i in first}
    assert windows["ACC-PAYS"] == ("call", {"allowed": True, "reasons": [], "next_allowed_at": None})
    assert windows["ACC-NO-CALLS"][1]["allowed"] is False
    assert [r["code"] for r in windows["ACC-NO-CALLS"][1]["reasons"]] == ["channel_refused"]
    assert all(i["replan"] is None for i in first if i["kind"] == "reminder")

    second = review(app, client, "2027-02-10")
    assert summary(second) == [("ACC-NO-CALLS", "missed", 1, 49), ("ACC-NO-CALLS", "missed", 2, 18),
                               ("ACC-PAYS", "missed", 2, 18),
                               ("ACC-SILENT", "missed", 1, 49), ("ACC-SILENT", "missed", 2, 18)]
    # Two missed and one allowed: broken by the review; the payer's one missed instalment leaves its plan at risk.
    assert {i["account_id"]: i["arrangement_status"] for i in second} == {
        "ACC-NO-CALLS": "broken", "ACC-PAYS": "at_risk", "ACC-SILENT": "broken"}
    silent = [i for i in second if i["account_id"] == "ACC-SILENT"]
    replan = silent[0]["replan"]
    assert replan is not None and silent[1]["replan"] == replan
    # The engine's own quote for the same input: the plan's request as of the day, nothing paid off the balance,
    # 79 more days past due, no first payment date; the service merges the stored history (the broken plan).
    body = body_for("ACC-SILENT")
    body["as_of"] = "2027-02-10"
    body["account"]["days_past_due"] += 79
    r = client.post("/v1/quotes", json=body, headers=A)
    assert r.status_code == 201
    assert r.json == replan
    # The broken plan counts: without it in the history, the same request is answered otherwise.
    clean = {**body, "account": {**body["account"], "account_id": "ACC-NEVER-BROKE"}}
    fresh = client.post("/v1/quotes", json=clean, headers=A).json
    assert [o["approval"] for o in fresh["options"]] != [o["approval"] for o in replan["options"]]
    assert all(o["approval"] != "none" for o in replan["options"])        # default: one broken plan, an agent
    # The re-plan is kept: an agent can accept an option of it, replacing the broken plan.
    kept = client.get(f"/v1/quotes/{replan['quote_id']}", headers=A)
    assert kept.status_code == 200
    accepted = client.post("/v1/arrangements", headers={**A, "Idempotency-Key": "replan-silent"}, json={
        "quote_id": replan["quote_id"], "option_id": next(o["option_id"] for o in replan["options"]
                                                          if o["affordable"] and o["within_policy"]),
        "accepted_by": "agent-7"})
    assert accepted.status_code == 201, accepted.json
    # Replaced: the broken plan leaves the day's work.
    after = review(app, client, "2027-02-10")
    assert "ACC-SILENT" not in {i["account_id"] for i in after} and ids


def test_the_command_line_review_prints_the_follow_ups(tmp_path):
    """``negotiator arrangements review`` on a book made 70 days before today (the review refuses the future)."""
    from negotiator.store import upgrade
    url = f"sqlite:///{tmp_path / 'book.sqlite3'}"
    upgrade(url)
    app = create_app(make_config(database_url=url, api_keys=KEYS, portal_rate_limit="off"))
    client = app.test_client()
    today = dt.date.today()
    start = today - dt.timedelta(days=70)
    at(app, start.isoformat())
    body = body_for("ACC-CLI")
    body["as_of"] = start.isoformat()
    q = client.post("/v1/quotes", json=body, headers={"X-API-Key": PORTAL_KEY}).json
    r = client.post("/v1/arrangements", json={"quote_id": q["quote_id"], "option_id": q["options"][0]["option_id"],
                                              "accepted_by": "borrower"},
                    headers={"X-API-Key": PORTAL_KEY, "Idempotency-Key": "cli-book-1"})
    assert r.status_code == 201
    app.extensions["negotiator"]["records"].db.dispose()
    out = subprocess.run([sys.executable, "-m", "negotiator.cli", "arrangements", "review", "--database-url", url,
                          "--as-of", today.isoformat(), "--timezone", "Europe/London"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    missed = [i for i in result["follow_ups"] if i["kind"] == "missed"]
    assert result["instalments_missed"] >= 1 and missed
    assert missed[0]["replan"]["options"] and missed[0]["contact_window"]["allowed"] in (True, False)
    bad = subprocess.run([sys.executable, "-m", "negotiator.cli", "arrangements", "review", "--database-url", url,
                          "--timezone", "Mars/Base"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0 and "--timezone" in bad.stderr


def test_the_day_is_read_a_page_at_a_time_and_the_pages_make_the_whole(app):
    """Issue 23: `limit` arrangements with work a page; the pages put together are the day read at once."""
    client = app.test_client()
    seed(app, client)
    day = "2027-01-21"
    whole = review(app, client, day)
    assert len({i["arrangement_id"] for i in whole}) == 3
    for limit in (1, 2, 3):
        url, paged, pages = f"/v1/follow-ups?as_of={day}&timezone=Asia/Shanghai&limit={limit}", [], 0
        while url:
            r = client.get(url, headers=A)
            assert r.status_code == 200, r.json
            assert len({i["arrangement_id"] for i in r.json["follow_ups"]}) <= limit
            paged += r.json["follow_ups"]
            pages += 1
            url = r.headers["Link"][1:].split(">;")[0] if r.json["next_cursor"] else None
        assert summary(paged) == summary(whole) and pages == -(-3 // limit)
    first = client.get(f"/v1/follow-ups?as_of={day}&limit=1", headers=A).json["next_cursor"]
    other_day = client.get(f"/v1/follow-ups?as_of=2027-01-22&cursor={first}", headers=A)
    assert other_day.status_code == 400 and other_day.json["code"] == "invalid_cursor"
