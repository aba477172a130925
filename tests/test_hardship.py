"""A borrower in hardship (issue 18): every payment due while the hardship lasts fits the budget during it, and a
counter-offer never spends money the borrower does not have."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

from conftest import EXAMPLES, TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import POLICY_NAMES, requests

from negotiator.core import formats
from negotiator.engine.proposals import propose
from negotiator.engine.quote import quote
from negotiator.kinds import KINDS
from negotiator.policy import PolicyRegistry

REGISTRY = PolicyRegistry.load()
PPY = {"monthly": 12, "fortnightly": 26, "weekly": 52}

#: An EUR card holder on sick pay for 9 months: 1,500 income, 900 spent, 1,000 while ill.
#: default.yaml: surplus_share 0.80, so 480.00 a month after (0.80 x 600) and 80.00 during (0.80 x 100).
SICK_PAY = {"policy": "default", "as_of": "2026-11-23", "locale": "en", "schedules": "all",
            "account": {"currency": "EUR", "balance": "9000.00", "arrears": "300", "fees": "0", "apr": "0.19",
                        "days_past_due": 40, "product": "credit_card", "contractual_payment": "270.00"},
            "finances": {"monthly_income": "1500", "monthly_expenses": "900",
                         "hardship": {"kind": "illness", "expected_months": 9, "income_during": "1000"}}}


def _minor(text: str) -> Decimal:
    return Decimal(text)


def test_the_budgets_are_the_presets_share_of_the_surplus():
    q = quote(copy.deepcopy(SICK_PAY), REGISTRY, today=TODAY)
    assert q["affordability"]["affordable_payment"] == "480.00"
    assert q["affordability"]["affordable_during_hardship"] == "80.00"


def test_a_break_shorter_than_the_hardship_is_not_affordable():
    """default.yaml caps a payment holiday at 3 months: from month 4 it asks 469.93 while the borrower, ill for 9
    months, can pay 80.00. It was marked affordable and recommended."""
    q = quote(copy.deepcopy(SICK_PAY), REGISTRY, today=TODAY)
    holiday = next(o for o in q["options"] if o["type"] == "payment_holiday")
    pays = [_minor(line["payment"]) for line in holiday["schedule"]]
    assert pays[:3] == [0, 0, 0] and pays[3] > Decimal("80.00")
    assert holiday["affordable"] is False
    # Nothing fits the 9 months: the break is suggested only as one held until its review, never as affordable.
    assert "recommended" not in [r["code"] for r in holiday["reasons"]]
    assert "held_until_review" in [f["code"] for f in q["affordability"]["flags"]]


def test_a_break_as_long_as_the_hardship_stays_affordable():
    """The same borrower ill for 3 months: the break covers the hardship, the level payments fit 480.00 after."""
    body = copy.deepcopy(SICK_PAY)
    body["finances"]["hardship"]["expected_months"] = 3
    q = quote(body, REGISTRY, today=TODAY)
    holiday = next(o for o in q["options"] if o["type"] == "payment_holiday")
    assert holiday["affordable"] is True
    assert max(_minor(line["payment"]) for line in holiday["schedule"]) <= Decimal("480.00")


def _with_hardship(draw_body: dict, months: int, share: int) -> dict:
    body = copy.deepcopy(draw_body)
    fin = body["finances"]
    income = Decimal(str(fin["monthly_income"]))
    digits = max(-Decimal(str(fin["monthly_income"])).as_tuple().exponent, 0)
    during = (income * share / 4).quantize(Decimal(1).scaleb(-digits)) if digits else int(income * share / 4)
    fin["hardship"] = {"kind": "reduced_income", "expected_months": months, "income_during": str(during)}
    body["schedules"] = "all"
    return body


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=requests(), months=st.integers(1, 24), share=st.integers(0, 3),
       channel=st.sampled_from(["agent", "portal"]), frequency=st.sampled_from(sorted(PPY)))
def test_no_affordable_option_asks_more_than_the_hardship_budget_while_it_lasts(body, months, share, channel,
                                                                                 frequency):
    """Over every preset, channel and frequency: each payment of an option marked affordable that falls due
    within the declared hardship is at most the budget during it (per payment period); a first payment held
    from the lump sum declared (a settlement's lump, a down payment) is the lump sum's."""
    body = _with_hardship(body, months, share)
    if body["policy"] in POLICY_NAMES and frequency in REGISTRY.get(body["policy"]).frequencies:
        body["frequency"] = frequency
    try:
        q = quote(body, REGISTRY, channel=channel, today=TODAY)
    except Exception as exc:   # an input the engine refuses (a limit of the preset): nothing to check
        assert type(exc).__name__ in ("ValidationError", "UnknownPolicyError"), exc
        return
    aff = q["affordability"]
    during = Decimal(aff.get("affordable_during_hardship", aff["affordable_payment"]))
    lump = Decimal(str(body["finances"].get("lump_sum_available", 0)))
    for opt in q["options"]:
        if not opt["affordable"] or not opt.get("schedule"):
            continue
        ppy = PPY[opt.get("frequency", body.get("frequency", "monthly"))]
        per_period = (during * 12 / ppy).quantize(Decimal(1).scaleb(during.as_tuple().exponent), "ROUND_FLOOR")
        lines = opt["schedule"]
        held_from_lump = KINDS[opt["type"]].held_from_lump
        for k, line in enumerate(lines[: months * ppy // 12]):
            if k == 0 and held_from_lump and Decimal(line["payment"]) <= lump:
                continue        # paid from the lump sum declared
            assert Decimal(line["payment"]) <= per_period, (opt["type"], k + 1, line["payment"], per_period)


def test_a_lump_sum_counter_offer_never_spends_money_the_borrower_does_not_have():
    """A USD borrower offers 2,000 (and declares 2,000) on 6,000 owed: default.yaml's deepest discount is 40 %,
    so the smallest settlement is 3,600 (6,000 x 0.60). It was marked affordable, "paid from the 2,000 you said
    you have"."""
    body = {"policy": "default", "as_of": "2026-11-23", "locale": "en", "schedules": "none",
            "account": {"currency": "USD", "balance": "6000.00", "arrears": "1200", "fees": "0", "apr": "0.24",
                        "days_past_due": 120, "product": "credit_card", "contractual_payment": "180.00"},
            "finances": {"monthly_income": "2000", "monthly_expenses": "1900", "lump_sum_available": "2000.00"},
            "proposal": {"lump_sum": "2000.00"}}
    out = propose(body, REGISTRY, today=TODAY)
    counter = out["counter_offer"]
    assert counter["type"] == "settlement" and counter["total_payable"] == "3600.00"
    assert counter["affordable"] is False
    codes = [r["code"] for r in counter["reasons"]]
    assert "funded_by_lump_sum" not in codes and "settlement_one_sum" in codes
    # Declared 4,000 available: the same counter is one the borrower can pay, from what they have.
    body["finances"]["lump_sum_available"] = "4000.00"
    counter = propose(body, REGISTRY, today=TODAY)["counter_offer"]
    assert counter["affordable"] is True
    assert "funded_by_lump_sum" in [r["code"] for r in counter["reasons"]]


def test_forbearance_is_at_what_the_borrower_can_afford_not_a_token():
    """uk-conc: 1,150 income, 1,120 spent: 0.80 x 30.00 = 24.00 to spare, on 5,000 owed (no plan within 60
    months at 24.00). CONC 7.3.4R/7.3.5G: forbear at what the customer can afford; the token (1.00) is for
    when nothing more is. It asked 1.00."""
    body = {"policy": "uk-conc", "as_of": "2026-11-23", "locale": "en",
            "account": {"currency": "GBP", "balance": "5000.00", "arrears": "600", "fees": "0", "apr": "0.299",
                        "days_past_due": 95, "product": "credit_card", "contractual_payment": "150.00"},
            "finances": {"monthly_income": "1150", "monthly_expenses": "1120"}}
    q = quote(body, REGISTRY, today=TODAY)
    assert q["affordability"]["affordable_payment"] == "24.00"
    assert q["recommended_option_id"] == "token_payment"
    token = next(o for o in q["options"] if o["type"] == "token_payment")
    assert token["monthly_payment"] == "24.00" and token["affordable"]
    assert [line["payment"] for line in token["schedule"]] == ["24.00"] * 3          # review_months: 3
    # With nothing to spare beyond the token, the token it is (uk-conc: payment 1.00).
    body["finances"]["monthly_expenses"] = "1149.50"
    token = next(o for o in quote(body, REGISTRY, today=TODAY)["options"] if o["type"] == "token_payment")
    assert token["monthly_payment"] == "1.00"


def test_the_nearest_plan_is_one_the_lender_can_grant():
    """A loan of 20,277.49 at 24 % with 320.04 affordable (default.yaml): nothing fits. The rate cut nearest the
    budget (337.96) concedes more than the supervisor may; the nearest named must be within policy: the
    instalment plan (583.35). It named the rate cut."""
    body = {"policy": "default", "as_of": "2026-11-23", "locale": "en",
            "account": {"currency": "USD", "balance": "20277.49", "arrears": "0.00", "fees": "0.00", "apr": "0.24",
                        "days_past_due": 0, "product": "loan", "contractual_payment": "422.44",
                        "remaining_term_months": 12},
            "finances": {"monthly_income": "2525.00", "monthly_expenses": "1767.50", "other_debt_payments": "357.45"}}
    q = quote(body, REGISTRY, today=TODAY)
    assert q["recommended_option_id"] is None
    by_type = {o["type"]: o for o in q["options"]}
    assert not by_type["interest_reduction"]["within_policy"]
    assert q["nearest_option_id"] == "instalment" and by_type["instalment"]["within_policy"]
    flag = next(f for f in q["affordability"]["flags"] if f["code"] == "no_affordable_option")
    assert "263.31" in flag["message"]                   # 583.35 - 320.04


def test_a_breathing_space_is_the_answer_even_with_nothing_to_spare_after_it():
    """uk-conc, a breathing space of 2 months and no surplus: the moratorium asks nothing (the law's, not the
    lender's choice), so the holiday is the answer, reviewed at its end. Nothing was recommended, and the
    borrower, with nothing to spare, was shown a shortfall."""
    body = json.loads((EXAMPLES / "breathing_space_uk_conc.json").read_text(encoding="utf-8"))
    body["finances"]["monthly_expenses"] = body["finances"]["monthly_income"]
    body["schedules"] = "all"
    q = quote(body, REGISTRY, today=TODAY)
    assert q["affordability"]["affordable_payment"] == "0.00"
    assert q["recommended_option_id"] == "payment_holiday"
    holiday = next(o for o in q["options"] if o["type"] == "payment_holiday")
    assert [line["payment"] for line in holiday["schedule"][:2]] == ["0.00", "0.00"]
    assert holiday["approval"] == "none"
    assert "no_affordable_option" not in [f["code"] for f in q["affordability"]["flags"]]


# ---------------------------------------------------------------- a break held until its review (item 5)

#: A UK card holder out of work for 9 months with no income meanwhile: 1,500 income and 1,300 spent when in
#: work. uk-conc.yaml: surplus_share 0.80, so 160.00 a month after (0.80 x 200) and 0.00 during. The payment
#: holiday is capped at 2 months (uk-conc.yaml payment_holiday.max_months), the token payment asks 1.00.
OUT_OF_WORK = {**json.loads((EXAMPLES / "token_payment_uk_conc.json").read_text()), "schedules": "all",
               "finances": {"monthly_income": "1500", "monthly_expenses": "1300",
                            "hardship": {"kind": "unemployment", "expected_months": 9, "income_during": "0"}}}


def test_a_temporary_hardship_with_nothing_to_spare_gets_the_break_held_until_review():
    """Nothing fits for 9 months at 0.00 a month, so nothing was recommended. The answer is the break whose held
    payments fit (0.00 for 2 months), reviewed when it ends, with its approval; the token plan's 1.00 does not
    fit 0.00 although it holds longer (3 months), and no shortfall is named."""
    q = quote(copy.deepcopy(OUT_OF_WORK), REGISTRY, today=TODAY)
    assert q["affordability"]["affordable_during_hardship"] == "0.00"
    assert q["recommended_option_id"] == "payment_holiday"
    assert q["nearest_option_id"] is None
    holiday = next(o for o in q["options"] if o["type"] == "payment_holiday")
    assert [line["payment"] for line in holiday["schedule"][:2]] == ["0.00", "0.00"]
    assert holiday["affordable"] is False            # its payments after the break still fall in the hardship
    assert holiday["approval"] == "agent"
    codes = [r["code"] for r in holiday["reasons"]]
    assert "recommended_until_review" in codes and "recommended" not in codes
    review = next(r for r in holiday["reasons"] if r["code"] == "review_date")
    assert formats.date(holiday["schedule"][2]["due_date"]) in review["message"]     # reviewed when the break ends
    flags = [f["code"] for f in q["affordability"]["flags"]]
    assert "held_until_review" in flags and "no_affordable_option" not in flags


def test_no_break_is_held_when_a_plan_fits_the_whole_hardship():
    """Out of work for 2 months: the 2-month break covers it and the plan after fits 160.00, so it is
    recommended as affordable, not as a break held until review."""
    body = copy.deepcopy(OUT_OF_WORK)
    body["finances"]["hardship"]["expected_months"] = 2
    q = quote(body, REGISTRY, today=TODAY)
    holiday = next(o for o in q["options"] if o["type"] == "payment_holiday")
    assert q["recommended_option_id"] == "payment_holiday" and holiday["affordable"] is True
    assert "held_until_review" not in [f["code"] for f in q["affordability"]["flags"]]
    assert "recommended" in [r["code"] for r in holiday["reasons"]]


def test_no_break_is_held_without_a_declared_hardship_or_on_the_portal_past_approval():
    """Without a hardship, or with one no better after, nothing is held for review; on the portal the break
    needs an agent, so nothing is
    recommended there (the borrower is pointed to help instead)."""
    body = copy.deepcopy(OUT_OF_WORK)
    body["finances"] = {"monthly_income": "1300", "monthly_expenses": "1300"}
    q = quote(body, REGISTRY, today=TODAY)
    assert q["recommended_option_id"] is None
    body["finances"]["hardship"] = {"kind": "other", "expected_months": 9, "income_during": "1300"}
    assert quote(body, REGISTRY, today=TODAY)["recommended_option_id"] is None     # not temporary: no better after
    portal = quote(copy.deepcopy(OUT_OF_WORK), REGISTRY, channel="portal", today=TODAY)
    assert portal["recommended_option_id"] is None
    assert "held_until_review" not in [f["code"] for f in portal["affordability"]["flags"]]
