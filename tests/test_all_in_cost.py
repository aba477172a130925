"""The all-in annual cost of a plan, and China's 36 % line (issue 18, item 4).

Under the 2017 cash-loan notice (整治办函〔2017〕141号) and PBoC announcement
〔2021〕3号 every cost a borrower pays counts toward the annualised rate
(年化利率: the IRR of the flows on the principal in use, times the periods
in a year) and the 36 % line. A plan that repays carried penalty interest
(罚息) and late fees (违约金) costs more than its interest rate says. The
cn-loan preset sets ``max_apr_all_in``: carried charges are waived until each
plan is within ``max_apr`` all-in, the waiver named in the reasons; a plan
that cannot be is not within policy.

Expected figures come from the preset file (read as text) and independent
arithmetic here: a Decimal schedule, ``numpy_financial.irr`` and a bisection
of the IRR equation with the first period as it is charged.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from importlib import resources

import numpy_financial as npf
import pytest
import yaml
from conftest import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import requests

from negotiator.engine.quote import quote
from negotiator.policy import PolicyRegistry, load_policy_text

D = Decimal
TEXT = resources.files("negotiator.policies").joinpath("cn-loan.yaml").read_text(encoding="utf-8")
RAW = yaml.safe_load(TEXT)
CAP = float(RAW["max_apr"])

#: The issue's case: a 36 % 网贷 at M2 (45 days past due) on 8,000 of principal, carrying 罚息 380 and 违约金 140;
#: affordable 0.70 x (6,000 - 5,130) = 609.00 makes the 延期还款 18 months (from 12 left).
M2 = {"policy": "cn-loan", "as_of": "2026-11-23", "options": ["term_extension"],
      "account": {"currency": "CNY", "balance": "8000.00", "arrears": "1200.00", "fees": "520.00",
                  "apr": "0.36", "days_past_due": 45, "product": "loan", "contractual_payment": "650.00",
                  "remaining_term_months": 12,
                  "fee_breakdown": {"penalty_interest": "380.00", "late_fees": "140.00", "other_charges": "0"}},
      "finances": {"monthly_income": "6000.00", "monthly_expenses": "5130.00"}}


@pytest.fixture(scope="module")
def registry():
    return PolicyRegistry.load()


def _q(body, registry, channel="agent"):
    return quote(copy.deepcopy(body), registry, channel=channel, today=TODAY)


# ------------------------------------------------------------------ an independent schedule and IRR

ONE = D(1)


def oracle_schedule(principal: D, fees: D, monthly: D, n: int, level: D, rounding, first: D = ONE) -> list[D]:
    """Payments of a plan: interest on the principal outstanding (the first period's share ``first`` of a
    month), rounded to the cent; each payment to interest, then principal, then the carried fees, last."""
    owed_p, owed_f, out = principal, fees, []
    for k in range(n):
        interest = (owed_p * monthly * (first if k == 0 else 1)).quantize(D("0.01"), rounding=rounding)
        pay = level if k < n - 1 else owed_p + owed_f + interest
        to_p = min(max(pay - interest, D(0)), owed_p)
        owed_p -= to_p
        owed_f -= pay - interest - to_p
        out.append(pay)
    return out


def oracle_level(principal: D, fees: D, monthly: D, n: int, rounding, first: D = ONE) -> D:
    """The smallest level payment whose schedule's last payment is at or below it (the engine's rule), climbing
    by cents from below the annuity of the principal alone (the carried fees, paid last, only add to it)."""
    level = D(str(npf.pmt(float(monthly), n, -float(principal)))).quantize(D("0.01")) - D("0.50")
    while oracle_schedule(principal, fees, monthly, n, level, rounding, first)[-1] > level:
        level += D("0.01")
    return level


def irr_first(amount: float, flows: list[float], share: float) -> float:
    """The rate per period ``r`` with sum F_k / ((1 + r s) (1 + r)^k) = amount, by bisection: the first period
    (``s`` of a regular one) discounted as it is charged, simple interest for its days."""
    lo, hi = 0.0, 1.0
    for _ in range(200):
        r = (lo + hi) / 2
        pv = sum(f / ((1 + r * share) * (1 + r) ** k) for k, f in enumerate(flows))
        lo, hi = (r, hi) if pv > amount else (lo, r)
    return lo


def plan_flows(o: dict) -> tuple[float, list[float]]:
    """The principal a plan finances (its schedule's principal column) and every payment, from its schedule."""
    return (float(sum(D(x["principal"]) for x in o["schedule"])),
            [float(D(x["payment"])) for x in o["schedule"]])


# ------------------------------------------------------------------ the case

def test_the_preset_caps_the_all_in_cost_and_cites_why():
    assert RAW["max_apr_all_in"] is True and D(RAW["max_apr"]) == D("0.36")
    assert RAW["rounding"] == "down" and RAW["day_count"] == "actual/365"
    for source in ("141号", "2021 No. 3", "罚息", "违约金"):
        assert source in TEXT


def test_carrying_the_charges_costs_41_37_percent_by_hand():
    """What the issue saw: 8,000 at 3 % a month over 18 months with the 520 of charges repaid inside the plan
    (paid last, bearing no interest), interest rounded half up each month, a whole first month: the level is
    603.88 and the flows' IRR x 12 is 41.37 %, disclosed as 36.00 %."""
    level = oracle_level(D(8000), D(520), D("0.03"), 18, ROUND_HALF_UP)
    pays = oracle_schedule(D(8000), D(520), D("0.03"), 18, level, ROUND_HALF_UP)
    assert level == D("603.88") and len(pays) == 18
    assert round(npf.irr([-8000.0] + [float(p) for p in pays]) * 12, 4) == 0.4137


def test_the_m2_plan_waives_the_charges_that_would_carry_it_over_36_percent(registry):
    """The same loan today: the 18-month 延期还款 keeps only what 36 % all-in allows. With its interest rounded
    down and a 30-day first period (30/365 of a year), 0.10 of the late fees can be kept: every other fen of
    the 罚息 and 违约金 is waived, named in the reasons, and the plan is within policy, at no approval (the
    waiver is the law's, not a concession)."""
    o = _q(M2, registry)["options"][0]
    assert (o["type"], o["term_months"], o["within_policy"], o["affordable"]) == ("term_extension", 18, True, True)
    assert o["fees_waived"] == "519.90" and o["fees_waived_detail"] == {"penalty_interest": "380.00",
                                                                          "late_fees": "139.90"}
    assert o["approval"] == "none" and o["concession_value"] == "0.00"
    # The schedule, rebuilt by hand: 8,000 and 0.10 of fees, 3 % a month, the first month 30/365 x 12 of one.
    first = D(30) / D(365) * 12
    level = oracle_level(D(8000), D("0.10"), D("0.03"), 18, ROUND_DOWN, first)
    pays = oracle_schedule(D(8000), D("0.10"), D("0.03"), 18, level, ROUND_DOWN, first)
    assert [D(x["payment"]) for x in o["schedule"]] == pays and o["monthly_payment"] == str(level)
    # Its all-in cost, independently: within 36 % (numpy-financial's IRR counts the 30-day first period as a
    # whole month, so it is lower still) and the disclosed all_in_apr is that rate.
    amount, flows = plan_flows(o)
    assert amount == 8000.0 and sum(D(x["payment"]) for x in o["schedule"]) == D(o["total_payable"])
    assert npf.irr([-amount] + flows) * 12 <= CAP + 1e-9
    exact = irr_first(amount, flows, 30 / 365 * 12) * 12
    assert exact <= CAP + 1e-7 and float(o["all_in_apr"]) == pytest.approx(exact, abs=2e-6)
    # Keeping one fen more would carry it over: 0.11 of fees.
    more = oracle_schedule(D(8000), D("0.11"), D("0.03"), 18,
                           oracle_level(D(8000), D("0.11"), D("0.03"), 18, ROUND_DOWN, first), ROUND_DOWN, first)
    assert irr_first(8000.0, [float(p) for p in more], 30 / 365 * 12) * 12 > CAP
    codes = {r["code"]: r["message"] for r in o["reasons"]}
    assert codes["charges_waived_to_cap"] == ("Waived so that this plan's all-in annualised cost, every charge "
                                              "counted, stays within 36%: penalty interest CN¥380.00, late fees "
                                              "CN¥139.90.")


def test_the_waiver_is_named_in_chinese(registry):
    o = _q(M2 | {"locale": "zh-CN"}, registry)["options"][0]
    msg = next(r["message"] for r in o["reasons"] if r["code"] == "charges_waived_to_cap")
    assert msg == "为使本方案计入全部费用的综合年化利率不超过 36%，减免：罚息 380.00 元、违约金 139.90 元。"


def test_without_a_breakdown_the_charges_are_named_as_a_whole(registry):
    body = copy.deepcopy(M2)
    del body["account"]["fee_breakdown"]
    o = _q(body, registry)["options"][0]
    assert "fees_waived_detail" not in o and o["fees_waived"] == "519.90"
    assert any(r["code"] == "charges_waived_to_cap" and r["message"].endswith("fees and charges CN¥519.90.")
               for r in o["reasons"])


def test_a_plan_below_the_line_keeps_the_charges_that_fit(registry):
    """停息分期 at 0 %: 8,000 carrying 300 of other charges costs a few percent all-in, far within 36 %:
    nothing is waived for the cap (the kind waives 罚息 and 违约金 of its own), and the 300 is in the all-in
    rate disclosed: IRR of 8,000 against 36 payments that add up to 8,300."""
    body = copy.deepcopy(M2) | {"options": ["interest_free_instalment"]}
    body["account"].update(days_past_due=120, fees="820.00",
                           fee_breakdown={"penalty_interest": "380.00", "late_fees": "140.00",
                                          "other_charges": "300.00"})
    body["finances"].update(monthly_expenses="5600.00", hardship={"kind": "illness", "expected_months": 6})
    o = _q(body, registry)["options"][0]
    assert o["type"] == "interest_free_instalment" and o["fees_waived"] == "520.00"
    assert not any(r["code"] == "charges_waived_to_cap" for r in o["reasons"])
    amount, flows = plan_flows(o)
    assert sum(D(x["payment"]) for x in o["schedule"]) == D("8300.00") and o["apr"] == "0"
    by_hand = irr_first(amount, flows, 30 / 365 * 12) * 12
    assert 0 < by_hand < CAP and float(o["all_in_apr"]) == pytest.approx(by_hand, abs=2e-6)
    assert any(r["code"] == "all_in_rate_disclosed" for r in o["reasons"])


def test_a_rate_below_the_line_keeps_as_much_as_fits(registry):
    """A 24 % loan carrying 2,000 of charges over a short term: the cap waives only what carries it over 36 %,
    and the rest, kept, costs at most 36 %."""
    body = copy.deepcopy(M2)
    body["account"].update(apr="0.24", fees="2000.00", fee_breakdown={"penalty_interest": "1500.00",
                                                                       "late_fees": "500.00",
                                                                       "other_charges": "0"})
    body["finances"]["monthly_expenses"] = "4600.00"
    o = _q(body, registry)["options"][0]
    waived = D(o["fees_waived"])
    assert D(0) < waived < D(2000) and o["within_policy"]
    amount, flows = plan_flows(o)
    assert sum(flows) == pytest.approx(amount + float(D(o["total_interest"]) + D(2000) - waived))
    assert CAP - 0.001 < irr_first(amount, flows, 30 / 365 * 12) * 12 <= CAP + 1e-7


# ------------------------------------------------------------------ the property: no plan within policy above 36 %

def _with_frequencies() -> PolicyRegistry:
    """cn-loan as shipped, and the same file offering weekly and fortnightly payments too (the preset offers
    monthly ones only), so every frequency is tried against the same line."""
    more = (TEXT.replace("name: cn-loan", "name: cn-loan-any-frequency")
            + "\nfrequencies: [monthly, fortnightly, weekly]\n")
    return PolicyRegistry([*PolicyRegistry.load(), load_policy_text(more, "cn-loan-any-frequency")])


ANY = _with_frequencies()
PERIOD_DAYS = {"monthly": 30, "fortnightly": 14, "weekly": 7}
PPY = {"monthly": 12, "fortnightly": 26, "weekly": 52}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests(policy="cn-loan", product="loan"), st.sampled_from(["agent", "portal", "batch"]),
       st.sampled_from(["monthly", "fortnightly", "weekly"]), st.one_of(st.none(), st.integers(1, 45)))
