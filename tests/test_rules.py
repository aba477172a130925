"""The engine's business rules held at their boundaries, through the public entry points only.

Each rule is tested at its limit and one step beside it, so that loosening
(or tightening) the rule changes an answer here:

- the FFIEC re-age rules of ``us-card.yaml`` (``reage``: an account open 9
  months, 3 consecutive payments, at most 1 re-age in 12 months and 2 in 5
  years) on every kind that re-ages a card account;
- the approval tiers (``approval``: an absolute amount and a share of what is
  owed per tier, none / agent / supervisor) and each kind's ``min_approval``;
- the portal: it sees only options needing no approval, so its ladder climbs
  past rungs that need one (``requires_agent``);
- the longest term, held months included, on every kind that holds months,
  on both channels.

Limits are set by custom policies (a preset's plain data, edited and loaded
again). Where a limit must sit exactly on a concession value, the value is
read from a first quote and the policy's limit set to it: what is owed is
10,000.00 there, so a share of ``value / 10,000.00`` is exact to the ppm the
policy holds rates in (``value x 10^6 == owed x share_ppm``).
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
import yaml

from negotiator.engine.quote import quote
from negotiator.policy import PolicyRegistry, load_policy_text

TODAY = dt.date(2026, 11, 23)
AS_OF = TODAY.isoformat()
TIERS = ("none", "agent", "supervisor")
D = Decimal
CENT = D("0.01")
PPM = D("0.000001")
#: A limit no concession here comes near (policy amounts are USD, the accounts' currency).
BIG = "1000000"

PRESETS = PolicyRegistry.load()


def custom_policy(base: str, name: str, edit) -> PolicyRegistry:
    """A registry of one policy: preset ``base`` as plain data, renamed ``name`` and changed by ``edit(data)``."""
    data = copy.deepcopy(PRESETS.get(base).public_dict())
    data["name"] = name
    edit(data)
    return PolicyRegistry([load_policy_text(yaml.safe_dump(data), f"test_rules:{name}")])


def approval(none=(BIG, "1"), agent=(BIG, "1"), supervisor=(BIG, "1")) -> dict:
    """A policy's ``approval`` block from ``(max_concession, max_share)`` per tier."""
    return {t: {"max_concession": str(a), "max_share": str(s)}
            for t, (a, s) in zip(TIERS, (none, agent, supervisor), strict=True)}


def quote_of(body: dict, registry: PolicyRegistry = PRESETS, channel: str = "agent") -> dict:
    return quote(copy.deepcopy(body), registry, channel=channel, today=TODAY)


def shown(q: dict, kind: str) -> dict | None:
    """The option of type ``kind`` the quote shows, None if it shows none."""
    return next((o for o in q["options"] if o["type"] == kind), None)


def decline_codes(q: dict, kind: str) -> list[str]:
    return [r["code"] for d in q["declined"] if d["type"] == kind for r in d["reasons"]]


def minor(amount: str | Decimal) -> int:
    return int(D(amount) / CENT)


# --------------------------------------------------------------------------- re-age rules (FFIEC, us-card.yaml)

#: A card account in us-card whose history meets every re-age rule by a margin: opened 2019,
#: 3 consecutive payments, never re-aged. Hardship is declared so the hardship kinds are worked out.
US_CARD = {
    "policy": "us-card-all", "as_of": AS_OF, "locale": "en", "schedules": "none",
    "account": {"currency": "USD", "balance": "5800.00", "arrears": "420.00", "fees": "117.00",
                "apr": "0.2699", "days_past_due": 75, "product": "credit_card", "contractual_payment": "174.00",
                "history": {"opened_on": "2019-04-02", "consecutive_payments": 3, "reage_dates": []}},
    "finances": {"monthly_income": "3900.00", "monthly_expenses": "3350.00", "other_debt_payments": "150.00",
                 "hardship": {"kind": "illness", "expected_months": 4, "income_during": "3800.00"}},
}


