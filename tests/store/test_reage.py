"""A workout re-ages the account only once its payments are made, on both databases.

FFIEC Uniform Retail Credit Classification and Account Management Policy
(2000): "the borrower should have made at least three consecutive minimum
monthly payments or the equivalent lump sum" (us-card.yaml's
``reage.min_consecutive_payments: 3``). A booked us-card instalment plan is
no re-age on its start date: the account is re-aged on the date of the
third payment under it, and a ``reaged`` event is recorded then, once. A
policy without that rule (``default``) counts the plan from its start, as
before.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from negotiator.policy import PolicyRegistry
from negotiator.store.db import Database
from negotiator.store.models import Arrangement, Event, Instalment, Quote
from negotiator.store.records import Caller, Records

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
#: The server's clock: each payment is recorded on its own day (dates are the server's, issue 19).
TODAY = [NOW]
START = dt.date(2026, 1, 1)
DUES = [dt.date(2026, m, 1) for m in range(2, 8)]     # six monthly instalments of 100.00


def _book(db: Database, aid: str, account: str, policy: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.insert(Quote), [dict(quote_id=f"q_{aid}", channel="agent", account_id=account,
                                             policy_name=policy, policy_version="1", currency="USD", as_of=START,
                                             request={}, response={}, created_at=NOW, expires_at=NOW)])
        conn.execute(sa.insert(Arrangement), [dict(
            arrangement_id=aid, account_id=account, quote_id=f"q_{aid}", option_id="instalment",
            option_type="instalment", approval="none", channel="agent", accepted_by="a", status="active",
            currency="USD", digits=2, policy_name=policy, policy_version="1", starts_on=START, first_due=DUES[0],
            last_due=DUES[-1], monthly_payment=10_000, total_payable=60_000, paid_total=0, term_months=6,
            grace_days=15, missed_allowed=1, created_at=NOW, updated_at=NOW)])
        conn.execute(sa.insert(Instalment), [dict(arrangement_id=aid, number=i + 1, due_date=d,
                                                  grace_ends=d + dt.timedelta(days=15), amount=10_000,
                                                  cum_due=10_000 * (i + 1)) for i, d in enumerate(DUES)])


def _pay(records: Records, aid: str, k: int) -> None:
    day = DUES[k].isoformat()
    TODAY[0] = dt.datetime.combine(DUES[k], dt.time(12), tzinfo=dt.UTC)
    status, _ = records.pay(aid, {"reference": f"P{k}", "amount": "100.00", "paid_on": day, "as_of": day},
                            Caller("agent", "agent:agent-1"), None)
    assert status == 201


def _reaged_events(db: Database, aid: str) -> list[dict]:
    with db.sessions() as s:
        return [e.detail for e in s.scalars(sa.select(Event).where(Event.arrangement_id == aid,
                                                                   Event.type == "reaged"))]


def test_a_us_workout_reages_on_its_third_payment_not_its_start(database_url):
    db = Database.open(database_url)
    try:
        records = Records(db, PolicyRegistry.load(), clock=lambda: TODAY[0])
        _book(db, "a_us", "ACC-US", "us-card")
        late = dt.date(2026, 12, 31)
        assert records.history("ACC-US", late) == ([START], [], [])          # booked: an arrangement, no re-age
        _pay(records, "a_us", 0)
        _pay(records, "a_us", 1)
        assert records.history("ACC-US", late) == ([START], [], [])          # two payments: not yet
        assert _reaged_events(db, "a_us") == []
        _pay(records, "a_us", 2)                                          # the third, on 2026-04-01
        assert _reaged_events(db, "a_us") == [{"reaged_on": "2026-04-01", "payments": 3}]
        assert records.history("ACC-US", late) == ([START], [dt.date(2026, 4, 1)], [])
        assert records.history("ACC-US", dt.date(2026, 3, 31)) == ([START], [], [])   # before that day: none
        _pay(records, "a_us", 3)                                          # a fourth: still one re-age
        assert len(_reaged_events(db, "a_us")) == 1
    finally:
        db.dispose()


def test_a_policy_without_the_payments_rule_counts_the_plan_from_its_start(database_url):
    db = Database.open(database_url)
    try:
        records = Records(db, PolicyRegistry.load(), clock=lambda: TODAY[0])
        _book(db, "a_def", "ACC-DEF", "default")
        assert records.history("ACC-DEF", dt.date(2026, 12, 31)) == ([START], [START], [])
        for k in range(3):
            _pay(records, "a_def", k)
        assert _reaged_events(db, "a_def") == []
        assert records.history("ACC-DEF", dt.date(2026, 12, 31)) == ([START], [START], [])
    finally:
        db.dispose()
