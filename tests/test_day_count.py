"""Interest by the policy's day count, and the UK APR at the payments' real dates (issue 18, item 8).

A plan starts on its ``as_of`` date; its first period runs to the first due
date and carries that many days' interest by the policy's ``day_count``
(``30/360``, ``actual/360``, ``actual/365``), later periods a whole period's
each. A first payment 3 days away was charged a full month's interest
(81.90 on 3,276.00 at 30 %). The UK APR (CONC App 1.2, for credit not secured
on land) is the rate equating the credit with the payments at their real
dates, time in years from the drawdown as days over 365; it is checked here
against a Decimal solution of that equation written out in this file.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

import pytest
from conftest import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import POLICY_NAMES, requests

from negotiator.engine.quote import quote
from negotiator.kernels import HALF_UP, period_interest
from negotiator.policy import PolicyRegistry

D = Decimal
ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}
YEAR = {"30/360": 360, "actual/360": 360, "actual/365": 365}


@pytest.fixture(scope="module")
def registry():
    return PolicyRegistry.load()


def _q(body, registry, channel="agent"):
    return quote(copy.deepcopy(body), registry, channel=channel, today=TODAY)


def _only(q, kind):
    return next(o for o in q["options"] if o["type"] == kind)


#: 3,276.00 at 30 %: a month's interest is 3,276.00 x 0.30 / 12 = 81.90.
LOAN = {"policy": "uk-conc", "as_of": "2026-11-23", "options": ["instalment"],
        "first_payment_date": "2026-11-26",
        "account": {"currency": "GBP", "balance": "3276.00", "arrears": "300.00", "fees": "0", "apr": "0.30",
                    "days_past_due": 45, "product": "loan", "contractual_payment": "150.00",
                    "remaining_term_months": 24},
        "finances": {"monthly_income": "2000.00", "monthly_expenses": "1800.00"}}


def days360(a: dt.date, b: dt.date) -> int:
    """30E/360 days from ``a`` to ``b``: months of 30 days, a 31st read as the 30th."""
    return 360 * (b.year - a.year) + 30 * (b.month - a.month) + min(b.day, 30) - min(a.day, 30)


def first_days(policy, start: dt.date, first: dt.date) -> int:
    return days360(start, first) if policy.day_count == "30/360" else (first - start).days


# ------------------------------------------------------------------ the case

def test_a_first_payment_three_days_away_carries_three_days_interest(registry):
    """uk-conc counts actual days over 365: 3,276.00 x 0.30 x 3 / 365 = 8.0778, 8.08 (it was 81.90, a month's)."""
    o = _only(_q(LOAN, registry), "instalment")
    line = o["schedule"][0]
    assert line["due_date"] == "2026-11-26" and D(line["interest"]) == D("8.08") != D("81.90")
    assert (D("3276.00") * D("0.30") * 3 / 365).quantize(D("0.01"), rounding=ROUND_HALF_UP) == D("8.08")
    # Later months are whole months: the second line's interest is 0.30 / 12 of what is then outstanding.
    left = D("3276.00") - D(line["principal"])
    assert D(o["schedule"][1]["interest"]) == (left * D("0.30") / 12).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    _amortises(o)


@pytest.mark.parametrize("policy, currency, want", [
    ("default", "USD", "8.19"),        # 30/360: 3,276.00 x 0.30 x 3 / 360 = 8.19
    ("cn-loan", "CNY", "8.07"),        # actual/365, rounded down: 8.0778 -> 8.07
    ("us-card", "USD", "2.69"),        # actual/365 at the workout's apr_cap, 9.99 %: 3,276.00 x 0.0999 x 3 / 365
])
def test_every_preset_counts_the_first_days_by_its_day_count(registry, policy, currency, want):
    body = copy.deepcopy(LOAN) | {"policy": policy}
    body["account"]["currency"] = currency
    if policy == "us-card":
        body["account"] |= {"product": "credit_card", "history": {"opened_on": "2019-01-01",
                                                                  "consecutive_payments": 3, "reage_dates": []}}
        del body["account"]["remaining_term_months"]
    if policy == "cn-loan":
        body["account"]["apr"] = "0.30"
    o = _only(_q(body, registry), "instalment")
    assert o["schedule"][0]["interest"] == want
    _amortises(o)


def test_a_whole_month_under_30_360_is_a_whole_month(registry):
    """default (30/360): a first due date one calendar month away, 23 November to 23 December, is 30 days of
    360, a twelfth of the year: 81.90, as every later month."""
    body = copy.deepcopy(LOAN) | {"policy": "default", "first_payment_date": "2026-12-23"}
    body["account"]["currency"] = "USD"
    o = _only(_q(body, registry), "instalment")
    assert o["schedule"][0]["interest"] == "81.90"


def test_the_kernel_splits_the_product_so_it_never_overflows():
    """The largest balance the wire takes (10**12 minor units) at 100 % for 120 days, exactly: the product by
    the days alone would pass 2**63."""
    owing, rate, days = 10**12, 1_000_000, 120
    assert owing * rate * days > 2**63
    want = (D(owing) * rate * days / (365 * 10**6)).quantize(D(1), rounding=ROUND_HALF_UP)
    assert period_interest(owing, rate, 12_000_000, days, 365, True, HALF_UP) == int(want)


# ------------------------------------------------------------------ every schedule amortises exactly

def _amortises(o: dict) -> None:
    """Payments add up to the total; each line is its interest, plan fee, principal and fees; the balance
    falls by the principal and fees paid and ends at zero (or at what a token plan leaves for the review);
    every payment but the last is the level one, the last never above it."""
    lines = o["schedule"]
    assert sum(D(x["payment"]) for x in lines) == D(o["total_payable"])
    left = D(o.get("balance_at_review", "0"))
    assert D(lines[-1].get("arrears_after", lines[-1]["balance_after"])) == left   # a catch-up: its arrears
    level = D(o["monthly_payment"])
    held = o.get("holiday_months", 0)
    for k, x in enumerate(lines):
        parts = D(x["interest"]) + D(x.get("plan_fee", "0")) + D(x["principal"]) + D(x["fees"])
        assert D(x["payment"]) - D(x.get("regular_payment", "0")) == parts, k
        if held <= k < len(lines) - 1:
            assert D(x["payment"]) == level, k
    assert D(lines[-1]["payment"]) <= level or held >= len(lines) - 1


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(POLICY_NAMES).flatmap(lambda p: requests(policy=p)),
       st.sampled_from(["monthly", "fortnightly", "weekly"]), st.integers(0, 45), st.data())