def _all_kinds(data: dict) -> None:
    # us-card with the two kinds it leaves off switched on, so every kind that re-ages is held to the rules.
    data["options"]["step_up"]["enabled"] = True
    data["options"]["interest_free_instalment"]["enabled"] = True


US_CARD_ALL = custom_policy("us-card", "us-card-all", _all_kinds)

#: Every kind that re-ages a card account (its arrears folded into a new plan).
REAGING = ("instalment", "interest_reduction", "fee_waiver", "payment_holiday", "step_up", "hardship_programme",
           "interest_free_instalment")

#: (id, history changes, decline expected or None: offered). us-card.yaml: min_account_age_months 9,
#: min_consecutive_payments 3, max_per_12_months 1, max_per_5_years 2; as of 2026-11-23.
REAGE_CASES = [
    ("2_payments", {"consecutive_payments": 2}, "insufficient_payments"),
    ("3_payments", {"consecutive_payments": 3}, None),
    ("0_payments", {"consecutive_payments": 0}, "insufficient_payments"),
    ("open_8_months", {"opened_on": "2026-02-24"}, "account_too_new"),   # a day short of 9 months
    ("open_9_months", {"opened_on": "2026-02-23"}, None),                # 9 months to the day
    ("1_reage_in_12m", {"reage_dates": ["2026-03-01"]}, "reaged_recently"),
    ("0_reages_in_12m", {"reage_dates": ["2025-06-01"]}, None),          # one re-age, 17 months ago
    ("2_reages_in_5y", {"reage_dates": ["2022-06-15", "2024-06-15"]}, "reaged_recently"),
    ("1_reage_in_5y", {"reage_dates": ["2024-06-15"]}, None),
    # The windows' edges: a re-age 11 months ago is within 12 months, 12 months ago no longer; likewise 59 / 60.
    ("reaged_11_months_ago", {"reage_dates": ["2025-11-24"]}, "reaged_recently"),
    ("reaged_12_months_ago", {"reage_dates": ["2025-11-23"]}, None),
    ("2nd_reage_59_months_ago", {"reage_dates": ["2021-11-24", "2024-06-15"]}, "reaged_recently"),
    ("2nd_reage_60_months_ago", {"reage_dates": ["2021-11-23", "2024-06-15"]}, None),
]


def test_the_reage_rules_are_the_ffiec_figures():
    """The figures the cases below are built on (FFIEC 2000, as us-card.yaml cites it)."""
    assert US_CARD_ALL.get("us-card-all").public_dict()["reage"] == {
        "min_account_age_months": 9, "min_consecutive_payments": 3, "max_per_12_months": 1, "max_per_5_years": 2}


@pytest.mark.parametrize("kind", REAGING)
@pytest.mark.parametrize("history, expected", [c[1:] for c in REAGE_CASES], ids=[c[0] for c in REAGE_CASES])
def test_reage_rules_at_their_boundaries(kind, history, expected):
    body = copy.deepcopy(US_CARD)
    body["account"]["history"].update(history)
    body["options"] = [kind]
    q = quote_of(body, US_CARD_ALL)
    if expected is None:
        assert shown(q, kind) is not None, decline_codes(q, kind)
        assert decline_codes(q, kind) == []
    else:
        assert shown(q, kind) is None
        assert decline_codes(q, kind) == [expected]


@pytest.mark.parametrize("code, history, figure", [
    ("insufficient_payments", {"consecutive_payments": 2}, "3"),
    ("account_too_new", {"opened_on": "2026-02-24"}, "9"),
])
def test_reage_declines_name_the_rules_figure(code, history, figure):
    body = copy.deepcopy(US_CARD)
    body["account"]["history"].update(history)
    body["options"] = ["instalment"]
    q = quote_of(body, US_CARD_ALL)
    [reason] = next(d["reasons"] for d in q["declined"] if d["type"] == "instalment")
    assert reason["code"] == code and figure in reason["message"]


