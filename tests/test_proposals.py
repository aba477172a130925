"""What-if proposals: the plan a payment, term or lump sum implies."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from negotiator.engine import quote
from negotiator.errors import ValidationError
from negotiator.policy import PolicyRegistry
from negotiator.proposals import propose

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def registry():
    return PolicyRegistry.load()


@pytest.fixture
def body():
    b = json.loads((ROOT / "examples/requests/proposal_payment.json").read_text())
    b["locale"] = "en"
    b["schedules"] = "all"
    return b


def with_proposal(body, **proposal):
    b = copy.deepcopy(body)
    b["proposal"] = proposal
    return b


def D(s):
    return Decimal(s)


def test_payment_within_policy_needs_only_a_reage(registry, body):
    out = propose(with_proposal(body, monthly_payment="1500.00"), registry)
    plan = out["plan"]
    assert out["within_policy"] and out["affordable"]
    assert plan["type"] in ("catch_up", "instalment")
    assert D(plan["monthly_payment"]) <= D("1500.00")
    assert out["counter_offer"] is None
    assert sum(D(line["payment"]) for line in plan["schedule"]) == D(plan["total_payable"])


def test_payment_below_standard_price_needs_a_rate_cut(registry, body):
    out = propose(with_proposal(body, monthly_payment="300.00"), registry)
    plan = out["plan"]
    assert plan["type"] == "interest_reduction"
    assert D(plan["apr"]) < D(body["account"]["apr"])
    assert D(plan["monthly_payment"]) <= D("300.00")
    assert plan["term_months"] == registry.get("default").options.instalment.max_months
    kinds = [c["type"] for c in out["concessions"]]
    assert "interest_reduction" in kinds


def test_payment_that_never_repays_gets_nearest_counter_offer(registry, body):
    out = propose(with_proposal(body, monthly_payment="100.00"), registry)
    assert out["plan"] is None and not out["within_policy"]
    assert [r["code"] for r in out["reasons"]][0] == "proposal_never_repays"
    counter = out["counter_offer"]
    assert counter is not None and counter["within_policy"]
    # The counter-offer is the smallest payment any in-policy rung reaches.
    plain = {k: v for k, v in body.items() if k != "proposal"}
    q = quote(plain | {"options": ["instalment", "interest_reduction", "fee_waiver"]}, registry)
    assert D(counter["monthly_payment"]) >= D("100.00")
    assert all(D(counter["monthly_payment"]) <= D(o["monthly_payment"]) for o in q["options"])


def test_a_higher_payment_never_needs_more_concession(registry, body):
    values = []
    for pay in ("250.00", "300.00", "400.00", "800.00", "1500.00"):
        out = propose(with_proposal(body, monthly_payment=pay), registry)
        values.append(D(out["plan"]["concession_value"]) if out["plan"] else D("Infinity"))
    assert values == sorted(values, reverse=True)


def _least_concession(registry, body, channel="agent"):
    """The quote's own affordable, in-policy option that concedes least: what a negotiator counters with."""
    plain = {k: v for k, v in body.items() if k != "proposal"}
    q = quote(copy.deepcopy(plain), registry, channel=channel)
    good = [o for o in q["options"] if o["affordable"] and o["within_policy"]
            and (channel != "portal" or o["approval"] == "none")]
    return min(good, key=lambda o: D(o.get("concession_value", "0")), default=None)


@pytest.mark.parametrize("term,within", [(12, True), (90, False), (1, False)])
def test_term_proposals(registry, body, term, within):
    """Default policy: instalments of 3 to 60 months; outside, the counter-offer is the plan at capacity."""
    out = propose(with_proposal(body, term_months=term), registry)
    assert out["plan"]["term_months"] == term
    assert out["within_policy"] is within
    if within:
        assert out["counter_offer"] is None
    else:
        if term > 60:
            longer = next(r for r in out["reasons"] if r["code"] == "proposal_term_longer")
            assert "payment" not in longer["message"] and "90 months" in longer["message"]
        best = _least_concession(registry, body)
        assert (out["counter_offer"]["type"], out["counter_offer"]["monthly_payment"]) == \
            (best["type"], best["monthly_payment"])


def test_lump_sum_settlement_within_and_beyond_the_cap(registry, body):
    body = copy.deepcopy(body)
    body["account"]["days_past_due"] = 120      # settlements open at 91 DPD in the default policy
    owed = D(body["account"]["balance"]) + D(body["account"]["fees"])
    cap = registry.get("default").options.settlement.max_discount
    ok = propose(with_proposal(body, lump_sum=str(owed * (1 - cap) + 1)), registry)
    assert ok["within_policy"] and ok["plan"]["type"] == "settlement"
    assert D(ok["plan"]["total_payable"]) == owed * (1 - cap) + 1
    low = propose(with_proposal(body, lump_sum="1000.00"), registry)
    assert not low["within_policy"]
    assert D(low["counter_offer"]["total_payable"]) == owed * (1 - cap)


def test_lump_sum_in_full_needs_no_approval(registry, body):
    out = propose(with_proposal(body, lump_sum="99999.00"), registry)
    assert out["within_policy"] and out["approval"] == "none"
    assert D(out["plan"]["total_payable"]) == D(body["account"]["balance"]) + D(body["account"]["fees"])


def test_portal_never_accepts_what_needs_approval(registry, body):
    out = propose(with_proposal(body, monthly_payment="300.00"), registry, channel="portal")
    assert "lender_npv" not in json.dumps(out)
    if out["within_policy"]:
        assert out["approval"] == "none"


@pytest.mark.parametrize("proposal,field", [
    ({}, "proposal"),
    ({"monthly_payment": "1", "term_months": 3}, "proposal"),
    ({"monthly_payment": "0"}, "proposal.monthly_payment"),
    ({"monthly_payment": "-5"}, "proposal.monthly_payment"),
    ({"monthly_payment": "1.234"}, "proposal.monthly_payment"),
    ({"term_months": 0}, "proposal.term_months"),
    ({"term_months": True}, "proposal.term_months"),
    ({"lump_sum": "NaN"}, "proposal.lump_sum"),
    ({"bogus": 1}, "proposal.bogus"),
])
def test_bad_proposals_name_the_field(registry, body, proposal, field):
    with pytest.raises(ValidationError) as err:
        propose(with_proposal(body, **proposal), registry)
    assert field in [e.field for e in err.value.errors]


@pytest.mark.parametrize("history,code,text", [
    ({"opened_on": "2025-11-22", "consecutive_payments": 0, "reage_dates": []}, "insufficient_payments",
     "Needs 3 consecutive payments"),
    ({"opened_on": "2026-06-01", "consecutive_payments": 6, "reage_dates": []}, "account_too_new", "9 months"),
])
def test_a_term_what_if_the_reage_rules_decline_says_why(registry, history, code, text):
    """A term what-if on an account the FFIEC re-age rules hold back answers with the rule's figures (it crashed)."""
    b = {"policy": "us-card", "as_of": "2026-11-23", "locale": "en", "schedules": "none",
         "account": {"currency": "USD", "balance": "1995.31", "arrears": "483.25", "fees": "0", "apr": "0.18",
                     "days_past_due": 100, "product": "credit_card", "contractual_payment": "66.51",
                     "history": history},
         "finances": {"monthly_income": "806.00", "monthly_expenses": "403.00"},
         "proposal": {"term_months": 24}}
    out = propose(b, registry)
    assert out["plan"] is None and not out["acceptable"]
    reason = next(r for r in out["reasons"] if r["code"] == code)
    assert text in reason["message"]