def test_schedules_amortise_exactly_whatever_the_first_date(registry, body, frequency, days, data):
    """Over every preset and the frequencies it offers, any first payment date (1 to 45 days away, or the
    policy's own): every schedule runs out exactly, lines adding up to totals to the minor unit, and the first
    line's interest is the days' interest by the policy's day count, rounded by its rule."""
    policy = registry.get(body["policy"])
    if frequency not in policy.frequencies:
        frequency = "monthly"
    body = copy.deepcopy(body) | {"frequency": frequency, "schedules": "all"}
    start = dt.date.fromisoformat(body["as_of"])
    if days:
        body["first_payment_date"] = (start + dt.timedelta(days=days)).isoformat()
    q = _q(body, registry)
    for o in q["options"]:
        _amortises(o)
        first = dt.date.fromisoformat(o["schedule"][0]["due_date"])
        assert first == start + dt.timedelta(days=days or policy.first_payment_offset_days)
        if o["type"] in ("catch_up", "settlement", "token_payment") or o.get("holiday_months"):
            continue
        rate = D(o["interest_rate"])
        owed = sum(D(x["principal"]) for x in o["schedule"])
        n = first_days(policy, start, first)
        want = (owed * rate * n / YEAR[policy.day_count]).quantize(
            D(1).scaleb(-len(o["total_payable"].partition(".")[2])), rounding=ROUNDING[policy.rounding])
        assert D(o["schedule"][0]["interest"]) == want, (o["type"], n)


# ------------------------------------------------------------------ the UK APR at the real dates

def conc_apr(credit: D, payments: list[tuple[dt.date, D]], drawdown: dt.date) -> D:
    """X with credit = sum of F_k (1 + X)^-t_k, t_k the days from the drawdown to payment k over 365 (CONC App
    1.2's equation, one drawdown), by bisection in Decimal arithmetic."""
    with localcontext() as ctx:
        ctx.prec = 40
        times = [(D((d - drawdown).days) / 365, f) for d, f in payments]
        lo, hi = D(0), D(10)
        for _ in range(120):
            x = (lo + hi) / 2
            value = sum(f / (1 + x) ** t for t, f in times)
            lo, hi = (x, hi) if value > credit else (lo, x)
        return lo


def test_the_uk_apr_solves_the_conc_equation_at_the_real_dates(registry):
    """2,400.00 at 29.9 % repaid monthly from 23 December: the payments at their due dates (months of 28 to 31
    days) against the credit drawn on 23 November. The APR is the root of the equation above, to the
    sixth decimal the wire shows; (1 + 0.299/12)^12 - 1 = 34.36 % would count every month alike."""
    body = copy.deepcopy(LOAN) | {"options": ["instalment"]}
    del body["first_payment_date"]
    body["account"] |= {"balance": "2400.00", "apr": "0.299"}
    o = _only(_q(body, registry), "instalment")
    pays = [(dt.date.fromisoformat(x["due_date"]), D(x["payment"])) for x in o["schedule"]]
    want = conc_apr(D("2400.00"), pays, dt.date(2026, 11, 23))
    assert D(o["apr"]) == pytest.approx(want, abs=D("0.000001"))
    assert abs(D(o["apr"]) - D("0.3436")) < D("0.001") and o["apr_method"] == "compound"


def test_the_uk_apr_leaves_default_charges_out_and_the_all_in_rate_counts_them(registry):
    """A first payment 40 days away and 150.00 of carried default charges: the APR is the total charge for
    credit's (default charges are not part of it: the payments less what repays them); the all-in rate counts
    every payment. Both solve the CONC equation at the real dates."""
    body = copy.deepcopy(LOAN) | {"first_payment_date": "2027-01-02"}
    body["account"] |= {"balance": "2400.00", "apr": "0.299", "fees": "150.00"}
    o = _only(_q(body, registry), "instalment")
    lines = o["schedule"]
    assert D(lines[0]["interest"]) == (D("2400.00") * D("0.299") * 40 / 365).quantize(D("0.01"), ROUND_HALF_UP)
    dated = [(dt.date.fromisoformat(x["due_date"]), D(x["payment"]), D(x["fees"])) for x in lines]
    credit = [(d, p - f) for d, p, f in dated]
    every = [(d, p) for d, p, _ in dated]
    apr = conc_apr(D("2400.00"), credit, dt.date(2026, 11, 23))
    all_in = conc_apr(D("2400.00"), every, dt.date(2026, 11, 23))
    assert D(o["apr"]) == pytest.approx(apr, abs=D("0.000001"))
    assert D(o["all_in_apr"]) == pytest.approx(all_in, abs=D("0.000001"))
    assert all_in > apr
