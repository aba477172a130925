"""No plan is needed where the contract as it stands fits the budget (issue 18, item 3): the answer is
``contract_fits`` with no plan, for loans and cards alike; a what-if still works out the plan it names."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from conftest import TODAY

from negotiator.engine.proposals import propose
from negotiator.engine.quote import quote
from negotiator.policy import PolicyRegistry

REGISTRY = PolicyRegistry.load()

#: default.yaml: surplus_share 0.80 of 5,000 - 2,375 = 2,625 is 2,100.00, capped at max_payment_to_income
#: 0.40 x 5,000 = 2,000.00: 2,000.00 a month is affordable, and the 1,250.00 the loan asks fits.
CURRENT_LOAN = {"policy": "default", "as_of": "2026-11-23", "locale": "en",
                "account": {"currency": "USD", "balance": "20000.00", "arrears": "0", "fees": "0", "apr": "0.12",
                            "days_past_due": 0, "product": "loan", "contractual_payment": "1250.00",
                            "remaining_term_months": 18},
                "finances": {"monthly_income": "5000", "monthly_expenses": "2375"}}


def _current_card():
    body = copy.deepcopy(CURRENT_LOAN)
    body["account"]["product"] = "credit_card"
    del body["account"]["remaining_term_months"]
    return body


@pytest.mark.parametrize("body", [CURRENT_LOAN, _current_card()], ids=["loan", "card"])
@pytest.mark.parametrize("channel", ["agent", "portal"])
def test_a_current_account_whose_payment_fits_needs_no_plan(body, channel):
    q = quote(copy.deepcopy(body), REGISTRY, channel=channel, today=TODAY)
    # The portal takes default.yaml's portal surplus_share 0.50: 0.50 x 2,625 = 1,312.50; 1,250.00 fits both.
    assert q["affordability"]["affordable_payment"] == {"agent": "2000.00", "portal": "1312.50"}[channel]
    assert q["options"] == [] and q["recommended_option_id"] is None
    assert "contract_fits" in [f["code"] for f in q["affordability"]["flags"]]
    assert {r["code"] for d in q["declined"] for r in d["reasons"]} == {"contract_affordable"}


@pytest.mark.parametrize("change, fields", [
    ("a payment above the budget", {"contractual_payment": "2000.01"}),
    ("in arrears", {"arrears": "100.00", "days_past_due": 1}),
])
def test_a_plan_is_worked_out_as_soon_as_the_contract_does_not_fit(change, fields):
    body = copy.deepcopy(CURRENT_LOAN)
    body["account"].update(fields)
    q = quote(body, REGISTRY, today=TODAY)
    assert q["options"], change
    assert "contract_fits" not in [f["code"] for f in q["affordability"]["flags"]]


def test_at_the_budget_exactly_the_contract_fits():
    body = copy.deepcopy(CURRENT_LOAN)
    body["account"]["contractual_payment"] = "2000.00"
    assert quote(body, REGISTRY, today=TODAY)["options"] == []


def test_a_what_if_still_works_out_the_plan_it_names():
    body = copy.deepcopy(_current_card())
    body["proposal"] = {"monthly_payment": "900.00"}
    out = propose(body, REGISTRY, today=TODAY)
    assert out["plan"] is not None and out["plan"]["type"] == "instalment"
    assert Decimal(out["plan"]["monthly_payment"]) <= Decimal("900.00")
