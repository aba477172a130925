"""The cn-loan preset (issue 12): caps pinned by hand from the file, the rate flag, the two examples.

Expected values are computed by hand from ``negotiator/policies/cn-loan.yaml``
(read as text here, not through the engine) and the example requests; the
arithmetic is in each docstring.
"""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources

import pytest
import yaml
from conftest import EXAMPLES, TODAY

from negotiator.core.errors import PolicyError, ValidationError
from negotiator.engine.explain import PORTAL_HIDDEN, message
from negotiator.engine.quote import quote
from negotiator.policy import _instalment_forgone_share, load_policy_text

TEXT = resources.files("negotiator.policies").joinpath("cn-loan.yaml").read_text(encoding="utf-8")
RAW = yaml.safe_load(TEXT)
CARD = yaml.safe_load(resources.files("negotiator.policies").joinpath("cn-card.yaml").read_text(encoding="utf-8"))


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _codes(reasons) -> list[str]:
    return [r["code"] for r in reasons]


# ----------------------------------------------------------------- caps read from the file

def test_the_file_states_the_legal_lines():
    """141号文 / SPC 2015: 36 % comprehensive cap; 24 % protected line flagged; CNY loans only."""
    assert Decimal(RAW["max_apr"]) == Decimal("0.36")
    assert Decimal(RAW["apr_flag_above"]) == Decimal("0.24")
    assert RAW["currencies"] == ["CNY"]
    assert RAW["disclosure"]["apr_method"] == "nominal"      # PBoC 2021 No. 3: IRR x 12
    for kind, rule in RAW["options"].items():
        assert rule.get("products") == ["loan"], kind
    for source in ("2021 No. 3", "141号", "2015", "4x the one-year LPR", "15.4 %", "251号"):
        assert source in TEXT


def test_loans_settle_sooner_than_cards():
    """Settlement opens at M3 (61 DPD) here, M4 (91 DPD) on cards, and needs an agent, not a supervisor."""
    assert RAW["options"]["settlement"]["min_dpd"] == 61 < CARD["options"]["settlement"]["min_dpd"] == 91
    assert RAW["options"]["settlement"]["min_approval"] == "agent"
    assert CARD["options"]["settlement"]["min_approval"] == "supervisor"


def test_the_settlement_cap_is_reachable():
    """At the 30 % cap, paid in 3 instalments at 36 % with an 8 % discount rate:

    level payment per 1 settled at r = 0.03, n = 3: 0.03 / (1 - 1.03**-3) = 0.353530;
    less the interest-free third, 0.333333, leaves 0.020197 a month, worth
    0.020197 x 2.9605 (the annuity factor at 0.08 / 12 over 3 months) = 0.0598;
    so 0.30 + 0.70 x 0.0598 = 0.342 of what is owed, within the supervisor's 0.40.
    """
    forgone = _instalment_forgone_share(0.36, 0.08, 3)
    assert forgone == pytest.approx(0.0598, abs=1e-4)
    st = RAW["options"]["settlement"]
    worst = float(st["max_discount"]) + (1 - float(st["max_discount"])) * forgone
    assert worst == pytest.approx(0.342, abs=1e-3)
    assert worst <= float(RAW["approval"]["supervisor"]["max_share"])


def test_term_extension_is_bounded_by_the_file(quote_of):
    """延期还款: remaining 30 months + 24 extra = 54, capped at 36 in all (and 60 for any plan).

    A 30,000 loan at 18 % (1.5 % a month) over 36 months costs
    30,000 x 0.015 / (1 - 1.015**-36) = 1,084.5719 a month; the first payment is 30
    days away and cn-loan counts them over 365 (day_count actual/365), a share
    s = 30/365 x 12 = 0.9863 of a month, so the plan starts from 30,000 x (1 + 0.015 s)
    / 1.015 = 29,993.92 and pays pmt(0.015, 36, -29993.92) = 1,084.3523; cn-loan
    rounds each month's interest down to the fen (at most the contract's), which
    leaves 1,084.35 enough (the last payment at or below it); an affordable
    payment of 700 (0.70 x a surplus of 1,000) cannot reach it, so the extension
    stops at its longest, 36 months, and is not affordable.
    """
    te = RAW["options"]["term_extension"]
    assert min(30 + te["max_extra_months"], te["max_total_months"], RAW["max_term_months"]) == 36
    body = _example("consumer_loan_cn_loan.json")
    body["account"].update(balance="30000.00", fees="0", apr="0.18", remaining_term_months=30)
    body["account"].pop("fee_breakdown")
    body["finances"].update(monthly_income="9000.00", monthly_expenses="7100.00", other_debt_payments="900.00")
    q = quote_of(body)
    assert q["affordability"]["affordable_payment"] == "700.00"
    te_opt = next(o for o in q["options"] if o["type"] == "term_extension")
    assert te_opt["term_months"] == 36 and not te_opt["affordable"]
    assert Decimal(te_opt["monthly_payment"]) == Decimal("1084.35")
    assert Decimal(te_opt["schedule"][-1]["payment"]) <= Decimal("1084.35")
    assert "term_at_maximum" in _codes(te_opt["reasons"])


