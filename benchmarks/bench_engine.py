"""Engine benchmarks (issue 2).

1. A single quote in-process: all options, schedule for the recommended one;
   median and p99 over many runs. Also a quote where nothing is affordable,
   so that every rung of the ladder is worked out.
2. The array path for N accounts (default 100,000): option summaries without
   schedules, accounts per second; and the same work as a per-account loop of
   numpy-financial scalar calls (pmt / nper / rate per option), as a ratio.

Run: .venv/bin/python benchmarks/bench_engine.py [--accounts 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from pathlib import Path

import numpy as np
import numpy_financial as npf

from negotiator.engine.accounts import Accounts, check
from negotiator.engine.affordability import assess
from negotiator.engine.decide import decide
from negotiator.engine.options import build
from negotiator.engine.quote import quote
from negotiator.policy import PolicyRegistry

ROOT = Path(__file__).resolve().parent.parent


def synthetic(n: int, seed: int = 7) -> Accounts:
    """A realistic mix of card and loan accounts in CNY, all valid."""
    rng = np.random.default_rng(seed)
    balance = rng.integers(50_000, 5_000_000, n)                 # 500 to 50,000.00
    dpd = rng.choice([0, 15, 45, 75, 105, 135, 165, 200], n)
    arrears = np.where(dpd > 0, balance * rng.integers(5, 40, n) // 100, 0)
    fees = np.where(dpd > 0, balance * rng.integers(0, 5, n) // 100, 0)
    is_loan = rng.random(n) < 0.35
    income = rng.integers(200_000, 2_000_000, n)
    expenses = income * rng.integers(40, 95, n) // 100
    return Accounts(
        currency=np.full(n, "CNY", dtype=object), digits=np.full(n, 2), balance=balance, arrears=arrears,
        fees=fees, contractual=np.maximum(balance // 20, 1), apr_ppm=rng.choice([0, 120_000, 180_000, 240_000], n),
        dpd=dpd, is_loan=is_loan, remaining_term=np.where(is_loan, rng.integers(6, 60, n), 0), income=income,
        expenses=expenses, other_debt=income * rng.integers(0, 10, n) // 100, household=rng.integers(1, 6, n),
        lump_sum=np.where(rng.random(n) < 0.2, balance // 3, 0),
        hardship_months=np.where(rng.random(n) < 0.15, rng.integers(1, 6, n), 0),
        age_months=rng.integers(1, 120, n), consecutive=rng.integers(0, 12, n),
        reages_12m=np.zeros(n, dtype=np.int64), reages_5y=np.zeros(n, dtype=np.int64))


def nothing_affordable(body: dict) -> dict:
    """The example card with a debt its holder cannot carry: every rung is worked out, none is affordable."""
    body = json.loads(json.dumps(body))
    body["account"].update(balance="48000.00", arrears="6000.00", fees="2400.00", days_past_due=100)
    body["finances"].update(monthly_income="6000.00", monthly_expenses="5600.00", other_debt_payments="300.00",
                            lump_sum_available="1000.00")
    return body


def bench_single(runs: int, hard: bool = False) -> dict:
    registry = PolicyRegistry.load()
    body = json.loads((ROOT / "examples/requests/card_cny.json").read_text())
    body["schedules"] = "recommended"
    if hard:
        body = nothing_affordable(body)
        assert quote(body, registry)["recommended_option_id"] is None
    for _ in range(50):
        quote(body, registry)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        quote(body, registry)
        times.append(time.perf_counter() - t)
    times.sort()
    return {"runs": runs, "median_ms": statistics.median(times) * 1e3,
            "p99_ms": times[int(len(times) * 0.99) - 1] * 1e3}


def bench_array(n: int) -> dict:
    policy = PolicyRegistry.load().get("default")
    acc = synthetic(n)
    runs = []
    for _ in range(6):                      # the first run warms up; the median of the other five counts
        t = time.perf_counter()
        errors = check(acc, policy)
        a = assess(acc, policy, "batch")
        sets = build(acc, a, policy, "batch")
        decision = decide(acc, sets, a.now, policy, "batch")
        runs.append(time.perf_counter() - t)
    elapsed = statistics.median(runs[1:])
    assert not errors
    offered = sum(int(s.offered.sum()) for s in sets.values())
    return {"accounts": n, "seconds": elapsed, "accounts_per_s": n / elapsed, "options_offered": offered,
            "recommended": int((decision.recommended >= 0).sum())}


def scalar_loop(acc: Accounts, affordable: np.ndarray, sample: int) -> float:
    """Seconds per account for the same option sizing with numpy-financial scalar calls."""
    t = time.perf_counter()
    for i in range(sample):
        p = float(acc.balance[i] + acc.fees[i])
        r = acc.apr_ppm[i] / 12e6
        aff = float(max(affordable[i], 1))
        for _ in range(3):                      # catch-up, re-age, holiday: term from nper
            n = npf.nper(r, -aff, p) if r else p / aff
            npf.pmt(r, max(min(float(np.nan_to_num(n, nan=60.0)), 60.0), 1.0), -p) if r else p / 60
        npf.rate(60, -aff, p, 0)                # interest reduction
        npf.pmt(0.0 if not r else r / 2, 60, -p)  # fee waiver
        npf.npv(0.1 / 12, [0.0] + [aff] * 12)     # NPV for the recommendation
    return (time.perf_counter() - t) / sample


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--sample", type=int, default=2000)
    args = ap.parse_args()
    single = bench_single(args.runs)
    print(f"single quote (all options, schedule for the recommended): median {single['median_ms']:.3f} ms, "
          f"p99 {single['p99_ms']:.3f} ms over {single['runs']} runs")
    hard = bench_single(args.runs, hard=True)
    print(f"single quote, nothing affordable (every rung worked out): median {hard['median_ms']:.3f} ms, "
          f"p99 {hard['p99_ms']:.3f} ms over {hard['runs']} runs")
    arr = bench_array(args.accounts)
    print(f"array path (median of 5 warm runs): {arr['accounts']:,} accounts in {arr['seconds']:.3f} s = "
          f"{arr['accounts_per_s']:,.0f} "
          f"accounts/s ({arr['options_offered']:,} options offered, {arr['recommended']:,} with a recommendation)")
    policy = PolicyRegistry.load().get("default")
    acc = synthetic(args.sample)
    per = scalar_loop(acc, assess(acc, policy).affordable, args.sample)
    print(f"scalar numpy-financial loop: {1 / per:,.0f} accounts/s; array path is {arr['accounts_per_s'] * per:,.1f}x "
          f"faster")
    print(json.dumps({"single": single, "nothing_affordable": hard, "array": arr, "scalar_accounts_per_s": 1 / per,
                      "date": dt.date.today().isoformat()}))


if __name__ == "__main__":
    main()
