"""Issue 18, item 14: signposting, and no shortfall pressed on a borrower in deficit.

Where a hardship is declared, the budget has nothing to spare, or no
affordable plan fits, the answer points to help by preset, from the policy's
``advice`` block (CONC 7.2 / 7.3 for the UK): MoneyHelper, StepChange and
National Debtline (uk-conc); the NFCC's member agencies (us-card); the
lender's own hardship line, a placeholder never shown until filled, and the
12378 consumer line (cn-card, cn-loan); an intro of the lender's own
(default). On the portal a borrower in deficit is told no amount "more" a
plan needs (CONC 7.3.10R's spirit); the agent keeps the figures.
"""

from __future__ import annotations

import re

import pytest
import yaml

from negotiator.core.errors import PolicyError
from negotiator.engine.proposals import propose
from negotiator.engine.quote import quote
from negotiator.policy import PolicyRegistry, load_policy_text

PRESETS = {"default": "USD", "uk-conc": "GBP", "us-card": "USD", "cn-card": "CNY", "cn-loan": "CNY"}
#: What each preset's borrower is pointed to: (name, phone, url) of each entry shown, in English.
SHOWN = {
    "uk-conc": [("MoneyHelper", "0800 138 7777", "https://www.moneyhelper.org.uk"),
                ("StepChange", "0800 138 1111", "https://www.stepchange.org"),
                ("National Debtline", "0808 808 4000", "https://www.nationaldebtline.org")],
    "us-card": [("National Foundation for Credit Counseling (NFCC)", "1-800-388-2227", "https://www.nfcc.org")],
    "cn-card": [("12378 banking and insurance consumer line (National Financial Regulatory Administration)",
                 "12378", "https://www.nfra.gov.cn")],
    "cn-loan": [("12378 banking and insurance consumer line (National Financial Regulatory Administration)",
                 "12378", "https://www.nfra.gov.cn")],
    "default": [],
}
MONEY = re.compile(r"\d[\d,]*\.\d{2}|\d+\.\d{2}")


def body(policy: str, locale: str = "en", income: str = "4000.00", expenses: str = "2500.00",
         hardship: bool = False) -> dict:
    cur = PRESETS[policy]
    loan = policy == "cn-loan"
    account = {"currency": cur, "balance": "6000.00", "arrears": "600.00", "fees": "0", "apr": "0.18",
               "days_past_due": 40, "product": "loan" if loan else "credit_card", "contractual_payment": "300.00"}
    if loan:
        account["remaining_term_months"] = 24
    out = {"policy": policy, "as_of": "2026-11-23", "locale": locale, "account": account,
           "finances": {"monthly_income": income, "monthly_expenses": expenses}}
    if hardship:
        out["finances"]["hardship"] = {"kind": "illness", "expected_months": 3}
    return out


def deficit(policy: str, locale: str = "en") -> dict:
    """Spending and other debts above income by 400 a month."""
    return body(policy, locale, income="1000.00", expenses="1400.00")


def advice_of(answer: dict) -> list[tuple[str, str | None, str | None]]:
    return [(a["name"], a.get("phone"), a.get("url")) for a in answer.get("advice", [])]


def flag_codes(answer: dict) -> list[str]:
    return [f["code"] for f in answer["affordability"]["flags"]]


@pytest.mark.parametrize("policy", PRESETS)
@pytest.mark.parametrize("channel", ["portal", "agent"])
def test_a_declared_hardship_is_pointed_to_help(registry, policy, channel):
    q = quote(body(policy, hardship=True), registry, channel=channel)
    assert "debt_advice" in flag_codes(q)
    assert advice_of(q) == SHOWN[policy]
    intro = next(f["message"] for f in q["affordability"]["flags"] if f["code"] == "debt_advice")
    assert intro == registry.get(policy).advice_in("en").intro


@pytest.mark.parametrize("policy", PRESETS)
def test_a_budget_in_deficit_is_pointed_to_help_and_pressed_for_no_figure_on_the_portal(registry, policy):
    q = quote(deficit(policy), registry, channel="portal")
    assert q["recommended_option_id"] is None
    assert advice_of(q) == SHOWN[policy] and "debt_advice" in flag_codes(q)
    codes = flag_codes(q)
    assert "no_affordable_option" not in codes and "negative_surplus" not in codes
    for f in q["affordability"]["flags"]:
        assert not MONEY.search(f["message"]), f        # no shortfall, no deficit figure, in words
    for o in q["options"]:
        for r in o["reasons"]:
            assert r["code"] not in ("not_affordable", "not_affordable_per_payment"), r
            if r["code"] == "not_affordable_deficit":
                assert not MONEY.search(r["message"])


