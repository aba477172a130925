"""Arrangements broken in the last 12 months meet the policy's limits (issue 18, item 13): an agent, then a
supervisor must approve the next plan, then none is offered; the same on every channel, frequency and in a
what-if. The limits are each preset's ``broken_arrangements`` block (the lender's own choice)."""

from __future__ import annotations

import copy

import pytest
from conftest import BASE_BODY, TODAY

from negotiator.core.errors import ValidationError
from negotiator.engine.proposals import propose
from negotiator.engine.quote import quote
from negotiator.policy import PolicyRegistry

REGISTRY = PolicyRegistry.load()


def _body(dates, policy="default", **over):
    body = copy.deepcopy(BASE_BODY) | {"policy": policy} | over
    body["account"]["history"] = {"broken_arrangement_dates": dates}
    return body


def _quote(dates, channel="agent", **over):
    return quote(_body(dates, **over), REGISTRY, channel=channel, today=TODAY)


#: As of 2026-11-23: 2026-05-01 and 2026-08-01 are within 12 months, 2025-10-01 is not (13 months before).
RECENT = ["2026-05-01", "2026-08-01", "2026-09-01"]


@pytest.mark.parametrize("count,approval", [(0, "none"), (1, "agent"), (2, "supervisor")])
def test_each_broken_plan_raises_the_approval(count, approval):
    """default.yaml: agent_from 1, supervisor_from 2. The recommended catch-up needs no approval on a clean
    record, an agent after one break, a supervisor after two; older breaks do not count."""
    q = _quote(["2025-10-01"] + RECENT[:count])
    catch_up = next(o for o in q["options"] if o["type"] == "catch_up")
    assert q["recommended_option_id"] == "catch_up" and catch_up["approval"] == approval
    assert all(o["approval"] != "none" for o in q["options"]) == (count > 0)


def test_three_broken_plans_leave_none_and_say_so_on_every_kind():
    q = _quote(RECENT)
    assert q["options"] == [] and q["recommended_option_id"] is None
    assert {d["reasons"][0]["code"] for d in q["declined"]} == {"broken_arrangements"}
    portal = _quote(RECENT, channel="portal")
    assert {d["reasons"][0]["code"] for d in portal["declined"]} == {"broken_arrangements"}


def test_the_portal_sees_no_limit_and_no_plan_needing_approval():
    portal = _quote(RECENT[:1], channel="portal")
    assert portal["options"] == []
    assert "broken_arrangements_agent" not in str(portal) and "12 months" not in str(portal)


def test_uk_always_leaves_a_plan_with_a_supervisor():
    """uk-conc.yaml has no none_from (CONC 7.3.4R forbearance): five breaks still leave plans, each needing a
    supervisor."""
    body = _body(RECENT + ["2026-10-01", "2026-11-01"], policy="uk-conc")
    body["account"].update(currency="GBP", apr="0.299")
    q = quote(body, REGISTRY, today=TODAY)
    assert q["options"] and {o["approval"] for o in q["options"]} <= {"supervisor"}


@pytest.mark.parametrize("frequency", ["fortnightly", "weekly"])
def test_every_frequency_meets_the_limits(frequency):
    q = _quote(RECENT[:2], frequency=frequency)
    assert q["options"] and {o["approval"] for o in q["options"]} <= {"supervisor"}


def test_a_what_if_cannot_slip_past_the_limits():
    """The borrower's own 1,350.00 a month (the catch-up's payment) is no way round two breaks."""
    body = _body(RECENT[:2]) | {"proposal": {"monthly_payment": "1350.00"}}
    p = propose(body, REGISTRY, today=TODAY)
    assert p["approval"] == "supervisor"
    body = _body(RECENT) | {"proposal": {"monthly_payment": "1350.00"}}
    p = propose(body, REGISTRY, today=TODAY)
    assert p["acceptable"] is False and p["approval"] != "none"


def test_a_break_after_the_as_of_date_is_refused():
    with pytest.raises(ValidationError) as e:
        _quote(["2026-12-01"])
    assert "account.history.broken_arrangement_dates" in str(e.value.errors if hasattr(e.value, "errors") else e.value)
