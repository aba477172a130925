"""The engine's two speeds give the same answers.

Two choices exist only for speed, and both must be invisible: the plan
kernels run as plain Python for a few plans and compiled by numba over
arrays for many; the ladder is solved rung by rung for many accounts and
stacked for few. These tests force each alternative and compare.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator import compiled
from negotiator import kernels as K
from negotiator import plans as P
from negotiator.accounts import from_records
from negotiator.affordability import assess
from negotiator.options import build
from negotiator.policy import PolicyRegistry

MODES = ["half_up", "half_even", "down"]


def random_plans(seed: int, n: int) -> P.Plans:
    rng = np.random.default_rng(seed)
    plans = P.Plans.build(
        principal=rng.integers(1, 10**9, n), fees=rng.integers(0, 10**6, n), apr_ppm=rng.integers(0, 10**6, n),
        flat_fee=np.where(rng.random(n) < 0.2, rng.integers(0, 10**5, n), 0), term=rng.integers(1, 120, n),
        hold=np.where(rng.random(n) < 0.2, rng.integers(0, 6, n), 0), hold_payment=0)
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
                                int(plans.hold_apr_ppm[i]), int(plans.den[i]), int(fast.level[i]) - 1, m)
            assert lower > fast.level[i] - 1, i


@pytest.mark.parametrize("mode", MODES)
def test_schedules_rates_and_values_same_both_ways(mode, monkeypatch):
    plans = random_plans(13, 800)
    plans.hold_payment = np.where(plans.hold > 0, plans.principal // 200, 0)
    plans.hold_apr_ppm = np.where(np.arange(len(plans)) % 3 == 0, plans.apr_ppm // 2, 0)
    solved = P.solve(plans, mode)

    def work():
        return (P.estimate_level(plans), P.schedule_arrays(plans, solved, mode),
                P.disclosed_rate(plans, solved, mode), P.present_value(plans, solved, 0.008))

    (e1, s1, r1, v1), (e2, s2, r2, v2) = both_ways(monkeypatch, work)
    assert np.array_equal(e1, e2)
    for a, b in zip(s1, s2):
        assert np.array_equal(a, b)
    assert np.array_equal(r1, r2) and np.array_equal(v1, v2)
    # Every schedule adds up to its plan's total, to the minor unit.
    assert np.array_equal(s1[0].sum(axis=1), solved.total(plans))


@given(st.lists(st.tuples(st.integers(1, 10**12), st.integers(0, 10**5), st.integers(0, 10**6),
                          st.integers(0, 10**4), st.integers(1, 400), st.integers(0, 6)), min_size=1, max_size=60),
       st.sampled_from(MODES))
@settings(max_examples=60, deadline=None)
def test_any_plans_same_both_ways(rows, mode):
    """Hypothesis over the whole range of terms: the compiled kernels and plain Python give the same plans.

    A flat fee is a monthly share of the principal (at most 1 %), as the engine prices it.
    """
    cols = list(zip(*rows))
    flat = [p * f // 10**6 for p, f in zip(cols[0], cols[3])]
    plans = P.Plans.build(principal=cols[0], fees=cols[1], apr_ppm=cols[2], flat_fee=flat, term=cols[4],
                          hold=cols[5], hold_payment=[c // 100 for c in cols[0]])
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


def _records(seed: int, n: int, currency: str = "CNY") -> list[dict]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        balance = int(rng.integers(10_000, 5_000_000))
        dpd = int(rng.choice([0, 20, 45, 75, 100, 150, 200]))
        arrears = balance * int(rng.integers(5, 40)) // 100 if dpd else 0
        loan = bool(rng.random() < 0.35)
        income = int(rng.integers(100_000, 2_000_000))
        account = {"currency": currency, "balance": Decimal(balance) / 100, "arrears": Decimal(arrears) / 100,
                   "fees": Decimal(balance * int(rng.integers(0, 5)) // 100) / 100,
                   "apr": Decimal(int(rng.choice([0, 120_000, 180_000, 240_000]))) / 1_000_000,
                   "days_past_due": dpd, "product": "loan" if loan else "credit_card",
                   "contractual_payment": Decimal(balance // 20) / 100}
        if loan:
            account["remaining_term_months"] = int(rng.integers(6, 60))
        finances = {"monthly_income": Decimal(income) / 100,
                    "monthly_expenses": Decimal(income * int(rng.integers(40, 99)) // 100) / 100,
                    "lump_sum_available": Decimal(balance // 3) / 100 if rng.random() < 0.2 else Decimal(0)}
        if rng.random() < 0.2:
            finances["hardship"] = {"reason": "illness", "expected_months": int(rng.integers(1, 6))}
        out.append({"account": account, "finances": finances})
    return out


@pytest.mark.parametrize("policy_name", ["default", "cn-card", "uk-conc"])
def test_stacked_and_staged_ladders_agree(policy_name):
    registry = PolicyRegistry.load()
    policy = registry.get(policy_name)
    acc, errors = from_records(_records(11, 400, (policy.currencies or ("CNY",))[0]), dt.date(2026, 11, 23))
    assert not errors
    a = assess(acc, policy)
    stacked = build(acc, a, policy, "agent", stack_below=10**9)
    staged = build(acc, a, policy, "agent", stack_below=0)
    assert stacked.keys() == staged.keys()
    for t in stacked:
        s, g = stacked[t], staged[t]
        assert np.array_equal(s.offered, g.offered), t
        assert list(s.decline) == list(g.decline), t
        rows = s.offered
        for name in ("monthly_payment", "total", "value", "tier", "affordable"):
            assert np.array_equal(getattr(s, name)[rows], getattr(g, name)[rows]), (t, name)
        assert np.allclose(s.npv[rows], g.npv[rows]) and np.allclose(s.effective_apr[rows], g.effective_apr[rows])
