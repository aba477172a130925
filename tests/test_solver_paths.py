"""The engine's fast paths give the same answers as the plain ones.

Two scheduling choices exist only for speed, and both must be invisible:
the month loop runs in float64 when every product is below 2**53 and in
int64 otherwise; the ladder is solved rung by rung for many accounts and
stacked for few. These tests force each alternative and compare.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator import plans as P
from negotiator.accounts import from_records
from negotiator.affordability import assess
from negotiator.money import round_div
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


@pytest.mark.parametrize("mode", MODES)
def test_float_and_int_kernels_agree(mode, monkeypatch):
    plans = random_plans(5, 20_000)
    rng = np.random.default_rng(6)
    level = np.ceil(P.estimate_level(plans)).astype(np.int64) + rng.integers(-3, 4, len(plans))
    fast = P._run(plans, level, mode)
    monkeypatch.setattr(P, "EXACT_FLOAT", 0.0)      # every bound fails: the int64 path
    exact = P._run(plans, level, mode)
    assert np.array_equal(fast, exact)


@pytest.mark.parametrize("mode", MODES)
def test_solve_same_on_both_kernels_and_keeps_its_rule(mode, monkeypatch):
    plans = random_plans(9, 5_000)
    fast = P.solve(plans, mode)
    monkeypatch.setattr(P, "EXACT_FLOAT", 0.0)
    exact = P.solve(plans, mode)
    assert np.array_equal(fast.level, exact.level) and np.array_equal(fast.final, exact.final)
    assert np.array_equal(fast.term, exact.term)
    # The rule: the last payment is positive and never above the level one,
    # and one unit less of level would break that.
    assert (fast.final > 0).all() and (fast.final <= fast.level).all()
    cut = P.Plans(**{k: v.copy() for k, v in plans.__dict__.items()})
    cut.term = fast.term
    lower = P._run(cut, fast.level - 1, mode)
    multi = fast.term > cut.hold + 1
    assert ((lower > fast.level - 1) | (fast.level == 1))[multi].all()


@given(st.lists(st.tuples(st.integers(0, 2**52 // 10**6), st.integers(0, 10**6)), min_size=1, max_size=50),
       st.sampled_from(MODES))
@settings(max_examples=200, deadline=None)
def test_round_div_float_path_matches_integer_path(pairs, mode):
    num = np.array([a * b for a, b in pairs], dtype=np.int64)
    den = 12_000_000
    exact = round_div(num, den, mode)
    fast = round_div(num.astype(np.float64), den, mode)
    assert np.array_equal(exact, fast.astype(np.int64))


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