@pytest.mark.parametrize("dpd, offered", [(60, False), (61, True)])
def test_settlement_window_starts_at_m3(quote_of, dpd, offered):
    """min_dpd 61 in the file: 60 DPD is declined for the stage, 61 is not."""
    body = _example("online_loan_cn_loan.json")
    body["account"]["days_past_due"] = dpd
    body["options"] = ["settlement"]
    q = quote_of(body)
    declined = {d["type"]: _codes(d["reasons"]) for d in q["declined"]}
    assert ("dpd_out_of_range" in declined.get("settlement", [])) is not offered
    assert bool([o for o in q["options"] if o["type"] == "settlement"]) is offered


# ----------------------------------------------------------------- rates: refused above the cap, flagged above the line

@pytest.mark.parametrize("apr, flagged", [("0.18", False), ("0.24", False), ("0.2401", True), ("0.36", True)])
def test_rates_up_to_the_cap_are_quoted_and_flagged_above_the_line(quote_of, apr, flagged):
    body = _example("online_loan_cn_loan.json")
    body["account"]["apr"] = apr
    q = quote_of(body)
    assert q["options"], "the account is quoted, not refused"
    assert ("apr_above_flag_limit" in _codes(q["affordability"]["flags"])) is flagged


def test_a_rate_above_the_cap_is_refused(registry):
    body = _example("online_loan_cn_loan.json")
    body["account"]["apr"] = "0.3601"
    with pytest.raises(ValidationError) as exc:
        quote(body, registry, today=TODAY)
    assert "account.apr" in {e.field for e in exc.value.errors}


def test_the_flag_reads_in_both_languages(quote_of):
    """36 % against the 24 % line, in the borrower's locale (the agent reads it)."""
    q = quote_of(_example("online_loan_cn_loan.json"))
    flag = next(f for f in q["affordability"]["flags"] if f["code"] == "apr_above_flag_limit")
    assert flag["message"] == message("apr_above_flag_limit", "zh-CN", apr="36%", limit="24%")
    assert "36%" in flag["message"] and "24%" in flag["message"] and "司法保护上限" in flag["message"]
    assert "above 24%" in message("apr_above_flag_limit", "en", apr="36%", limit="24%")


def test_the_portal_does_not_see_the_flag(quote_of):
    """A note for the agent (a legal review), not for self-service: hidden on the portal."""
    assert "apr_above_flag_limit" in PORTAL_HIDDEN
    q = quote_of(_example("online_loan_cn_loan.json"), channel="portal")
    assert "apr_above_flag_limit" not in _codes(q["affordability"]["flags"])


def test_policies_without_the_key_never_flag(quote_of, loan_body):
    """The key is optional: the default preset (no apr_flag_above) quotes 0.59 without the flag."""
    loan_body["account"]["apr"] = "0.59"
    q = quote_of(loan_body)
    assert "apr_above_flag_limit" not in _codes(q["affordability"]["flags"])


@pytest.mark.parametrize("value", ["0.36", "0.40"])
def test_the_flag_line_must_be_below_the_cap(value):
    text = TEXT.replace('apr_flag_above: "0.24"', f'apr_flag_above: "{value}"')
    with pytest.raises(PolicyError) as exc:
        load_policy_text(text, "cn-loan-test")
    assert "apr_flag_above" in str(exc.value)


# ----------------------------------------------------------------- the two examples

