"""Quote retention that runs itself (issue 19, item 8), on SQLite and on a real PostgreSQL: quotes never accepted
go some days after they expire and beyond a quota per account; accepted quotes and every event stay."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from negotiator.service import create_app
from negotiator.store.models import Arrangement, Event, Quote

from .conftest import AGENT_KEY, KEYS, make_config, quote_body

DAY = dt.date(2026, 11, 23)


@pytest.fixture
def app(database_url):
    app = create_app(make_config(database_url=database_url, api_keys=KEYS, portal_rate_limit="off",
                                 quote_retention_days=10, quotes_per_account=3))
    app.extensions["negotiator"]["clock"].set(DAY)
    yield app
    app.extensions["negotiator"]["records"].db.dispose()


def _quote(client, account: str, income: int) -> dict:
    body = quote_body()
    body["account"]["account_id"] = account
    body["finances"]["monthly_income"] = f"{income}.00"
    r = client.post("/v1/quotes", json=body, headers={"X-API-Key": AGENT_KEY})
    assert r.status_code == 201, r.json
    return r.json


def _count(app, model, *where) -> int:
    with app.extensions["negotiator"]["records"].db.sessions() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_a_quota_per_account_and_days_after_expiry_and_nothing_accepted_or_recorded(app):
    client = app.test_client()
    retention = app.extensions["negotiator"]["retention"]
    retention.last = float("inf")                    # not due: this test runs it by hand
    clock = app.extensions["negotiator"]["clock"]
    kept = _quote(client, "ACC-RET", 8000)
    r = client.post("/v1/arrangements", headers={"X-API-Key": AGENT_KEY, "Idempotency-Key": "retention-key-1"},
                    json={"quote_id": kept["quote_id"], "option_id": kept["options"][0]["option_id"],
                          "accepted_by": "agent-7"})
    assert r.status_code == 201
    for n in range(5):                               # a client quoting in a loop
        clock.set(dt.datetime.combine(DAY, dt.time(13, n), dt.UTC))
        _quote(client, "ACC-RET", 8100 + n)
    _quote(client, "ACC-OTHER", 8000)
    events = _count(app, Event)
    records = app.extensions["negotiator"]["records"]
    assert records.retain(10, 3) == {"expired": 0, "over_quota": 2}
    assert _count(app, Quote, Quote.account_id == "ACC-RET") == 4            # the accepted one and the 3 newest
    assert _count(app, Quote, Quote.quote_id == kept["quote_id"]) == 1
    # 30 days of validity and 10 of retention later, only the accepted quote is left.
    clock.set(DAY + dt.timedelta(days=41))
    assert records.retain(10, 3) == {"expired": 4, "over_quota": 0}
    assert _count(app, Quote) == 1 and _count(app, Arrangement) == 1
    assert _count(app, Event) == events                                        # quote_issued events stay
    assert client.get(f"/v1/arrangements/{r.json['arrangement_id']}/events",
                      headers={"X-API-Key": AGENT_KEY}).json["events"][0]["type"] == "quote_issued"


def test_the_service_runs_it_itself_at_most_once_an_interval(app):
    client = app.test_client()
    retention = app.extensions["negotiator"]["retention"]
    for n in range(5):                               # the server closes each answer once sent (the test client:
        body = quote_body()                          # close())
        body["account"]["account_id"] = "ACC-SELF"
        body["finances"]["monthly_income"] = f"{8000 + n}.00"
        r = client.post("/v1/quotes", json=body, headers={"X-API-Key": AGENT_KEY})
        assert r.status_code == 201
        r.close()
        assert retention.runs == 1                   # after the first answer, then not again within the hour
    retention.last -= retention.interval             # an hour later
    r = client.get("/healthz")
    r.close()
    assert retention.runs == 2 and _count(app, Quote, Quote.account_id == "ACC-SELF") == 3