def test_the_reage_rules_hold_in_the_full_ladder():
    """Without an options filter: a re-age the rules forbid is declined on every re-aging rung, not served."""
    body = copy.deepcopy(US_CARD)
    body["account"]["history"]["consecutive_payments"] = 2
    q = quote_of(body, US_CARD_ALL)
    for kind in REAGING:
        assert shown(q, kind) is None
        assert decline_codes(q, kind) == ["insufficient_payments"]


def test_a_loan_is_not_held_to_the_card_reage_rules():
    """FFIEC's re-age rules are for open-end (card) accounts: a loan with no payments still gets an instalment."""
    body = copy.deepcopy(US_CARD)
    body["account"].update(product="loan", remaining_term_months=24)
    body["account"]["history"].update(consecutive_payments=0, opened_on="2026-06-01")
    body["options"] = ["instalment"]
    q = quote_of(body, US_CARD_ALL)
    assert shown(q, "instalment") is not None, decline_codes(q, "instalment")


# --------------------------------------------------------------------------- approval tiers and min_approval

#: A default-policy card in USD owing exactly 10,000.00 (balance 9,800 + fees 200).
OWED_10K = {
    "policy": "default", "as_of": AS_OF, "locale": "en", "schedules": "none",
    "account": {"currency": "USD", "balance": "9800.00", "arrears": "600.00", "fees": "200.00",
                "apr": "0.24", "days_past_due": 60, "product": "credit_card", "contractual_payment": "300.00"},
    "finances": {"monthly_income": "3000.00", "monthly_expenses": "2600.00"},
}
OWED = D("10000.00")
#: Kinds whose concession the tier tests measure (min_approval none in default.yaml).
VALUED = ("interest_reduction", "fee_waiver")


def _value(kind: str) -> Decimal:
    """The concession value of ``kind`` alone for :data:`OWED_10K` (approval limits do not change it)."""
    body = dict(copy.deepcopy(OWED_10K), options=[kind])
    opt = shown(quote_of(body), kind)
    value = D(opt["concession_value"])
    assert value > CENT, "a concession is needed to test a limit on it"
    return value


def _quote_with(kind: str, edit, channel: str = "agent") -> dict:
    def edits(d):
        # No settlement here: the policy check that a settlement at its discount cap stays within the
        # supervisor's share would refuse the small shares these tests set.
        d["options"]["settlement"]["enabled"] = False
        edit(d)
    body = dict(copy.deepcopy(OWED_10K), options=[kind], policy="limits")
    return quote_of(body, custom_policy("default", "limits", edits), channel)


def _tier_limits(tier: int, limit: str, value: Decimal, beside: bool) -> dict:
    """Approval limits that leave only tier ``tier`` to grant ``value``: its ``limit`` at ``value`` or just below.

    Lower tiers grant nothing (0, 0); higher ones anything. The share at the value is ``value / owed``,
    exact in ppm as what is owed is 10,000.00.
    """
    share = value / OWED
    assert share == share.quantize(PPM) and minor(value) * 10**6 == minor(OWED) * int(share / PPM)
    step = {"amount": CENT, "share": PPM}[limit] if beside else 0
    own = (value - step, "1") if limit == "amount" else (BIG, share - step)
    tiers = [("0", "0")] * tier + [own] + [(BIG, "1")] * (2 - tier)
    return approval(*tiers)


@pytest.mark.parametrize("kind", VALUED)
@pytest.mark.parametrize("limit", ["amount", "share"])
@pytest.mark.parametrize("tier", [0, 1, 2], ids=TIERS)
def test_each_approval_limit_at_and_beside_its_boundary(kind, tier, limit):
    """A concession exactly at a tier's limit is that tier's; a cent (or a ppm of share) over needs the next."""
    value = _value(kind)
    at = shown(_quote_with(kind, lambda d: d.update(approval=_tier_limits(tier, limit, value, False))), kind)
    over = shown(_quote_with(kind, lambda d: d.update(approval=_tier_limits(tier, limit, value, True))), kind)
    assert D(at["concession_value"]) == D(over["concession_value"]) == value
    assert at["approval"] == TIERS[tier] and at["within_policy"]
    if tier < 2:
        assert over["approval"] == TIERS[tier + 1] and over["within_policy"]
    else:
        assert not over["within_policy"]
        assert "beyond_authority" in {r["code"] for r in over["reasons"]}


