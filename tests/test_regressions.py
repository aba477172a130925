"""Engine bugs found by the property tests, each kept as a regression test."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from decimal import Decimal

from conftest import EXAMPLES

from negotiator.engine.explain import PORTAL_HIDDEN
from negotiator.engine.plans import Plans, solve
from negotiator.engine.quote import quote


def test_loan_at_the_term_cap_is_declined_not_crashed(loan_body, quote_of):
    loan_body["account"]["remaining_term_months"] = 600
    loan_body["finances"]["monthly_expenses"] = loan_body["finances"].get("monthly_expenses", "0")
    q = quote_of(loan_body)
    codes = {r["code"] for d in q["declined"] if d["type"] == "term_extension" for r in d["reasons"]}
    assert codes and codes <= {"term_at_maximum", "lesser_concession_affordable", "dpd_out_of_range"}
    loan_body["account"]["remaining_term_months"] = 30
    quote_of(loan_body, channel="portal")


def test_flat_fee_plan_never_goes_below_zero(quote_of):
    b = {"policy": "cn-card", "as_of": "2026-11-23", "account": {"currency": "CNY", "balance": "3.70",
         "arrears": "0", "fees": "0", "apr": "0", "days_past_due": 0, "product": "credit_card",
         "contractual_payment": "0.01"}, "finances": {"monthly_income": "0.01", "monthly_expenses": "0.01"}}
    options = quote_of(b)["options"]
    assert options
    for o in options:
        lines = o["schedule"]
        assert all(Decimal(x["balance_after"]) >= 0 for x in lines)
        assert all(Decimal(x["payment"]) > 0 for x in lines)
        assert Decimal(lines[-1]["payment"]) <= Decimal(o["monthly_payment"])


def test_portal_declines_hide_internal_codes(quote_of):
    q = quote_of(json.loads((EXAMPLES / "portal_card_eur.json").read_text()), channel="portal")
    assert not {r["code"] for d in q["declined"] for r in d["reasons"]} & PORTAL_HIDDEN


def test_solve_at_the_schema_extremes_is_quiet_and_quick():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = solve(Plans.build(principal=[7, 10**11], apr_ppm=[1_000_000, 600_000], term=[520, 600]))
    assert (s.final > 0).all() and (s.final <= s.level).all()


def test_a_term_extension_is_longer_than_the_current_term(quote_of, loan_body):
    loan_body["account"].update(balance="0.50", arrears="0.00", fees="0.00", days_past_due=0,
                                contractual_payment="0.10", remaining_term_months=1)
    q = quote_of(loan_body)
    for o in q["options"]:
        if o["type"] == "term_extension":
            assert o["term_months"] > 1


def test_quote_id_follows_the_effective_as_of_date(registry, body):
    body = {k: v for k, v in body.items() if k != "as_of"}
    a = quote(body, registry, today=dt.date(2026, 11, 23))
    b = quote(body, registry, today=dt.date(2026, 11, 24))
    assert a["quote_id"] != b["quote_id"]
    assert a["quote_id"] == quote(body, registry, today=dt.date(2026, 11, 23))["quote_id"]
