"""US temporary hardship programme: a reduced rate for up to 12 months, then the contract rate.

OCC 2003-1: temporary hardship programmes generally last no longer than
12 months and return to the contract terms when they end. Regulation Z:
once the reduced-rate period ends the rate may not exceed the rate that
applied before the programme (12 CFR 1026.55(b)(5)); a plan whose rate, in
or after the period, is above it is beyond every authority. The reduced
rate, how long it lasts and the rate after it are disclosed
(12 CFR 1026.9(c)(2)(v)(D)): the option's ``reduced_rate``,
``reduced_rate_months`` and ``rate_after``, and a reason.

>>> from negotiator.kinds import KINDS
>>> KINDS["hardship_programme"].needs_recovery, KINDS["hardship_programme"].reages
(False, True)
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import fields, validate

from negotiator.kinds.base import TIERS, OptionSchema, months_field, pct_ppm, ppm, rate, rate_field
from negotiator.kinds.kernel import (
    O_APR,
    O_HOLD_APR,
    X_APR,
    X_HARDSHIP,
    affordable_held,
    default_inside,
    fit_after,
    own_figure,
)
from negotiator.kinds.step_up import DECLINES, MESSAGES, StepUp, held_plan

MAX_MONTHS, APR = 0, 1


class Schema(OptionSchema):
    enabled = fields.Boolean(load_default=False)
    max_months = months_field(1, 24, load_default=12)
    apr = rate_field(load_default=Decimal(0), metadata={"description": "Rate during the programme."})
    min_approval = fields.String(load_default="agent", validate=validate.OneOf(TIERS))


class HardshipProgramme(StepUp):
    """A reduced rate for up to 12 months, then the contract rate."""

    name = "hardship_programme"
    rank = 6
    needs_recovery = False
    schema = Schema
    declines = DECLINES
    messages = ("hardship_programme", "reduced_rate_disclosed", *MESSAGES)

    def params(self, rule):
        return (rule.max_months, ppm(rule.apr))

    def explain(self, r, s, i):
        p = s.plans
        return [("hardship_programme", {"months": int(p.hold[i]), "apr": pct_ppm(p.hold_apr_ppm[i]),
                                        "payment": r.money(p.hold_payment[i]),
                                        "contract_apr": pct_ppm(r.acc.apr_ppm[i]),
                                        "after": r.money(s.solved.level[i])}),
                ("review_date", {"date": r.review_day(int(p.hold[i]))}),
                ("reduced_rate_disclosed", {"apr": pct_ppm(p.hold_apr_ppm[i]), "months": int(p.hold[i]),
                                            "date": r.review_day(int(p.hold[i])),
                                            "after_apr": pct_ppm(p.apr_ppm[i]),
                                            "before_apr": pct_ppm(r.acc.apr_ppm[i])})]

    def terms(self, r, s, i):
        p = s.plans
        return {"reduced_rate": rate(p.hold_apr_ppm[i]), "reduced_rate_months": int(p.hold[i]),
                "rate_after": rate(p.apr_ppm[i])}


def build(decline: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """The hardship's months (capped) at the programme's rate (never above the contract's), then level."""
    return held_plan(decline, min(X[x + X_HARDSHIP], own_figure(KP, kp, MAX_MONTHS)),
                     min(X[x + X_APR], own_figure(KP, kp, APR)), P, KP, kp, X, x, OI, b, st)


def inside(P, KP, kp: int, X, x: int, OI, b: int, st: int) -> bool:
    """Within the longest term, and no rate, in the reduced-rate period or after it, above the rate before
    the programme (Regulation Z, 12 CFR 1026.55(b)(5))."""
    before = X[x + X_APR]
    return (default_inside(P, KP, kp, X, x, OI, b, st) and OI[b + O_APR * st] <= before
            and OI[b + O_HOLD_APR * st] <= before)


fit = fit_after
affordable = affordable_held

KIND = HardshipProgramme()