def test_online_loan_settles_with_penalties_waived_first(quote_of):
    """网贷: 2,400 + 260 of fees at 36 %, 90 DPD (M3), 1,000 available now.

    Surplus 4,200 - 3,500 = 700; affordable 0.70 x 700 = 490 (under 0.50 x 4,200).
    At 90 DPD the 延期, 分期 and stand-alone waiver windows (to 89 DPD) are closed;
    the settlement owes 2,660 and may discount up to 30 % (1,862.00), in steps of 1 %.
    With 1,000 paid first, the rest over 2 payments must be at most 2 x 490 = 980:
    75 % is 1,995.00 (995.00 left, 497.50 a month, too much); 74 % is 1,968.40
    (968.40 left, 484.20 a month). Written off: 2,660 - 1,968.40 = 691.60, the
    fees first (罚息 180 + 违约金 80 = 260), then 431.60 of principal.
    """
    q = quote_of(_example("online_loan_cn_loan.json"))
    assert q["affordability"]["affordable_payment"] == "490.00"
    assert q["recommended_option_id"] == "settlement"
    st = next(o for o in q["options"] if o["type"] == "settlement")
    assert (st["total_payable"], st["monthly_payment"], st["term_months"]) == ("1968.40", "484.20", 3)
    assert [p["payment"] for p in st["schedule"]] == ["1000.00", "484.20", "484.20"]
    assert (st["fees_waived"], st["principal_forgiven"]) == ("260.00", "431.60")
    assert st["fees_waived_detail"] == {"penalty_interest": "180.00", "late_fees": "80.00"}
    assert st["approval"] == "agent"
    assert [r["message"] for r in st["reasons"]][:2] == [
        "还清 1,968.40 元 即可结清账户，其余 691.60 元 予以减免。",
        "先支付 1,000.00 元，之后分 2 个月每月支付 484.20 元。"]
    declined = {d["type"]: _codes(d["reasons"]) for d in q["declined"]}
    for kind in ("catch_up", "term_extension", "fee_waiver"):
        assert declined[kind] == ["dpd_out_of_range"]


def test_consumer_loan_gets_a_term_extension(quote_of):
    """消费贷: 30,000 at 21.6 %, 45 DPD (M2), 24 months left, 2,900 in arrears.

    Surplus 9,000 - 6,400 - 900 = 1,700; affordable 0.70 x 1,700 = 1,190.
    分期 of the arrears: 1,450 + 2,900 / 6 = 1,933.34 a month, not affordable.
    延期还款 from 24 months to the shortest term (25..36) whose payment fits 1,190;
    the rate stays 21.6 % (no 停息 without a declared hardship) and below the 24 %
    line, so no rate flag.
    """
    q = quote_of(_example("consumer_loan_cn_loan.json"))
    assert q["affordability"]["affordable_payment"] == "1190.00"
    assert q["affordability"]["flags"] == []
    assert q["recommended_option_id"] == "term_extension"
    cu = next(o for o in q["options"] if o["type"] == "catch_up")
    assert cu["monthly_payment"] == "1933.34" and not cu["affordable"]
    te = next(o for o in q["options"] if o["type"] == "term_extension")
    assert 24 < te["term_months"] <= 36 and Decimal(te["monthly_payment"]) <= Decimal("1190.00")
    assert te["interest_rate"] == "0.216"
    assert te["reasons"][0]["message"] == f"贷款剩余期限由 24 个月延长至 {te['term_months']} 个月，以降低每月还款额。"
    assert te["term_months"] == 35


def test_interest_free_instalment_on_declared_hardship(quote_of):
    """停息分期 where the lender allows it, on a declared hardship, an agent's call, no 首付.

    2,400 of balance with interest stopped over the file's min_months (6):
    2,400 / 6 = 400.00 a month, within 490; the 260 of 罚息 and 违约金 waived
    (waive_fees: true); down_payment_share 0.00, so the first payment is 400.00 too.
    """
    body = _example("online_loan_cn_loan.json")
    body["finances"]["hardship"] = {"kind": "unemployment", "expected_months": 6}
    q = quote_of(body)
    ifi = next(o for o in q["options"] if o["type"] == "interest_free_instalment")
    assert (ifi["monthly_payment"], ifi["term_months"], ifi["total_payable"]) == ("400.00", 6, "2400.00")
    assert ifi["fees_waived"] == "260.00" and ifi["total_interest"] == "0.00"
    assert [p["payment"] for p in ifi["schedule"]] == ["400.00"] * 6
    assert ifi["approval"] == "agent"
    assert ifi["reasons"][0]["message"] == "停息挂账：2,400.00 元 停止计息、不再收取罚息和费用，分 6 期等额偿还。"


def test_the_flag_line_is_shown_to_agents_not_to_the_portal(registry):
    """GET /v1/policies/cn-loan: agents read apr_flag_above; the portal's whitelist leaves it out."""
    from negotiator.service.policies import PUBLIC_KEYS
    assert registry.get("cn-loan").public_dict()["apr_flag_above"] == "0.24"
    assert registry.get("default").public_dict()["apr_flag_above"] is None
    assert "apr_flag_above" not in PUBLIC_KEYS
