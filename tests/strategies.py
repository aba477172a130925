"""Hypothesis strategies for negotiator's inputs.

``requests()`` draws *valid* quote requests over wide ranges: currencies
with 0, 2 and 3 minor-unit digits, balances up to 10 million, every rate
from zero to the policy's maximum, cards and loans, fees, every delinquency
bucket, hardship, lump sums and account history. Minor-unit digits come
from ISO 4217 (written out here, not read from the engine).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from negotiator.policy import PolicyRegistry

#: ISO 4217 minor-unit digits of a sample of currencies the engine accepts.
ISO_DIGITS = {"USD": 2, "CNY": 2, "GBP": 2, "EUR": 2, "INR": 2, "JPY": 0, "KRW": 0, "VND": 0, "KWD": 3, "BHD": 3}

_REGISTRY = PolicyRegistry.load()
POLICY_NAMES = ("default", "cn-card", "cn-loan", "us-card", "uk-conc")
#: The currency each market preset accepts (None: any).
POLICY_CURRENCY = {"default": None, "cn-card": "CNY", "cn-loan": "CNY", "us-card": "USD", "uk-conc": "GBP"}
MAX_APR_PPM = {name: int(_REGISTRY.get(name).max_apr * 1_000_000) for name in POLICY_NAMES}

#: Longest remaining loan term the wire accepts.
MAX_LOAN_TERM = 600


MAX_BALANCE = 1_000_000_000       # major units: the wire's maximum (negotiator.core.money.MAX_AMOUNT)
HARDSHIP_KINDS = ("breathing_space", "mental_health_crisis", "moratorium", "unemployment", "illness",
                  "reduced_income", "other")
AS_OF = dt.date(2026, 11, 23)


def amount_text(minor: int, digits: int) -> str:
    """An amount in minor units as a decimal string with exactly ``digits`` decimals."""
    return str(Decimal(minor).scaleb(-digits))


def rate_text(ppm: int) -> str:
    """A rate in parts per million as a decimal-fraction string ("0.18")."""
    return format(Decimal(ppm).scaleb(-6).normalize(), "f")


def minor_amounts(digits: int, max_major: int, min_minor: int = 0) -> st.SearchStrategy[int]:
    """Amounts in minor units, biased to cover both small and large magnitudes."""
    top = max_major * 10**digits
    return st.one_of(st.integers(min_minor, min(top, max(min_minor, 1000 * 10**digits))),
                     st.integers(min_minor, top))


@st.composite
def money_value(draw, minor: int, digits: int):
    """The same amount as a string, or as a JSON integer when it is whole."""
    if minor % 10**digits == 0 and draw(st.booleans()):
        return minor // 10**digits
    return amount_text(minor, digits)


dpds = st.one_of(st.just(0), st.integers(1, 179), st.integers(0, 3650))


@st.composite
def histories(draw, as_of: dt.date = AS_OF):
    hist = {}
    if draw(st.booleans()):
        hist["opened_on"] = (as_of - dt.timedelta(days=draw(st.integers(0, 20 * 365)))).isoformat()
    if draw(st.booleans()):
        hist["consecutive_payments"] = draw(st.integers(0, 36))
    if draw(st.booleans()):
        hist["reage_dates"] = [(as_of - dt.timedelta(days=d)).isoformat()
                               for d in draw(st.lists(st.integers(0, 8 * 365), max_size=3))]
    if draw(st.integers(0, 3)) == 0:     # arrangements broken before: the policy's broken_arrangements limits
        hist["broken_arrangement_dates"] = [(as_of - dt.timedelta(days=d)).isoformat()
                                            for d in draw(st.lists(st.integers(0, 2 * 365), max_size=4))]
    return hist


@st.composite
def requests(draw, policy: str | None = None, product: str | None = None, currency: str | None = None,
             channel: str = "agent"):
    """A valid quote request body (a dict as parsed from JSON) for ``channel``."""
    policy = policy or draw(st.sampled_from(POLICY_NAMES))
    cur = currency or POLICY_CURRENCY[policy] or draw(st.sampled_from(sorted(ISO_DIGITS)))
    digits = ISO_DIGITS[cur]
    unit = 10**digits
    balance = draw(st.one_of(minor_amounts(digits, 10_000_000, min_minor=1),
                             minor_amounts(digits, MAX_BALANCE, min_minor=1)))
    dpd = draw(dpds)
    arrears = 0 if dpd == 0 else draw(st.integers(1, balance))
    fees = draw(st.one_of(st.just(0), st.integers(0, balance)))
    top = MAX_BALANCE * unit
    contractual = draw(st.integers(0, min(balance + fees, top)))
    apr_ppm = draw(st.one_of(st.just(0), st.just(MAX_APR_PPM[policy]), st.integers(0, MAX_APR_PPM[policy])))
    product = product or draw(st.sampled_from(["credit_card", "loan"]))
    account = {
        "currency": cur,
        "balance": draw(money_value(balance, digits)),
        "arrears": draw(money_value(arrears, digits)),
        "fees": draw(money_value(fees, digits)),
        "apr": rate_text(apr_ppm),
        "days_past_due": dpd,
        "product": product,
        "contractual_payment": draw(money_value(contractual, digits)),
    }
    if product == "loan":
        # Up to the wire's limit, so loans at and beyond every term-extension cap are drawn.
        account["remaining_term_months"] = draw(st.one_of(st.integers(1, 120), st.integers(1, MAX_LOAN_TERM)))
    if policy == "us-card" or draw(st.integers(0, 4)) == 0:
        account["history"] = draw(histories())
    income = draw(minor_amounts(digits, 2_000_000))
    expenses = draw(st.integers(0, income + income // 2 + unit))
    finances = {"monthly_income": draw(money_value(income, digits)),
                "monthly_expenses": draw(money_value(expenses, digits))}
    if draw(st.booleans()):
        finances["other_debt_payments"] = amount_text(draw(st.integers(0, max(income // 4, 1))), digits)
    if draw(st.booleans()):
        finances["household_size"] = draw(st.integers(1, 20))
    if draw(st.booleans()):
        finances["lump_sum_available"] = amount_text(draw(st.integers(0, min(balance + fees + balance // 5, top))),
                                                     digits)
    if draw(st.booleans()):
        hardship = {"kind": draw(st.sampled_from(HARDSHIP_KINDS)), "expected_months": draw(st.integers(1, 24))}
        if draw(st.booleans()):
            hardship["reason"] = "illness"
        if draw(st.booleans()):
            hardship["income_during"] = draw(money_value(draw(st.integers(0, income)), digits))
        finances["hardship"] = hardship
    return {"policy": policy, "as_of": AS_OF.isoformat(), "locale": draw(st.sampled_from(["en", "zh-CN"])),
            "account": account, "finances": finances}


dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2200, 12, 31))
month_ends = st.builds(lambda y, m: (dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)),
                       st.integers(1990, 2200), st.integers(1, 12))
