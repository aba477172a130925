"""The policy's ``min_payment`` is a limit, not only a flag (issue 18, item 7): no plan within policy asks a level
payment below it (a token-payment arrangement excepted, by design)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import TODAY
from test_golden import GOLDEN

from negotiator.engine.quote import quote
from negotiator.policy import PolicyRegistry

REGISTRY = PolicyRegistry.load()


def _card(expenses: str) -> dict:
    """cn-card (min_payment 50.00): 1,500 owed at 18 %, 3,000 income."""
    return {"policy": "cn-card", "as_of": "2026-11-23", "locale": "en",
            "account": {"currency": "CNY", "balance": "1500.00", "arrears": "200", "fees": "0", "apr": "0.18",
                        "days_past_due": 40, "product": "credit_card", "contractual_payment": "150.00"},
            "finances": {"monthly_income": "3000", "monthly_expenses": expenses}}


def test_a_plan_below_the_minimum_payment_is_not_within_policy():
    """3,000 - 2,950 = 50.00 to spare, 0.70 of it (cn-card surplus_share) is 35.00 affordable: the 60-month
    instalment asks 34.87, below the 50.00 minimum. It was within policy."""
    q = quote(_card("2950"), REGISTRY, today=TODAY)
    assert q["affordability"]["affordable_payment"] == "35.00"
    inst = next(o for o in q["options"] if o["type"] == "instalment")
    assert Decimal(inst["monthly_payment"]) < Decimal("50.00")
    assert inst["within_policy"] is False
    assert q["recommended_option_id"] != "instalment"


@pytest.mark.parametrize("policy", ["default", "cn-card", "cn-loan", "us-card", "uk-conc"])
def test_no_plan_within_policy_asks_less_than_the_minimum(policy):
    """Over the golden grid's requests of each preset: every option within policy (token payments aside) asks at
    least the preset's min_payment a month (weekly and fortnightly payments by their monthly equivalent)."""
    ppy = {"monthly": 12, "fortnightly": 26, "weekly": 52}
    for name, channel, body in GOLDEN.requests():
        if body["policy"] != policy or "proposal" in body:
            continue
        q = GOLDEN.answer(body, channel)
        if "options" not in q:
            continue
        minimum = Decimal(REGISTRY.get(policy).amounts(q["currency"]).min_payment).scaleb(
            -len(q["affordability"]["affordable_payment"].partition(".")[2]))
        for opt in q["options"]:
            if not opt["within_policy"] or opt["type"] == "token_payment":
                continue
            lines = opt.get("schedule") or []
            held = int(opt.get("holiday_months") or 0)
            level = [Decimal(line["payment"]) for line in lines[held:-1]]
            per_year = ppy[opt.get("frequency", "monthly")]
            assert all(p * per_year >= minimum * 12 for p in level), (name, opt["type"], level[:2], minimum)
