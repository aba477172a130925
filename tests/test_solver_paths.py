"""The engine's two speeds give the same answers.

One choice exists only for speed, and it must be invisible: the plan
kernels and the ladder's per-account kernels run as plain Python for a few
plans or accounts and compiled by numba over arrays for many. These tests
force each way and compare.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator import kernels as K
from negotiator.engine import compiled
from negotiator.engine import plans as P
from negotiator.engine.accounts import Accounts
from negotiator.engine.affordability import assess
from negotiator.engine.decide import decide
from negotiator.engine.options import build
from negotiator.policy import PolicyRegistry

MODES = ["half_up", "half_even", "down"]


def random_plans(seed: int, n: int) -> P.Plans:
    rng = np.random.default_rng(seed)
    plans = P.Plans.build(
        principal=rng.integers(1, 10**9, n), fees=rng.integers(0, 10**6, n), apr_ppm=rng.integers(0, 10**6, n),
        flat_fee=np.where(rng.random(n) < 0.2, rng.integers(0, 10**5, n), 0), term=rng.integers(1, 120, n),
        hold=np.where(rng.random(n) < 0.2, rng.integers(0, 6, n), 0), hold_payment=0,
        ppy=rng.choice([12, 12, 26, 52], n))
    # An odd first period (issue 18): half the plans run 0 to 120 days to their first due date, by a 360- or
    # 365-day year.
    plans.year = np.where(rng.random(n) < 0.5, rng.choice([360, 365], n), 0)
    plans.odd = np.where(plans.year > 0, rng.integers(0, 121, n), 0)
    plans.term = np.maximum(plans.term, plans.hold + 1)
    # Exact ties under half-up and half-even: whole hundreds at 18% a year.
    plans.apr_ppm[: n // 5] = 180_000
    plans.principal[: n // 5] = rng.integers(1, 10**7, n // 5) * 100
    return plans


def both_ways(monkeypatch, fn):
    """``fn()`` with the kernels as plain Python, then compiled by numba."""
    monkeypatch.setattr(compiled, "MODE", "python")
    plain = fn()
    monkeypatch.setattr(compiled, "MODE", "compiled")
    return plain, fn()


@pytest.mark.parametrize("mode", MODES)
def test_solve_same_both_ways_and_keeps_its_rule(mode, monkeypatch):
    plans = random_plans(9, 3_000)
    plain, fast = both_ways(monkeypatch, lambda: P.solve(plans, mode))
    assert np.array_equal(fast.level, plain.level) and np.array_equal(fast.final, plain.final)
    assert np.array_equal(fast.term, plain.term)
    # The rule: the last payment is positive and never above the level one,
    # and one unit less of level would break that.
    assert (fast.final > 0).all() and (fast.final <= fast.level).all()
    m = K.MODES[mode]
    for i in range(len(plans)):
        if fast.term[i] > plans.hold[i] + 1 and fast.level[i] > 1:
            cols = [int(c[i]) for c in (plans.principal, plans.fees, plans.apr_ppm, plans.flat_fee)]
            lower = K.run_final(*cols, int(fast.term[i]), int(plans.hold[i]), int(plans.hold_payment[i]),
                                int(plans.hold_apr_ppm[i]), int(plans.den[i]), int(plans.odd[i]), int(plans.year[i]),
                                int(fast.level[i]) - 1, m)
            assert lower > fast.level[i] - 1, i


@pytest.mark.parametrize("mode", MODES)
def test_schedules_rates_and_values_same_both_ways(mode, monkeypatch):
    plans = random_plans(13, 800)
    plans.hold_payment = np.where(plans.hold > 0, plans.principal // 200, 0)
    plans.hold_apr_ppm = np.where(np.arange(len(plans)) % 3 == 0, plans.apr_ppm // 2, 0)
    solved = P.solve(plans, mode)

    start = 20_780 + np.arange(len(plans)) % 400          # 2026-11-23 onwards: months of every length
    first = start + plans.odd

    def work():
        return (P.estimate_level(plans), P.schedule_arrays(plans, solved, mode),
                P.disclosed_rate(plans, solved, mode), P.present_value(plans, solved, 0.008),
                P.disclosed_rate(plans, solved, mode, all_in=True), P.dated_rate(plans, solved, start, first, mode),
                P.dated_rate(plans, solved, start, first, mode, all_in=True))

    (e1, s1, r1, v1, a1, d1, x1), (e2, s2, r2, v2, a2, d2, x2) = both_ways(monkeypatch, work)
    assert np.array_equal(e1, e2)
    for a, b in zip(s1, s2):
        assert np.array_equal(a, b)
    assert np.array_equal(r1, r2) and np.array_equal(v1, v2)
    assert np.array_equal(a1, a2) and np.array_equal(d1, d2) and np.array_equal(x1, x2)
    # Every schedule runs out exactly: its balance ends at zero.
    assert (s1[4][np.arange(len(plans)), solved.term - 1] == 0).all()
    # Every schedule adds up to its plan's total, to the minor unit.
    assert np.array_equal(s1[0].sum(axis=1), solved.total(plans))


@given(st.lists(st.tuples(st.integers(1, 10**12), st.integers(0, 10**5), st.integers(0, 10**6),
                          st.integers(0, 10**4), st.integers(1, 400), st.integers(0, 6), st.integers(0, 120),
                          st.sampled_from([0, 360, 365])), min_size=1, max_size=60),
       st.sampled_from(MODES))
@settings(max_examples=60, deadline=None)
def test_any_plans_same_both_ways(rows, mode):
    """Hypothesis over the whole range of terms: the compiled kernels and plain Python give the same plans.

    A flat fee is a monthly share of the principal (at most 1 %), as the engine prices it.
    """
    cols = list(zip(*rows))
    flat = [p * f // 10**6 for p, f in zip(cols[0], cols[3])]
    plans = P.Plans.build(principal=cols[0], fees=cols[1], apr_ppm=cols[2], flat_fee=flat, term=cols[4],
                          hold=cols[5], hold_payment=[c // 100 for c in cols[0]], odd=cols[6], year=cols[7])
    plans.term = np.maximum(plans.term, plans.hold + 1)
    old = compiled.MODE
    try:
        compiled.MODE = "python"
        plain = P.solve(plans, mode)
        compiled.MODE = "compiled"
        fast = P.solve(plans, mode)
    finally:
        compiled.MODE = old
    for k in ("level", "final", "term"):
        assert np.array_equal(getattr(plain, k), getattr(fast, k)), k


def _portfolio(n: int, seed: int, currency: str, ppy: int) -> Accounts:
    """Accounts of every shape the ladder meets: hardship of every kind (moratoria too), lump sums,
    fee breakdowns, unknown histories, tiny balances, loans and cards."""
    rng = np.random.default_rng(seed)
    balance = rng.integers(1_000, 5_000_000, n)
    balance[: n // 50] = rng.integers(1, 500, n // 50)
    dpd = rng.choice([0, 15, 45, 75, 105, 135, 165, 200, 400], n)
    fees = np.where(rng.random(n) < 0.8, balance * rng.integers(0, 8, n) // 100, 0)
    is_loan = rng.random(n) < 0.35
    income = rng.integers(50_000, 2_000_000, n)
    hardship = np.where(rng.random(n) < 0.35, rng.integers(1, 24, n), 0)
    p1 = fees * rng.integers(0, 60, n) // 100
    p2 = (fees - p1) * rng.integers(0, 100, n) // 100
    parts = np.where((rng.random(n) < 0.5)[:, None], np.stack([p1, p2, fees - p1 - p2], axis=1), -1)
    return Accounts(
        currency=np.full(n, currency, dtype=object), digits=np.full(n, 2), balance=balance,
        arrears=np.where(dpd > 0, balance * rng.integers(0, 40, n) // 100, 0), fees=fees,
        contractual=np.maximum(balance // rng.integers(10, 40, n), 1),
        apr_ppm=rng.choice([0, 50_000, 120_000, 180_000, 240_000, 299_000, 360_000], n), dpd=dpd, is_loan=is_loan,
        remaining_term=np.where(is_loan, rng.integers(1, 72, n), 0), income=income,
        expenses=income * rng.integers(30, 110, n) // 100, other_debt=income * rng.integers(0, 10, n) // 100,
        household=rng.integers(1, 6, n),
        lump_sum=np.where(rng.random(n) < 0.3, (balance + fees) * rng.integers(5, 130, n) // 100, 0),
        hardship_months=hardship, age_months=np.where(rng.random(n) < 0.1, -1, rng.integers(1, 120, n)),
        consecutive=np.where(rng.random(n) < 0.05, -1, rng.integers(0, 12, n)),
        reages_12m=rng.choice([0, 0, 0, 1, 2], n), reages_5y=rng.choice([0, 0, 1, 2, 3], n),
        hardship_kind=np.where(hardship > 0, rng.integers(0, 7, n), -1),
        income_during=income * rng.integers(0, 100, n) // 100, fee_parts=parts, ppy=np.full(n, ppy, dtype=np.int64),
        # Plans start on days of every month (the UK APR's real dates) and run to a first due date the borrower
        # chose (1 to 45 days away) or the policy's (issue 18: the first period by the day count).
        as_of_day=20_780 + rng.integers(0, 800, n), first_due_days=np.where(rng.random(n) < 0.5,
                                                                          rng.integers(1, 46, n), 0))


_OUTPUTS = ("offered", "monthly_payment", "max_payment", "total", "effective_apr", "value", "tier", "affordable", "npv",
            "plan_apr", "total_interest", "total_fees", "regular", "fees_waived", "principal_forgiven", "longest",
            "all_in_apr", "fees_capped")
_CASES = [(p, ch, ppy, what) for p in ("default", "cn-card", "us-card", "uk-conc", "cn-loan")
          for ch, ppy, what in (("agent", 12, None), ("portal", 12, None), ("agent", 52, None), ("agent", 26, None),
                                ("portal", 26, "term"), ("agent", 12, "term"), ("agent", 12, "lump"),
                                ("agent", 12, "ceiling"))]


@pytest.mark.parametrize("policy_name,channel,ppy,what", _CASES)
def test_ladder_same_both_ways(policy_name, channel, ppy, what, monkeypatch):
    """Every output of every kind, worked out by the ladder kernels as plain Python and compiled, agrees exactly."""
    policy = PolicyRegistry.load().get(policy_name)
    acc = _portfolio(300, len(policy_name) * 100 + ppy, (policy.currencies or ("CNY",))[0], ppy)
    a = assess(acc, policy, channel)
    types, fixed = None, None
    if what == "ceiling":        # a what-if payment: the proposal is the ceiling
        a = a.with_ceiling(np.random.default_rng(5).integers(1, 300_000, len(acc)))
    elif what == "term":
        types, fixed = ("instalment", "term_extension"), {"term": 40}
    elif what == "lump":
        types, fixed = ("settlement",), {"lump": 1_234_567}
    plain, fast = both_ways(monkeypatch, lambda: build(acc, a, policy, channel, types, fixed=fixed))
    assert plain.keys() == fast.keys() and plain
    for t in plain:
        s, g = plain[t], fast[t]
        assert list(s.decline) == list(g.decline), t
        for name in _OUTPUTS:
            assert np.array_equal(getattr(s, name), getattr(g, name)), (t, name)
        for name, v in s.plans.__dict__.items():
            assert np.array_equal(v, getattr(g.plans, name)), (t, name)
        for name in ("level", "final", "term"):
            assert np.array_equal(getattr(s.solved, name), getattr(g.solved, name)), (t, name)
        assert s.extra.keys() == g.extra.keys(), t
        for name, v in s.extra.items():
            assert np.array_equal(v, g.extra[name]), (t, name)
    assert any(s.offered.any() for s in plain.values())
    # The decision over those sets: the recommendation kernel, both ways.
    dp, dg = both_ways(monkeypatch, lambda: decide(acc, plain, a.now, policy, channel))
    for name in ("recommended", "nearest", "shortfall"):
        assert np.array_equal(getattr(dp, name), getattr(dg, name)), name
    # Something is recommended or named nearest, unless no visible plan is within policy (the nearest must be
    # one the lender can grant).
    assert (dp.recommended >= 0).any() or (dp.nearest >= 0).any() or \
        not any((v & plain[t].within_policy).any() for t, v in dp.visible.items())


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5), st.data())
def test_the_pick_is_the_largest_rounded_npv_else_the_nearest_plan(k, n, data):
    """:func:`ladder.pick_many` against its definition, with NPVs on and beside halves so ties and rounding count."""
    from negotiator.engine.ladder import pick_many
    npv = np.array(data.draw(st.lists(st.sampled_from([-3.5, -2.5, 0.0, 0.5, 1.5, 2.49, 2.5, 2.51, 3.5, 100.0]),
                                      min_size=k * n, max_size=k * n)))
    visible = np.array(data.draw(st.lists(st.booleans(), min_size=k * n, max_size=k * n)))
    usable = visible & np.array(data.draw(st.lists(st.booleans(), min_size=k * n, max_size=k * n)))
    pay = np.array(data.draw(st.lists(st.integers(0, 50), min_size=k * n, max_size=k * n)), dtype=np.int64)
    afford = np.array(data.draw(st.lists(st.integers(0, 50), min_size=n, max_size=n)), dtype=np.int64)
    order = np.array(sorted(data.draw(st.sets(st.integers(0, 9), min_size=k, max_size=k))), dtype=np.int64)
    out = [0] * (3 * n)
    pick_many(npv.tolist(), usable.tolist(), visible.tolist(), pay.tolist(), afford.tolist(), order.tolist(), k, n, out)
    for i in range(n):
        rows = [j * n + i for j in range(k)]
        scores = [np.round(npv[c]) if usable[c] else None for c in rows]
        if any(x is not None for x in scores):
            top = max(x for x in scores if x is not None)
            want = (order[next(j for j, x in enumerate(scores) if x == top)], -1, 0)
        else:
            gaps = [pay[c] - afford[i] if visible[c] else None for c in rows]
            if any(g is not None for g in gaps):
                low = min(g for g in gaps if g is not None)
                want = (-1, order[gaps.index(low)], max(low, 0))
            else:
                want = (-1, -1, 0)
        assert tuple(out[3 * i:3 * i + 3]) == want, i
