"""The nightly review (SQL, set-wise) against the read path (Python), on many random arrangements, both databases.

Arrangements are written straight into the tables (random terms, amounts,
grace days, missed instalments allowed and payments, from a fixed seed);
for a rising series of as-of days the read path's status of each is taken,
the review is run, and the stored statuses must be exactly what the read
path said: ``broken`` and ``completed`` stored, ``active`` and ``at_risk``
left active. Reading again after the review must give the same answers.
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from negotiator.policy import PolicyRegistry
from negotiator.store.db import Database
from negotiator.store.models import Arrangement, Event, Instalment, Payment, Quote
from negotiator.store.records import Caller, Records

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
START = dt.date(2026, 1, 1)

STAFF = Caller("agent", "agent:test")   # the store read as staff see it


def _populate(db: Database, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    arrangements, instalments, payments = [], [], []
    for k in range(n):
        aid = f"a_{k:06d}"
        terms = rng.randint(1, 8)
        grace, allowed = rng.choice([0, 3, 14]), rng.choice([0, 1, 2])
        amounts = [rng.randint(0, 5) * 1000 + rng.randint(0, 99) for _ in range(terms)]
        amounts[-1] = max(amounts[-1], 1)
        first = START + dt.timedelta(days=rng.randint(10, 40))
        dues = [first + dt.timedelta(days=30 * i) for i in range(terms)]
        cum = 0
        for i, (due, amount) in enumerate(zip(dues, amounts)):
            cum += amount
            instalments.append(dict(arrangement_id=aid, number=i + 1, due_date=due,
                                    grace_ends=due + dt.timedelta(days=grace), amount=amount, cum_due=cum))
        total, paid = cum, 0
        for p in range(rng.choice([0, 1, 2, 3, 4])):
            if paid >= total:
                break
            amount = rng.randint(1, total - paid) if rng.random() < 0.3 else min(total - paid, rng.choice(amounts) or 1)
            payments.append(dict(arrangement_id=aid, reference=f"R{p}", amount=amount, channel="agent",
                                 paid_on=START + dt.timedelta(days=rng.randint(0, 300)), recorded_at=NOW))
            paid += amount
        arrangements.append(dict(
            arrangement_id=aid, account_id=f"ACC{k}", quote_id="q1", option_id="o", option_type="instalment",
            approval="none", channel="agent", accepted_by="a", status="active", currency="CNY", digits=2,
            policy_name="default", policy_version="1", starts_on=START, first_due=dues[0], last_due=dues[-1],
            monthly_payment=amounts[0], total_payable=total, paid_total=paid, term_months=terms, grace_days=grace,
            missed_allowed=allowed, created_at=NOW, updated_at=NOW))
    with db.engine.begin() as conn:
        conn.execute(sa.insert(Quote), [dict(quote_id="q1", channel="agent", account_id=None, policy_name="default",
                                             policy_version="1", currency="CNY", as_of=START, request={},
                                             response={}, created_at=NOW, expires_at=NOW)])
        conn.execute(sa.insert(Arrangement), arrangements)
        conn.execute(sa.insert(Instalment), instalments)
        conn.execute(sa.insert(Payment), payments)
    return [a["arrangement_id"] for a in arrangements]


def test_review_and_read_path_agree_on_random_arrangements(database_url):
    db = Database.open(database_url)
    try:
        now = [NOW]
        records = Records(db, PolicyRegistry.load(), clock=lambda: now[0])
        ids = _populate(db, 150, seed=20261129)
        seen = set()
        for days in (20, 45, 75, 110, 160, 230, 330):
            as_of = START + dt.timedelta(days=days)
            now[0] = dt.datetime.combine(as_of, dt.time(23), dt.UTC)   # the nightly review runs that day
            read = {aid: records.arrangement(aid, STAFF, as_of)["status"] for aid in ids}
            seen |= set(read.values())
            result = records.review(as_of)
            with db.sessions() as s:
                stored = dict(s.execute(sa.select(Arrangement.arrangement_id, Arrangement.status)).all())
            expected = {aid: st if st in ("broken", "completed") else "active" for aid, st in read.items()}
            assert stored == expected, as_of
            assert {aid: records.arrangement(aid, STAFF, as_of)["status"] for aid in ids} == read, as_of
            assert result["still_active"] == sum(1 for st in stored.values() if st == "active")
        assert seen == {"active", "at_risk", "broken", "completed"}   # every outcome was exercised
        with db.sessions() as s:
            missed = s.execute(sa.select(Event.arrangement_id, Event.instalment_number)
                               .where(Event.type == "instalment_missed")).all()
        assert len(missed) == len(set(missed))                        # each missed instalment recorded once
    finally:
        db.dispose()