@pytest.mark.parametrize("policy", PRESETS)
def test_the_agent_keeps_the_figures(registry, policy):
    q = quote(deficit(policy), registry, channel="agent")
    flags = {f["code"]: f["message"] for f in q["affordability"]["flags"]}
    assert "CN¥400.00" in flags["negative_surplus"] or "400.00" in flags["negative_surplus"]
    if q["nearest_option_id"] is not None:
        assert "no_affordable_option" in flags and MONEY.search(flags["no_affordable_option"])
    assert advice_of(q) == SHOWN[policy]


@pytest.mark.parametrize("policy", PRESETS)
def test_no_signpost_where_a_plan_fits_and_no_hardship_is_declared(registry, policy):
    q = quote(body(policy), registry, channel="portal")
    assert q["recommended_option_id"] is not None
    assert "advice" not in q and "debt_advice" not in flag_codes(q)


def test_the_advice_is_in_the_borrowers_language(registry):
    q = quote(body("uk-conc", "zh-CN", hardship=True), registry, channel="portal")
    assert [a["name"] for a in q["advice"]][0] == "MoneyHelper（英国政府设立的免费理财咨询服务）"
    assert next(f["message"] for f in q["affordability"]["flags"] if f["code"] == "debt_advice").startswith(
        "您可以获得免费、独立的债务咨询")
    q = quote(body("cn-card", "zh-CN", hardship=True), registry, channel="portal")
    assert advice_of(q) == [("12378 银行保险消费者投诉维权热线（国家金融监督管理总局）", "12378", "https://www.nfra.gov.cn")]


def test_a_what_if_in_deficit_is_pointed_to_help_and_not_pressed(registry):
    b = deficit("uk-conc") | {"proposal": {"monthly_payment": "50.00"}}
    a = propose(b, registry, channel="portal")
    assert advice_of(a) == SHOWN["uk-conc"]
    codes = [r["code"] for r in a["reasons"]]
    assert "proposal_above_capacity" not in codes
    for r in a["reasons"]:
        assert r["code"] == "counter_offer" or not MONEY.search(r["message"]), r
    agent = propose(b, registry, channel="agent")
    assert "proposal_above_capacity" in [r["code"] for r in agent["reasons"]]


# --------------------------------------------------------------------------- the policy's block

def _preset_text(name: str) -> str:
    from importlib import resources
    return resources.files("negotiator.policies").joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def test_the_lenders_own_line_is_a_placeholder_until_filled(registry):
    """cn-card ships its hardship line as a placeholder: never shown; filled in, it is shown first."""
    data = yaml.safe_load(_preset_text("cn-card"))
    assert data["advice"]["zh-CN"]["entries"][0]["placeholder"] is True
    data["advice"]["zh-CN"]["entries"][0] = {"name": "某银行信用卡中心协商还款专线", "phone": "400-000-0000"}
    filled = load_policy_text(yaml.safe_dump(data, allow_unicode=True), "filled")
    q = quote(body("cn-card", "zh-CN", hardship=True), PolicyRegistry([filled]), channel="portal")
    assert advice_of(q)[0] == ("某银行信用卡中心协商还款专线", "400-000-0000", None)
    assert len(advice_of(q)) == 2


@pytest.mark.parametrize("change,key", [
    (lambda a: a.pop("en"), "advice"),
    (lambda a: a.__setitem__("fr", a["en"]), "advice"),
    (lambda a: a["en"]["entries"].append({"name": "Nobody"}), "advice.en.entries.3.name"),
    (lambda a: a["en"]["entries"].append({"name": "Bad", "url": "javascript:alert(1)"}), "advice.en.entries.3.url"),
    (lambda a: a["en"]["entries"].append({"name": "Bad", "phone": "call us"}), "advice.en.entries.3.phone"),
    (lambda a: a.__setitem__("en", {}), "advice.en.entries"),
])
def test_the_policy_schema_validates_the_advice_block(change, key):
    data = yaml.safe_load(_preset_text("uk-conc"))
    change(data["advice"])
    with pytest.raises(PolicyError) as exc:
        load_policy_text(yaml.safe_dump(data, allow_unicode=True), "bad")
    assert exc.value.key.startswith(key.split(".")[0]) and key.split(".")[-1] in str(exc.value), str(exc.value)


def test_a_policy_without_advice_signposts_nothing():
    data = yaml.safe_load(_preset_text("uk-conc"))
    del data["advice"]
    pol = load_policy_text(yaml.safe_dump(data, allow_unicode=True), "plain")
    q = quote(deficit("uk-conc"), PolicyRegistry([pol]), channel="portal")
    assert "advice" not in q and "debt_advice" not in flag_codes(q)


def test_the_policy_document_holds_the_advice(registry):
    """GET /v1/policies/{name} gives it (a public field: portal keys see it too)."""
    from negotiator.service.policies import PUBLIC_KEYS
    pub = registry.get("uk-conc").public_dict()
    assert "advice" in PUBLIC_KEYS
    assert [e["name"] for e in pub["advice"]["en"]["entries"]] == ["MoneyHelper", "StepChange", "National Debtline"]
