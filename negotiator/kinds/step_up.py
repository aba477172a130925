"""Step-up: low payments while income recovers, then level: interest at the contract rate throughout.

The low payment is what the borrower can pay during the hardship, never
below the month's interest (no negative amortisation); no concession.
:func:`held_plan` is shared with the hardship programme, which holds its
months at a reduced rate.

>>> from negotiator.kinds import KINDS
>>> KINDS["step_up"].needs_recovery, KINDS["step_up"].declines
(True, ('no_step_needed', 'payment_below_interest'))
"""

from __future__ import annotations

from typing import ClassVar

from marshmallow import fields

from negotiator.core.money import MONTHLY_DEN
from negotiator.kernels import annuity, growth
from negotiator.kinds.base import Kind, OptionSchema, months_field
from negotiator.kinds.kernel import (
    D_NONE,
    D_OWN,
    K_RECOVERY,
    P_CAP_TOTAL,
    X_A,
    X_A_AFTER,
    X_APR,
    X_BALANCE,
    X_FEES,
    X_HARDSHIP,
    affordable_held,
    amortising_months,
    ceil_div,
    fit_after,
    months_from,
    nan_max,
    own_figure,
    plan,
)

NO_STEP_NEEDED, PAYMENT_BELOW_INTEREST = D_OWN, D_OWN + 1
MAX_MONTHS = 0
DECLINES = ("no_step_needed", "payment_below_interest")
MESSAGES = ("payment_below_interest", "no_step_needed")


class Schema(OptionSchema):
    enabled = fields.Boolean(load_default=False)
    max_months = months_field(1, 24, load_default=6, metadata={"description": "Longest low-payment period."})


class StepUp(Kind):
    """Low payments while income recovers, then level: interest at the contract rate throughout."""

    name = "step_up"
    rank = 5
    reages = True
    needs_hardship = True
    needs_recovery = True
    schema: ClassVar[type[OptionSchema]] = Schema
    declines = DECLINES
    messages: ClassVar[tuple[str, ...]] = ("step_up", *MESSAGES)

    def params(self, rule):
        return (rule.max_months,)

    def explain(self, r, s, i):
        p = s.plans
        return [("step_up", {"months": int(p.hold[i]), "payment": r.money(p.hold_payment[i]),
                             "after": r.money(s.solved.level[i])}),
                ("review_date", {"date": r.review_day(int(p.hold[i]))})]

    def concessions(self, r, s, i):
        return [{"type": self.name, "months": int(s.plans.hold[i])}, *super().concessions(r, s, i)]


def held_plan(decline: int, held: int, price: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """``held`` months at ``price`` (ppm) paying what the hardship budget allows, then level at the contract rate.

    The held months count toward the policy's longest term: the level months
    after them are at most what is left of it.
    """
    apr, balance, A, A_after = X[x + X_APR], X[x + X_BALANCE], X[x + X_A], X[x + X_A_AFTER]
    cap_total = P[P_CAP_TOTAL]
    h = min(held, cap_total - 1)
    interest = ceil_div(balance * price, MONTHLY_DEN)
    R = min(A, balance // (h + 1))
    if KP[kp + K_RECOVERY] and decline == D_NONE and A_after <= A:
        decline = NO_STEP_NEEDED
    if decline == D_NONE and interest + (1 if price == 0 else 0) > R:
        decline = PAYMENT_BELOW_INTEREST
    after_hi = max(cap_total - h, 1)
    m = 1
    if decline == D_NONE:
        rr = price / MONTHLY_DEN
        left_f = balance * growth(rr, float(h)) - R * growth(rr, float(h)) * annuity(rr, float(h))
        n_star = amortising_months(nan_max(left_f, 0.0), X[x + X_FEES], apr, 0, A_after, MONTHLY_DEN)
        m = months_from(n_star, 1, after_hi)
    plan(OI, b, st, balance, X[x + X_FEES], apr, 0, h + m, h, R, price, 12)
    return decline, h + after_hi


def build(decline: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """The hardship's months (capped) at the contract rate, then level."""
    return held_plan(decline, min(X[x + X_HARDSHIP], own_figure(KP, kp, MAX_MONTHS)), X[x + X_APR], P, KP, kp, X,
                     x, OI, b, st)


fit = fit_after
affordable = affordable_held

KIND = StepUp()
