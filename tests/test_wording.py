"""Issue 18, item 11: the words say what is true.

(a) a plan refused only for its term says so, not ``beyond_authority``;
(b) 停息挂账 with a down payment (首付) says the down payment, then the rest in
instalments, not the whole in instalments; (c) a rate is shown to every
decimal it has (0.0592 %, not "0.06%"); (d) a current account is not
"brought up to date", and a re-aged one is not told its arrears leave the
credit record (征信业管理条例 art. 16 keeps adverse information five years).
"""

from __future__ import annotations

import copy
import math
import re
from decimal import ROUND_CEILING, ROUND_FLOOR
from decimal import Decimal as D

import numpy_financial as npf
import pytest
from conftest import EXAMPLES

from negotiator.engine.proposals import propose
from negotiator.engine.quote import quote
from negotiator.kinds.base import pct_ppm
from negotiator.web.text import percent

OUTSIDE = {"beyond_authority", "term_beyond_policy", "term_below_policy", "below_policy_minimum",
           "discount_beyond_policy"}


def _codes(option: dict) -> list[str]:
    return [r["code"] for r in option["reasons"]]


def _load(name: str) -> dict:
    import json
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- (a) a term refusal says so

def test_a_plan_refused_only_for_its_term_is_not_beyond_authority(registry):
    """A 72-month what-if at the contract's own rate concedes nothing (value 0, within every tier) and is
    refused only because default.yaml allows 60 months."""
    body = _load("proposal_payment.json") | {"locale": "en", "proposal": {"term_months": 72}}
    plan = propose(body, registry)["plan"]
    assert not plan["within_policy"] and plan["term_months"] == 72
    assert D(plan["concession_value"]) == 0
    assert [c for c in _codes(plan) if c in OUTSIDE] == ["term_beyond_policy"]
    msg = next(r["message"] for r in plan["reasons"] if r["code"] == "term_beyond_policy")
    assert msg == "This plan needs 72 months, longer than the 60 months the policy allows."
    # The level payment is the annuity of the principal at the contract rate, its fees after it (numpy-financial).
    level = -npf.pmt(0.18 / 12, 72, 12000)
    assert abs(float(plan["monthly_payment"]) - (level + 300 / 72)) < 3


def test_a_payment_that_needs_too_many_months_says_how_many(registry):
    """190.00 a month on 12,300.00 at 18 %: numpy-financial's nper, rounded up, well past the 60 allowed."""
    body = _load("proposal_payment.json") | {"locale": "zh-CN", "proposal": {"monthly_payment": "190.00"}}
    plan = propose(body, registry)["plan"]
    months = plan["term_months"]
    assert months >= math.ceil(npf.nper(0.18 / 12, -190, 12000)) > 60
    assert [c for c in _codes(plan) if c in OUTSIDE] == ["term_beyond_policy"]
    assert f"该方案需 {months} 个月，超过政策允许的最长期限 60 个月。" in [r["message"] for r in plan["reasons"]]


def test_a_concession_above_the_supervisor_still_says_beyond_authority(registry):
    """uk-conc, budget in deficit: the fee waiver at the floor rate over 60 months concedes more than 60 %
    of what is owed (the supervisor's share), so it is beyond every authority, and says that."""
    body = _load("token_payment_uk_conc.json")
    q = quote(body, registry)
    fw = next(o for o in q["options"] if o["type"] == "fee_waiver")
    owed = D("2300.00") + D("36.00")
    assert not fw["within_policy"] and D(fw["concession_value"]) > owed * D("0.60")
    assert "beyond_authority" in _codes(fw)


# --------------------------------------------------------------------------- (b) 停息挂账 with 首付

IFI = {"policy": "cn-card", "as_of": "2026-11-23", "locale": "zh-CN", "options": ["interest_free_instalment"],
       "account": {"currency": "CNY", "balance": "86000.00", "arrears": "12000.00", "fees": "1500.00",
                   "apr": "0.18", "days_past_due": 150, "product": "credit_card", "contractual_payment": "4300.00",
                   "fee_breakdown": {"penalty_interest": "1000.00", "late_fees": "500.00", "other_charges": "0"}},
       "finances": {"monthly_income": "8000.00", "monthly_expenses": "5714.29", "lump_sum_available": "9000.00",
                    "hardship": {"kind": "reduced_income", "expected_months": 12}}}


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_down_payment_is_said_and_only_the_rest_is_in_instalments(registry, locale):
    """The issue's figures: 86,000 owed (fees waived), 10 % first (cn-card.yaml's down_payment_share): 8,600;
    77,400 left over ceil(77,400 / 1,599.99) = 49 instalments (the affordable payment: 70 % of 2,285.71)."""
    o = quote(IFI | {"locale": locale}, registry)["options"][0]
    affordable = (D("2285.71") * D("0.70")).quantize(D("0.01"), ROUND_FLOOR)
    down = (D("86000.00") * D("0.10")).quantize(D("0.01"), ROUND_CEILING)
    rest = D("86000.00") - down
    months = math.ceil(rest / affordable)
    assert (affordable, down, rest, months) == (D("1599.99"), D("8600.00"), D("77400.00"), 49)
    assert D(o["holiday_payment"]) == down and o["term_months"] == months + 1
    assert sum(D(line["payment"]) for line in o["schedule"][1:]) == rest
    first = o["reasons"][0]
    assert first["code"] == "interest_free_instalment_down_payment"
    assert first["message"] == {
        "zh-CN": "停息挂账：86,000.00 元 停止计息、不再收取罚息和费用；"
                 "先支付首付款 8,600.00 元，剩余 77,400.00 元 分 49 期等额偿还。",
        "en": "Interest and charges stop on CN¥86,000.00: you pay CN¥8,600.00 first, then the remaining "
              "CN¥77,400.00 in 49 equal monthly instalments."}[locale]
    assert "down_payment" not in _codes(o)      # said once, in the sentence


