"""Does a page's time grow with an account's history? (issue 19, item 7)

Builds the service on a fresh SQLite store (or ``--database-url``), gives one
account N past arrangements (each with its quote, 12 instalments, a payment
and its events; made through the portal and ended, as a long-running account
has them), then times, in process, the borrower's page (``GET
/portal/<token>``), the API's account listing and the console's account page
for N = 0 and N = 500 (``--counts``). Prints the median of ``--rounds``
requests each, in milliseconds, and the answer's size.

    .venv/bin/python benchmarks/bench_history.py            # 0 and 500
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

AGENT_KEY = "bench-agent-key-0123456789"
SECRET = "bench-secret-0123456789abcdef0123456789"
NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)


def populate(db, account_id: str, n: int) -> None:
    """``n`` ended arrangements of ``account_id``, written straight into the tables (set-wise, fast)."""
    from negotiator.store.models import Arrangement, Event, Instalment, Payment, Quote
    quotes, arrs, lines, pays, events = [], [], [], [], []
    for k in range(n):
        qid, aid = f"q_hist{k:06d}{uuid.uuid4().hex[:6]}", f"a_hist{k:06d}{uuid.uuid4().hex[:6]}"
        start = dt.date(2020, 1, 1) + dt.timedelta(days=k * 3)
        made = NOW - dt.timedelta(days=3000 - k * 3)
        quotes.append(dict(quote_id=qid, channel="portal", account_id=account_id, policy_name="default",
                           policy_version="1", currency="CNY", as_of=start, request={}, response={"options": []},
                           created_at=made, expires_at=made + dt.timedelta(days=30)))
        arrs.append(dict(arrangement_id=aid, account_id=account_id, quote_id=qid, option_id="instalment",
                         option_type="instalment", approval="none", channel="portal", accepted_by="borrower",
                         status="cancelled" if k % 2 else "superseded", currency="CNY", digits=2,
                         policy_name="default", policy_version="1", starts_on=start,
                         first_due=start + dt.timedelta(days=30), last_due=start + dt.timedelta(days=360),
                         monthly_payment=10000, total_payable=120000, paid_total=10000, term_months=12,
                         grace_days=14, missed_allowed=1, created_at=made, updated_at=made))
        for i in range(12):
            due = start + dt.timedelta(days=30 * (i + 1))
            lines.append(dict(arrangement_id=aid, number=i + 1, due_date=due, grace_ends=due + dt.timedelta(days=14),
                              amount=10000, cum_due=10000 * (i + 1)))
        pays.append(dict(arrangement_id=aid, reference="P1", amount=10000, paid_on=start + dt.timedelta(days=30),
                         channel="batch", recorded_at=made))
        who = f"portal:i_old{k:06d}"
        events += [dict(type="quote_issued", at=made, channel="portal", actor=who, principal=who, account_id=account_id,
                        quote_id=qid, detail={"options": 1}),
                   dict(type="accepted", at=made, channel="portal", actor="borrower", principal=who,
                        account_id=account_id, quote_id=qid, arrangement_id=aid, status_after="active"),
                   dict(type="cancelled", at=made, channel="agent", actor="agent-1", principal="agent:x",
                        account_id=account_id, arrangement_id=aid, status_before="active", status_after="cancelled")]
    keys = ("type", "at", "channel", "actor", "principal", "account_id", "quote_id", "arrangement_id",
            "status_before", "status_after", "detail")
    events = [{k: e.get(k) for k in keys} for e in events]
    with db.transaction() as s:
        for model, rows in ((Quote, quotes), (Arrangement, arrs), (Instalment, lines), (Payment, pays),
                            (Event, events)):
            if rows:
                s.execute(model.__table__.insert(), rows)


def median_ms(fn, rounds: int) -> tuple[float, int]:
    fn()   # warm
    times, size = [], 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        r = fn()
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.status_code
        size = len(r.get_data())
    return statistics.median(times), size


def measure(n: int, rounds: int, database_url: str | None) -> dict:
    from negotiator.service import Config, create_app
    from negotiator.store import upgrade
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'store.sqlite3'}"
        upgrade(url)
        app = create_app(Config(api_keys=f"agent:{AGENT_KEY}", database_url=url, secret_key=SECRET,
                                public_url="http://localhost", console_agent_header="X-Forwarded-User",
                                trusted_proxies="127.0.0.1", portal_rate_limit="off"))
        app.extensions["negotiator"]["clock"].set(NOW)
        records = app.extensions["negotiator"]["records"]
        account = f"ACC-H{n}-{uuid.uuid4().hex[:6]}"
        populate(records.db, account, n)
        c = app.test_client()
        inv = c.post("/v1/invitations", headers={"X-API-Key": AGENT_KEY}, json={"account": {
            "account_id": account, "currency": "CNY", "balance": "12000.00", "arrears": "1500.00", "fees": "300.00",
            "apr": "0.18", "days_past_due": 45, "product": "credit_card", "contractual_payment": "600.00"}})
        link = "/portal/" + inv.get_json()["url"].rsplit("/portal/", 1)[1]
        out = {"arrangements": n}
        for name, fn in (
                ("borrower_page", lambda: c.get(link)),
                ("api_listing", lambda: c.get(f"/v1/accounts/{account}/arrangements",
                                              headers={"X-API-Key": AGENT_KEY})),
                ("console_page", lambda: c.get(f"/console/accounts?account_id={account}",
                                               headers={"X-Forwarded-User": "agent-7"}))):
            ms, size = median_ms(fn, rounds)
            out[name] = {"ms": round(ms, 1), "bytes": size}
        records.db.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counts", default="0,500")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--database-url")
    args = ap.parse_args(argv)
    for n in (int(x) for x in args.counts.split(",")):
        print(json.dumps(measure(n, args.rounds, args.database_url)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