@pytest.mark.parametrize("kind", VALUED)
@pytest.mark.parametrize("floor", TIERS)
def test_min_approval_is_the_least_tier(kind, floor):
    """Every tier's limits admit the concession; the kind's min_approval alone sets its tier."""
    def edit(d):
        d["approval"] = approval()
        d["options"][kind]["min_approval"] = floor
    opt = shown(_quote_with(kind, edit), kind)
    assert opt["approval"] == floor and opt["within_policy"]


@pytest.mark.parametrize("floor, needed, expected", [
    ("agent", 2, "supervisor"),       # the value needs more than min_approval: the value's tier
    ("supervisor", 1, "supervisor"),  # min_approval needs more than the value: min_approval
    ("agent", 0, "agent"),
])
def test_min_approval_and_the_value_the_stricter_wins(floor, needed, expected):
    kind = "interest_reduction"
    value = _value(kind)

    def edit(d):
        d["approval"] = _tier_limits(needed, "amount", value, False)
        d["options"][kind]["min_approval"] = floor
    opt = shown(_quote_with(kind, edit), kind)
    assert opt["approval"] == expected and opt["within_policy"]


def test_min_approval_never_brings_a_concession_back_within_policy():
    kind = "interest_reduction"
    value = _value(kind)

    def edit(d):
        d["approval"] = approval(("0", "0"), ("0", "0"), (value - CENT, "1"))
        d["options"][kind]["min_approval"] = "supervisor"
    opt = shown(_quote_with(kind, edit), kind)
    assert not opt["within_policy"]


def test_preset_min_approval_lifts_a_concession_within_the_none_tier():
    """us-card.yaml: interest_reduction min_approval agent; its none tier is 50.00 and 1 % of what is owed.

    At 5 % (below the 9.99 % workout cap) the first rate step is a small concession, within both none limits:
    only min_approval makes it the agent's.
    """
    pol = PRESETS.get("us-card").public_dict()
    assert pol["options"]["interest_reduction"]["min_approval"] == "agent"
    assert pol["approval"]["none"] == {"max_concession": "50", "max_share": "0.01"}
    body = copy.deepcopy(US_CARD)
    body["policy"] = "us-card"
    body["options"] = ["interest_reduction"]
    body["account"]["apr"] = "0.05"
    del body["finances"]["hardship"]
    opt = shown(quote_of(body), "interest_reduction")
    owed = D(body["account"]["balance"]) + D(body["account"]["fees"])
    value = D(opt["concession_value"])
    assert 0 < value <= D(50) and value <= owed * D("0.01")
    assert opt["approval"] == "agent" and opt["within_policy"]


@pytest.mark.parametrize("lump, term, expected", [("10000.00", 1, "none"), ("9999.99", 2, "agent")])
def test_a_settlement_paid_in_full_from_the_lump_sum_needs_no_approval(lump, term, expected):
    """Settlement min_approval agent, except where the lump sum pays all that is owed at once.

    At 0 % neither plan forgives or forgoes anything (concession 0.00): the lump sum of all 10,000.00 is a
    payoff, no approval; a cent short, it is a settlement in two payments (9,999.99 then 0.01) and
    min_approval holds.
    """
    def edit(d):
        d["approval"] = approval()
        assert d["options"]["settlement"]["min_approval"] == "agent"
    reg = custom_policy("default", "payoff", edit)
    body = dict(copy.deepcopy(OWED_10K), options=["settlement"], policy="payoff")
    body["account"].update(days_past_due=120, apr="0")
    body["finances"]["lump_sum_available"] = lump
    opt = shown(quote_of(body, reg), "settlement")
    assert D(opt["concession_value"]) == 0 and D(opt["total_payable"]) == OWED
    assert opt["term_months"] == term
    assert opt["approval"] == expected and opt["within_policy"]


