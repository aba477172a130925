"""Shared fixtures: the shipped policies, a valid request body, a quoting helper."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from negotiator.engine import quote
from negotiator.policy import PolicyRegistry

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "examples" / "requests"
TODAY = dt.date(2026, 11, 23)

#: A valid request (the brief's section 4 example, card in CNY) every test may copy.
BASE_BODY = {
    "policy": "default",
    "as_of": "2026-11-23",
    "locale": "en",
    "account": {"currency": "CNY", "balance": "12000.00", "arrears": "1500.00", "fees": "300.00",
                "apr": "0.18", "days_past_due": 45, "product": "credit_card",
                "contractual_payment": "600.00"},
    "finances": {"monthly_income": "8000.00", "monthly_expenses": "5200.00",
                 "other_debt_payments": "500.00", "household_size": 3, "lump_sum_available": "2000.00",
                 "hardship": {"reason": "reduced working hours", "expected_months": 3}},
}

LOAN_BODY = {
    "policy": "default",
    "as_of": "2026-11-23",
    "account": {"currency": "USD", "balance": "8000.00", "arrears": "400.00", "fees": "0",
                "apr": "0.12", "days_past_due": 40, "product": "loan",
                "contractual_payment": "400.00", "remaining_term_months": 24},
    "finances": {"monthly_income": "3000.00", "monthly_expenses": "2500.00"},
}


@pytest.fixture(scope="session")
def registry() -> PolicyRegistry:
    return PolicyRegistry.load()


@pytest.fixture(scope="session")
def default_policy(registry):
    return registry.get("default")


@pytest.fixture
def body() -> dict:
    """A fresh deep copy of :data:`BASE_BODY`, free to mutate."""
    return copy.deepcopy(BASE_BODY)


@pytest.fixture
def loan_body() -> dict:
    return copy.deepcopy(LOAN_BODY)


@pytest.fixture(scope="session")
def quote_of(registry):
    """``quote_of(body, channel="agent")``: the engine's quote of a request body."""
    def _quote(b, channel="agent", reg=None):
        return quote(copy.deepcopy(b), reg or registry, channel=channel, today=TODAY)
    return _quote
