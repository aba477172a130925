"""A payment exactly equal to the budget is affordable (the boundary of every affordability rule)."""

from __future__ import annotations

from conftest import TODAY

from negotiator.engine.quote import quote
from negotiator.policy import PolicyRegistry

REGISTRY = PolicyRegistry.load()


def _body(expenses: str) -> dict:
    """default.yaml (surplus_share 0.80): 1,125.00 income. 0 % on a 1,200.00 card, 100.00 in arrears, 50.00 due."""
    return {"policy": "default", "as_of": "2026-11-23", "locale": "en",
            "account": {"currency": "USD", "balance": "1200.00", "arrears": "100.00", "fees": "0", "apr": "0",
                        "days_past_due": 35, "product": "credit_card", "contractual_payment": "50.00"},
            "finances": {"monthly_income": "1125.00", "monthly_expenses": expenses}}


def test_a_catch_up_asking_exactly_the_budget_is_affordable():
    """Surplus 125.00, x 0.80 = 100.00: the arrears 100.00 over 2 months on top of 50.00 is 100.00 a month."""
    q = quote(_body("1000.00"), REGISTRY, today=TODAY)
    assert q["affordability"]["affordable_payment"] == "100.00"
    cu = next(o for o in q["options"] if o["type"] == "catch_up")
    assert cu["monthly_payment"] == "100.00" and cu["term_months"] == 2
    assert cu["affordable"] is True and q["recommended_option_id"] == "catch_up"


def test_a_cent_less_budget_and_it_is_not():
    """Surplus 124.98, x 0.80 = 99.98 (rounded down): the same catch-up is 0.02 over."""
    q = quote(_body("1000.02"), REGISTRY, today=TODAY)
    assert q["affordability"]["affordable_payment"] == "99.98"
    cu = next((o for o in q["options"] if o["type"] == "catch_up"), None)
    assert cu is None or cu["term_months"] > 2 or cu["affordable"] is False