# --------------------------------------------------------------------------- the portal and approval

#: A default-policy card with room to pay on the portal too (its surplus share 0.50 of 1,500.00).
PORTAL_BODY = dict(copy.deepcopy(OWED_10K), options=["instalment", "interest_reduction", "fee_waiver"],
                   finances={"monthly_income": "4000.00", "monthly_expenses": "2500.00"})


def _min_approvals(**floors):
    def edit(d):
        for kind, floor in floors.items():
            d["options"][kind]["min_approval"] = floor
    return edit


def test_portal_climbs_past_a_rung_needing_approval():
    """The instalment needs an agent (min_approval): the agent is offered it; the portal climbs to the next rung."""
    reg = custom_policy("default", "portal-rules", _min_approvals(instalment="agent"))
    body = dict(copy.deepcopy(PORTAL_BODY), policy="portal-rules")
    agent = quote_of(body, reg)
    assert agent["recommended_option_id"] == "instalment"
    assert shown(agent, "instalment")["approval"] == "agent"
    assert decline_codes(agent, "interest_reduction") == ["lesser_concession_affordable"]
    portal = quote_of(body, reg, "portal")
    assert decline_codes(portal, "instalment") == ["requires_agent"]
    cut = shown(portal, "interest_reduction")
    assert cut is not None and cut["approval"] == "none" and cut["affordable"] and cut["within_policy"]
    assert portal["recommended_option_id"] == "interest_reduction"
    assert all(o["approval"] == "none" for o in portal["options"])


def test_portal_offers_nothing_when_every_rung_needs_approval():
    reg = custom_policy("default", "portal-rules", _min_approvals(instalment="agent", interest_reduction="agent",
                                                                  fee_waiver="supervisor"))
    body = dict(copy.deepcopy(PORTAL_BODY), policy="portal-rules")
    assert quote_of(body, reg)["recommended_option_id"] == "instalment"
    portal = quote_of(body, reg, "portal")
    assert portal["options"] == [] and portal["recommended_option_id"] is None
    for kind in body["options"]:
        assert decline_codes(portal, kind) == ["requires_agent"]


def _same_on_both_channels(d: dict) -> None:
    # The portal's budget and term made the agent's, so both channels work out the same plan.
    d["portal"].update(surplus_share=d["affordability"]["surplus_share"], max_term_months=d["max_term_months"])


@pytest.mark.parametrize("beside", [False, True], ids=["at_the_none_limit", "a_cent_over"])
def test_portal_requires_an_agent_a_cent_over_the_none_limit(beside):
    kind = "interest_reduction"
    value = _value(kind)

    def edit(d):
        _same_on_both_channels(d)
        d["approval"] = approval((value - CENT if beside else value, "1"))
    agent, portal = _quote_with(kind, edit), _quote_with(kind, edit, "portal")
    a = shown(agent, kind)
    assert D(a["concession_value"]) == value
    assert a["approval"] == ("agent" if beside else "none")
    if beside:
        assert shown(portal, kind) is None and decline_codes(portal, kind) == ["requires_agent"]
    else:
        p = shown(portal, kind)
        assert p["approval"] == "none"
        assert (p["monthly_payment"], p["term_months"]) == (a["monthly_payment"], a["term_months"])


# --------------------------------------------------------------------------- the longest term, held months included

#: Kinds that hold months first (a holiday, a low step, a programme, a down payment, a lump sum).
HELD = ("payment_holiday", "step_up", "hardship_programme", "interest_free_instalment", "settlement")


def _every_held_kind(d: dict) -> None:
    o = d["options"]
    o["step_up"]["enabled"] = True
    o["hardship_programme"]["enabled"] = True
    o["interest_free_instalment"].update(enabled=True, down_payment_share="0.10")   # a down payment: a held month
    o["settlement"]["max_payments"] = 24
    for rule in o.values():
        rule["min_approval"] = "none"
    d["approval"] = approval()
    d["portal"]["surplus_share"] = d["affordability"]["surplus_share"]   # the portal's budget the agent's


