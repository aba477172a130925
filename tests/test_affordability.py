"""affordability: disposable income, the affordable payment and flags (hand arithmetic from the presets)."""

from __future__ import annotations

import copy

import pytest
from conftest import BASE_BODY, TODAY

from negotiator.engine.accounts import from_records
from negotiator.engine.affordability import assess
from negotiator.wire.schemas import load_request


def _assess(registry, channel="agent", policy="default", **finances):
    body = copy.deepcopy(BASE_BODY)
    body["finances"].update({k: v for k, v in finances.items() if v is not None})
    for k in [k for k, v in finances.items() if v is None]:
        del body["finances"][k]
    acc, errors = from_records([load_request(body)], TODAY)
    assert not errors
    return acc, assess(acc, registry.get(policy), channel)


@pytest.mark.parametrize("income, expenses, other, disposable, affordable", [
    ("8000.00", "5200.00", "500.00", 230000, 184000),      # 0.8 x 2300 (default.yaml surplus_share)
    ("8000.00", "1000.00", "0", 700000, 320000),           # capped at 0.4 x 8000 (max_payment_to_income)
    ("5000.00", "5000.00", "0", 0, 0),
    ("3000.00", "3500.00", "0", -50000, 0),
    ("1000.01", "0", "0", 100001, 40000),                  # min(80000.8 -> 80000, 40000.4 -> 40000), floored
])
def test_disposable_and_affordable(registry, income, expenses, other, disposable, affordable):
    _, a = _assess(registry, monthly_income=income, monthly_expenses=expenses, other_debt_payments=other)
    assert int(a.disposable[0]) == disposable
    assert int(a.affordable[0]) == affordable


def test_portal_takes_half_the_surplus(registry):
    """default.yaml portal.surplus_share 0.5 (HMRC time to pay): 0.5 x 2300 = 1150."""
    _, a = _assess(registry, channel="portal")
    assert int(a.affordable[0]) == 115000


def test_flags(registry):
    _, a = _assess(registry, monthly_income="3000.00", monthly_expenses="3500.00")
    assert a.flags["negative_surplus"][0] and not a.flags["no_surplus"][0]
    _, a = _assess(registry, monthly_income="1000.00", monthly_expenses="0", other_debt_payments="0")
    assert a.flags["capped_by_income"][0]
    assert a.flags["payment_to_income_high"][0]            # contractual 600 > 0.4 x 1000


def test_expense_guidelines_scale_with_household(registry):
    """default.yaml CNY food: 600 + 300 per extra member minimum, 2500 + 1200 maximum; household 3."""
    lines = [{"category": "food", "amount": "5000.00"}, {"category": "housing", "amount": "200.00"}]
    _, a = _assess(registry, monthly_expenses=None, expense_lines=lines)
    above, below = a.expense_flags["food"]
    assert above[0] and not below[0]                       # 5000 > 2500 + 2 x 1200 = 4900
    lines[0]["amount"] = "4900.00"
    _, a = _assess(registry, monthly_expenses=None, expense_lines=lines)
    assert "food" not in a.expense_flags
    lines[0]["amount"] = "1100.00"
    _, a = _assess(registry, monthly_expenses=None, expense_lines=lines)
    assert a.expense_flags["food"][1][0]                   # 1100 < 600 + 2 x 300 = 1200
