"""Weekly and fortnightly payers (issue 18, item 6): the catch-up by their own period, no re-age a monthly payer
would not need, and a shortfall named in the monthly terms it is worded in."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pytest
from conftest import BASE_BODY, EXAMPLES, TODAY

from negotiator.engine.quote import quote
from negotiator.policy import PolicyRegistry

REGISTRY = PolicyRegistry.load()
CENT = Decimal("0.01")

#: The brief's card (CNY 12,000, arrears 1,500, contractual 600.00 a month) without the hardship: affordable
#: 1,840.00 a month on the agent channel (default.yaml).
CARD = copy.deepcopy(BASE_BODY)
del CARD["finances"]["hardship"]
CARD["schedules"] = "all"


def _quote(body, frequency, channel="agent"):
    return quote(copy.deepcopy(body) | {"frequency": frequency}, REGISTRY, channel=channel, today=TODAY)


@pytest.mark.parametrize("frequency,ppy,step", [("weekly", 52, 7), ("fortnightly", 26, 14)])
def test_the_catch_up_by_period_by_hand(frequency, ppy, step):
    """Budget per payment 1,840.00 x 12 / ppy (down); the regular payment 600.00 x 12 / ppy (up, so a year's
    regular payments are at least the contract's); the arrears over the fewest payments the room between them
    allows. Weekly: 424.61 - 138.47 = 286.14 a week, 1,500 / 286.14 = 5.24, so 6 payments of 250.00 + 138.47.
    Fortnightly: 849.23 - 276.93 = 572.30, 2.62, so 3 of 500.00 + 276.93. As for a monthly payer it is the
    catch-up, with no re-age, that is recommended."""
    q = _quote(CARD, frequency)
    budget = (Decimal("1840.00") * 12 / ppy).quantize(CENT, ROUND_FLOOR)
    regular = (Decimal("600.00") * 12 / ppy).quantize(CENT, ROUND_CEILING)
    count = int((Decimal("1500.00") / (budget - regular)).to_integral_value(ROUND_CEILING))
    o = next(o for o in q["options"] if o["type"] == "catch_up")
    assert q["recommended_option_id"] == "catch_up"
    assert o["frequency"] == frequency and o["number_of_payments"] == count
    assert o["regular_payment"] == str(regular)
    lines = o["schedule"]
    assert len(lines) == count
    assert sum(Decimal(x["payment"]) - Decimal(x["regular_payment"]) for x in lines) == Decimal("1500.00")
    assert all(Decimal(x["payment"]) <= budget for x in lines)
    assert lines[-1]["arrears_after"] == "0.00"
    dates = [dt.date.fromisoformat(x["due_date"]) for x in lines]
    assert {(b - a).days for a, b in zip(dates, dates[1:])} == {step}
    # The contract runs on at its rate a period: 10,500 x 0.18 / ppy of interest, the regular payment less it
    # off the rest, arrears and fees still owed beside it.
    interest = (Decimal("10500") * Decimal("0.18") / ppy).quantize(CENT)
    arrears_after = Decimal("1500.00") - (Decimal(lines[0]["payment"]) - regular)
    assert Decimal(lines[0]["balance_after"]) == arrears_after + Decimal("10500") - (regular - interest) + 300
    declined = {d["type"]: d["reasons"][0]["code"] for d in q["declined"]}
    assert declined["instalment"] == "lesser_concession_affordable"
    assert "arrears_spread_periods" in [r["code"] for r in o["reasons"]]


def test_monthly_catch_up_is_unchanged():
    """Monthly: 1,840.00 - 600.00 = 1,240.00 of room, 1,500 / 1,240 = 1.2, so 2 payments of 750.00 + 600.00."""
    o = next(o for o in _quote(CARD, "monthly")["options"] if o["type"] == "catch_up")
    assert [x["payment"] for x in o["schedule"]] == ["1350.00", "1350.00"]


def test_a_weekly_shortfall_is_named_a_month():
    """The current USD card paying weekly on the portal (budget 175.00 a month): the nearest plan's weekly
    payment x 52 / 12 (up) less 175.00 is what it needs "a month more", not the weekly payment against the
    monthly budget (which named nothing)."""
    body = json.loads((EXAMPLES / "weekly_instalment_default.json").read_text())
    q = quote(body, REGISTRY, channel="portal", today=TODAY)
    near = next(o for o in q["options"] if o["option_id"] == q["nearest_option_id"])
    assert near["frequency"] == "weekly"
    a_month = (Decimal(near["monthly_payment"]) * 52 / 12).quantize(CENT, ROUND_CEILING)
    shortfall = a_month - Decimal(q["affordability"]["affordable_payment"])
    assert shortfall > 0
    flag = next(f for f in q["affordability"]["flags"] if f["code"] == "no_affordable_option")
    assert f"{shortfall:,}" in flag["message"]