HELD_REG = custom_policy("default", "held", _every_held_kind)

#: 25,000.00 at 12 % on 300.00 a month during a 6-month hardship, 350.00 after: every plan wants more
#: months than any cap allows (at 350.00 the balance takes over 120 months), so each runs to its longest.
LONG_BODY = {
    "policy": "held", "as_of": AS_OF, "locale": "en", "schedules": "none",
    "account": {"currency": "USD", "balance": "25000.00", "arrears": "2000.00", "fees": "300.00", "apr": "0.12",
                "days_past_due": 120, "product": "credit_card", "contractual_payment": "500.00"},
    "finances": {"monthly_income": "3037.50", "monthly_expenses": "2600.00", "lump_sum_available": "3000.00",
                 "hardship": {"kind": "illness", "expected_months": 6, "income_during": "2975.00"}},
}
#: default.yaml: max_term_months 60; portal max_term_months 24.
LONGEST = {"agent": 60, "portal": 24}


def test_longest_terms_are_the_presets():
    pol = HELD_REG.get("held").public_dict()
    assert (pol["max_term_months"], pol["portal"]["max_term_months"]) == (LONGEST["agent"], LONGEST["portal"])


@pytest.mark.parametrize("channel", ["agent", "portal"])
@pytest.mark.parametrize("kind", HELD)
def test_no_plan_with_held_months_runs_past_the_longest_term(kind, channel):
    body = dict(copy.deepcopy(LONG_BODY), options=[kind])
    q = quote_of(body, HELD_REG, channel)
    opt = shown(q, kind)
    assert opt is not None, decline_codes(q, kind)
    assert opt["holiday_months"] >= 1, "the plan holds months"
    assert opt["term_months"] <= LONGEST[channel]
    assert opt["within_policy"] and opt["approval"] == "none"
    if kind != "settlement":   # a settlement's payments are few (max_payments); the others run to the cap
        assert opt["term_months"] == LONGEST[channel]


# --------------------------------------------------------------------------- the arrangement that does not re-age

@pytest.mark.parametrize("history, expected", [c[1:] for c in REAGE_CASES], ids=[c[0] for c in REAGE_CASES])
def test_the_payment_arrangement_is_offered_exactly_where_a_reage_is_not(history, expected):
    """FFIEC 2000 limits re-ages, not arrangements that leave the delinquency as it is: where the re-age rules
    decline a re-age the arrangement is offered (none of them applies to it); where a re-age may be offered it is
    declined with ``reage_available``."""
    body = copy.deepcopy(US_CARD)
    body["account"]["history"].update(history)
    body["options"] = ["payment_arrangement"]
    q = quote_of(body, US_CARD_ALL)
    if expected is None:
        assert shown(q, "payment_arrangement") is None
        assert decline_codes(q, "payment_arrangement") == ["reage_available"]
    else:
        assert shown(q, "payment_arrangement") is not None, decline_codes(q, "payment_arrangement")
        assert decline_codes(q, "payment_arrangement") == []


def test_the_payment_arrangement_serves_where_the_reage_rules_stop_the_ladder():
    """The full ladder with 2 payments (below the 3 required): the re-ageing rungs are declined by the rule, not
    as lesser concessions, and the arrangement (not re-aged) is the plan offered on the ladder."""
    body = copy.deepcopy(US_CARD)
    body["account"]["history"]["consecutive_payments"] = 2
    q = quote_of(body, US_CARD_ALL)
    o = shown(q, "payment_arrangement")
    assert o is not None and o["affordable"] and o["within_policy"]
    assert o["approval"] == "none" and D(o["concession_value"]) == 0
    assert o["interest_rate"] == "0.2699"
    for kind in REAGING:
        assert decline_codes(q, kind) == ["insufficient_payments"]
