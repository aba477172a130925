"""Dates are the server's (issue 19, item 3), on SQLite and on a real PostgreSQL: the portal quotes as of today,
payments are dated from the plan's start to today (one day of tolerance), reads and the review take days
within NEGOTIATOR_AS_OF_DAYS of today; anything else is refused naming the field, never moved."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from negotiator.core.errors import ValidationError
from negotiator.service import create_app

from .conftest import AGENT_KEY, KEYS, PORTAL_KEY, ROOT, make_config, quote_body

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def app(database_url):
    app = create_app(make_config(database_url=database_url, api_keys=KEYS, portal_rate_limit="off"))
    app.extensions["negotiator"]["clock"].set(TODAY)
    yield app
    app.extensions["negotiator"]["records"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def body(as_of: str | None = "2026-11-23", account_id: str = "ACC-D1", **over) -> dict:
    b = quote_body()
    b["account"]["account_id"] = account_id
    if as_of is None:
        b.pop("as_of", None)
    else:
        b["as_of"] = as_of
    b.update(over)
    return b


def names(r, status: int, field: str):
    assert r.status_code == status, r.json
    assert field in [e["field"] for e in r.json["errors"]], r.json


@pytest.mark.parametrize("path", ["/v1/quotes", "/v1/proposals"])
@pytest.mark.parametrize("as_of", ["2150-01-01", "1990-01-01", "2026-11-22", "2026-11-24"])
def test_a_portal_quote_is_as_of_today_and_a_request_cannot_move_it(client, path, as_of):
    extra = {"proposal": {"monthly_payment": "800.00"}} if path == "/v1/proposals" else {}
    r = client.post(path, json=body(as_of, **extra), headers={"X-API-Key": PORTAL_KEY})
    names(r, 422, "as_of")
    assert "today" in r.json["errors"][0]["message"]
    for same in (None, "2026-11-23"):
        ok = client.post(path, json=body(same, **extra), headers={"X-API-Key": PORTAL_KEY})
        assert ok.status_code == 201 and ok.json["as_of"] == "2026-11-23", ok.json


@pytest.mark.parametrize("as_of, status", [("1990-01-01", 422), ("2150-01-01", 422), ("2025-10-20", 201),
                                           ("2027-12-28", 201), ("2027-12-29", 422)])
def test_an_agents_quote_day_is_within_the_range_of_today(client, as_of, status):
    r = client.post("/v1/quotes", json=body(as_of), headers={"X-API-Key": AGENT_KEY})
    assert r.status_code == status, r.json
    if status == 422:
        names(r, 422, "as_of")


def _arrangement(client) -> str:
    q = client.post("/v1/quotes", json=body(None), headers={"X-API-Key": PORTAL_KEY}).json
    r = client.post("/v1/arrangements", json={"quote_id": q["quote_id"], "option_id": q["options"][0]["option_id"],
                                              "accepted_by": "borrower"},
                    headers={"X-API-Key": PORTAL_KEY, "Idempotency-Key": "dates-key-0001"})
    assert r.status_code == 201, r.json
    return r.json["arrangement_id"]


@pytest.mark.parametrize("query", ["0001-01-01", "9999-12-31", "2025-10-18", "2028-01-01"])
def test_reads_take_days_within_the_range(client, query):
    aid = _arrangement(client)
    for url in (f"/v1/arrangements/{aid}?as_of={query}", f"/v1/accounts/ACC-D1/arrangements?as_of={query}"):
        names(client.get(url, headers={"X-API-Key": AGENT_KEY}), 422, "as_of")
    assert client.get(f"/v1/arrangements/{aid}?as_of=2027-02-23", headers={"X-API-Key": AGENT_KEY}).status_code == 200


@pytest.mark.parametrize("paid_on, as_of, field", [
    ("2199-12-31", "2199-12-31", "as_of"),      # the plan marked completed today with nothing paid
    ("2199-12-31", None, "paid_on"),            # after the day it is recorded
    ("2026-11-25", "2026-11-25", "as_of"),      # two days ahead: beyond the clock's tolerance
    ("2026-11-22", None, "paid_on"),            # before the plan starts
])
def test_payments_are_dated_within_the_plan_and_never_after_today(app, client, paid_on, as_of, field):
    aid = _arrangement(client)
    pay = {"reference": "P-1", "amount": "3300.00", "paid_on": paid_on, **({"as_of": as_of} if as_of else {})}
    names(client.post(f"/v1/arrangements/{aid}/payments", json=pay, headers={"X-API-Key": AGENT_KEY}), 422, field)
    got = client.get(f"/v1/arrangements/{aid}", headers={"X-API-Key": AGENT_KEY}).json
    assert (got["status"], got["paid"]) == ("active", "0.00")


def test_a_payment_dated_tomorrow_is_taken_as_clock_tolerance(client):
    aid = _arrangement(client)
    r = client.post(f"/v1/arrangements/{aid}/payments", headers={"X-API-Key": AGENT_KEY},
                    json={"reference": "P-T", "amount": "100.00", "paid_on": "2026-11-24", "as_of": "2026-11-24"})
    assert r.status_code == 201, r.json


def test_the_review_takes_no_day_after_tomorrow(app, client):
    aid = _arrangement(client)
    records = app.extensions["negotiator"]["records"]
    for day in (dt.date(9999, 12, 31), dt.date(2026, 11, 25), dt.date(2025, 10, 18)):
        with pytest.raises(ValidationError) as exc:
            records.review(day)
        assert exc.value.errors[0].field == "as_of"
    assert records.review(dt.date(2026, 11, 24))["broken"] == 0
    assert client.get(f"/v1/arrangements/{aid}", headers={"X-API-Key": AGENT_KEY}).json["status"] == "active"


def test_the_review_command_refuses_a_day_out_of_range_naming_the_option(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "NEGOTIATOR_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}

    def run(*args, **more):
        return subprocess.run([sys.executable, "-m", "negotiator.cli", *args], cwd=ROOT, env={**env, **more},
                              capture_output=True, text=True, timeout=120)

    assert run("db", "upgrade").returncode == 0
    bad = run("arrangements", "review", "--as-of", "9999-12-31")
    assert bad.returncode == 2 and '"--as-of"' in bad.stderr
    assert run("arrangements", "review").returncode == 0                         # today
    assert run("arrangements", "review", "--as-of", "2000-01-01", NEGOTIATOR_AS_OF_DAYS="9999").returncode == 2