def test_no_plan_within_policy_costs_more_than_36_percent_all_in(body, channel, frequency, first_days):
    """Over cn-loan loans, every channel and frequency, and any first payment date: every option within
    policy costs at most 36 % a year all-in, by an IRR computed here from the schedule's own flows (principal
    out, every payment in: carried penalty interest and fees included).

    Two IRRs: the bisection above, the first period as the preset charges it (its days over 365, a share of
    a period); and numpy-financial's ``irr`` wherever the first period is at most a regular one (it counts
    it as a whole period, so it can only be lower). The catch-up carries no charges (the contract runs on at
    its own rate, at most ``max_apr``); its all-in rate is the contract's.
    """
    body = copy.deepcopy(body) | {"frequency": frequency, "schedules": "all"}
    if frequency != "monthly":
        body["policy"] = "cn-loan-any-frequency"
    if first_days is not None:
        body["first_payment_date"] = (dt.date.fromisoformat(body["as_of"]) + dt.timedelta(days=first_days)).isoformat()
    days = first_days if first_days is not None else RAW["first_payment_offset_days"]
    share = days / 365 * PPY[frequency]
    q = quote(body, ANY, channel=channel, today=TODAY)
    for o in q["options"]:
        if o["type"] == "catch_up":
            assert float(o["all_in_apr"]) == float(body["account"]["apr"]) <= CAP
            continue
        amount, flows = plan_flows(o)
        if not o["within_policy"] or sum(flows) <= amount:
            continue
        exact = irr_first(amount, flows, share) * PPY[frequency]
        assert exact <= CAP + 1e-6, (o["type"], exact)
        assert float(o["all_in_apr"]) == pytest.approx(exact, abs=1e-5), o["type"]
        if days <= PERIOD_DAYS[frequency] and len(flows) > 1:
            assert npf.irr([-amount] + flows) * PPY[frequency] <= CAP + 1e-6, o["type"]
