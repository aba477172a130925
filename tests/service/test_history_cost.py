"""Bounded cost (issue 19, item 7), on SQLite and on a real PostgreSQL: an account's listing is a page, newest
first; the borrower's page, the listing and the console's page run as many statements with 500 past
arrangements as with none, and the borrower's page answers about as fast (benchmarks/bench_history.py prints
the figures)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import statistics
import time

import pytest
import sqlalchemy as sa

from negotiator.service import create_app

from .conftest import AGENT_KEY, KEYS, PORTAL_KEY, ROOT, make_config

_spec = importlib.util.spec_from_file_location("bench_history", ROOT / "benchmarks" / "bench_history.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

SECRET = "history-secret-0123456789abcdef0123456789"
HEADER = "X-Forwarded-User"


@pytest.fixture
def app(database_url):
    app = create_app(make_config(database_url=database_url, api_keys=KEYS, portal_rate_limit="off",
                                 secret_key=SECRET, public_url="http://localhost", console_agent_header=HEADER,
                                 trusted_proxies="127.0.0.1"))
    app.extensions["negotiator"]["clock"].set(bench.NOW)
    yield app
    app.extensions["negotiator"]["records"].db.dispose()


def _link(client, account_id: str) -> str:
    r = client.post("/v1/invitations", headers={"X-API-Key": AGENT_KEY}, json={"account": {
        "account_id": account_id, "currency": "CNY", "balance": "12000.00", "arrears": "1500.00", "fees": "300.00",
        "apr": "0.18", "days_past_due": 45, "product": "credit_card", "contractual_payment": "600.00"}})
    return "/portal/" + r.get_json()["url"].rsplit("/portal/", 1)[1]


def test_the_listing_is_a_page_newest_first(app):
    client = app.test_client()
    bench.populate(app.extensions["negotiator"]["records"].db, "ACC-PAGE", 25)
    h = {"X-API-Key": AGENT_KEY}
    first = client.get("/v1/accounts/ACC-PAGE/arrangements", headers=h).json
    made = [a["created_at"] for a in first["arrangements"]]
    assert len(made) == 20 and made == sorted(made, reverse=True) and first["next_before"]
    rest = client.get(f"/v1/accounts/ACC-PAGE/arrangements?before={first['next_before']}&limit=100", headers=h).json
    assert len(rest["arrangements"]) == 5 and rest["next_before"] is None
    ids = [a["arrangement_id"] for a in first["arrangements"] + rest["arrangements"]]
    assert len(set(ids)) == 25
    for query, field in (("limit=0", "limit"), ("limit=101", "limit"), ("limit=x", "limit"),
                         ("before=a_none", "before")):
        r = client.get(f"/v1/accounts/ACC-PAGE/arrangements?{query}", headers=h)
        assert r.status_code in (404, 422) and field in [e["field"] for e in r.json["errors"]], r.json
    # The portal's page holds the portal's own, and another channel's id as `before` is not found.
    assert client.get("/v1/accounts/ACC-PAGE/arrangements?limit=1",
                      headers={"X-API-Key": PORTAL_KEY}).json["arrangements"][0]["channel"] == "portal"


def _statements(app, fn) -> int:
    engine = app.extensions["negotiator"]["records"].db.engine
    seen = []

    def count(*_args, **_kw):
        seen.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert fn().status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def _pages(client, account_id: str, link: str):
    return {"borrower page": lambda: client.get(link),
            "api listing": lambda: client.get(f"/v1/accounts/{account_id}/arrangements",
                                              headers={"X-API-Key": AGENT_KEY}),
            "console page": lambda: client.get(f"/console/accounts?account_id={account_id}",
                                               headers={HEADER: "agent-7"})}


def test_500_past_arrangements_cost_the_pages_no_more_statements(app):
    client = app.test_client()
    bench.populate(app.extensions["negotiator"]["records"].db, "ACC-LONG", 500)
    bench.populate(app.extensions["negotiator"]["records"].db, "ACC-PAGEFUL", 20)   # one full page, no more
    counts = {}
    for account in ("ACC-NEW", "ACC-PAGEFUL", "ACC-LONG"):
        counts[account] = {k: _statements(app, fn) for k, fn in _pages(client, account, _link(client, account)).items()}
    assert counts["ACC-LONG"] == counts["ACC-PAGEFUL"], counts
    assert counts["ACC-LONG"]["borrower page"] == counts["ACC-NEW"]["borrower page"], counts


def test_the_borrower_page_answers_as_fast_with_500_past_arrangements(app):
    client = app.test_client()
    bench.populate(app.extensions["negotiator"]["records"].db, "ACC-LONG", 500)

    def median(link):
        client.get(link)
        times = []
        for _ in range(9):
            t0 = time.perf_counter()
            assert client.get(link).status_code == 200
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    new, long = median(_link(client, "ACC-NEW")), median(_link(client, "ACC-LONG"))
    # Before: 1.5 ms against 720 ms. Now the same within noise; the bound leaves room for a busy machine.
    assert long < 2 * new + 0.015, (new, long)
    assert dt.timedelta(seconds=long) < dt.timedelta(seconds=0.1)