def test_without_a_down_payment_the_whole_is_in_instalments(registry):
    body = copy.deepcopy(IFI) | {"policy": "cn-loan"}       # cn-loan.yaml: down_payment_share 0
    body["account"].update(product="loan", remaining_term_months=24)
    o = quote(body, registry)["options"][0]
    assert o["reasons"][0]["code"] == "interest_free_instalment"
    assert f"分 {o['term_months']} 期等额偿还" in o["reasons"][0]["message"]


# --------------------------------------------------------------------------- (c) rates to every decimal

def test_rates_are_shown_to_every_decimal_they_have():
    assert pct_ppm(592) == "0.0592%" and pct_ppm(6_000) == "0.60%" and pct_ppm(180_000) == "18.00%"
    assert percent("0.000592", exact=True) == "0.0592%" and percent("0.106283") == "10.63%"


def test_a_reduced_fee_rate_of_0_0592_percent_reads_so(registry):
    """cn-card prices instalments at 0.60 % a month; its interest-reduction grid steps 0.25 % a year (208 ppm
    a month): 26 steps down is 6,000 - 26 x 208 = 592 ppm, 0.0592 % a month, a fee of floor(20,000 x
    0.000592) = 11.84 a month. It read "0.06%"."""
    body = {"policy": "cn-card", "as_of": "2026-11-23", "locale": "en", "options": ["interest_reduction"],
            "account": {"currency": "CNY", "balance": "20000.00", "arrears": "3000.00", "fees": "0", "apr": "0.18",
                        "days_past_due": 60, "product": "credit_card", "contractual_payment": "1000.00"},
            "finances": {"monthly_income": "8000.00", "monthly_expenses": "7505.00"}}
    o = quote(body, registry)["options"][0]
    msg = next(r["message"] for r in o["reasons"] if r["code"] == "fee_rate_reduced")
    assert msg == "The monthly instalment fee is lowered from 0.60% to 0.0592% of the original amount."
    rate = D(re.findall(r"([\d.]+)%", msg)[1]) / 100
    assert rate == D("0.006") - 26 * D("0.000208")
    assert D(o["schedule"][0]["plan_fee"]) == (D("20000.00") * rate).quantize(D("0.01"), ROUND_FLOOR)


# --------------------------------------------------------------------------- (d) "brought up to date"

def _instalment(registry, policy: str, currency: str, dpd: int, locale: str) -> dict:
    body = {"policy": policy, "as_of": "2026-11-23", "locale": locale, "options": ["instalment"],
            "account": {"currency": currency, "balance": "12000.00", "arrears": "1500.00" if dpd else "0",
                        "fees": "0", "apr": "0.18", "days_past_due": dpd, "product": "credit_card",
                        "contractual_payment": "1200.00"},
            "finances": {"monthly_income": "5000.00", "monthly_expenses": "4000.00"}}
    return quote(body, registry)["options"][0]


@pytest.mark.parametrize("policy,currency", [("default", "USD"), ("cn-card", "CNY"), ("uk-conc", "GBP")])
@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_a_current_account_is_not_brought_up_to_date(registry, policy, currency, locale):
    o = _instalment(registry, policy, currency, 0, locale)
    text = o["reasons"][0]["message"]
    assert o["reasons"][0]["code"] == "balance_spread"
    assert not re.search(r"up to date|恢复为正常|逾期", text), text


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_a_reaged_account_keeps_its_late_payments_on_the_credit_record(registry, locale):
    """征信业管理条例 art. 16: adverse information is kept five years; nothing says the arrears are erased."""
    o = _instalment(registry, "cn-card", "CNY", 45, locale)
    text = o["reasons"][0]["message"]
    assert o["reasons"][0]["code"] == "balance_reaged"
    assert "恢复为正常" not in text and "brought up to date" not in text
    assert {"en": "stay on your credit record as the law requires", "zh-CN": "仍按法律规定保留在您的征信记录中"}[
        locale] in text
