"""Fee waiver: the smallest waiver of fees, up to the cap, at the floor rate and the longest term.

>>> from negotiator.kinds import KINDS
>>> KINDS["fee_waiver"].rung, KINDS["fee_waiver"].declines
(5, ('no_fees',))
"""

from __future__ import annotations

import math
from decimal import Decimal

from marshmallow import fields, validate

from negotiator.core.money import RATE_SCALE
from negotiator.kernels import annuity, discount, payment
from negotiator.kinds.base import OptionSchema, Priced, ppm, rate_field
from negotiator.kinds.kernel import (
    D_NONE,
    D_OWN,
    O_FEES,
    O_LEVEL,
    O_OWN,
    O_TERM,
    O_WAIVED,
    P_DEN,
    P_IR_ENABLED,
    P_MAX_TERM,
    P_PPY,
    X_A,
    X_BALANCE,
    X_BASE_APR,
    X_FEES,
    X_WAIVABLE,
    grid,
    nan_max,
    over_now,
    own_figure,
    plan,
    price,
)

NO_FEES = D_OWN
MAX_SHARE = 0
#: Own figures: the most that may be waived, and the rate the plan is priced at.
O_CAP, O_RATE = O_OWN, O_OWN + 1


class Schema(OptionSchema):
    max_share = rate_field(load_default=Decimal(1))
    parts = fields.List(fields.String(validate=validate.OneOf(["penalty_interest", "late_fees", "other_charges"])),
                        load_default=["penalty_interest", "late_fees", "other_charges"], metadata={
        "description": "Which parts of the fees may be waived, in the order they are waived."})


class FeeWaiver(Priced):
    """The smallest waiver of fees, up to the cap, at the floor rate and the longest term."""

    name = "fee_waiver"
    rank = 9
    rung = 5
    schema = Schema
    declines = ("no_fees",)
    figures = {"cap": False, "rate": False}
    messages = ("no_fees",)

    def params(self, rule):
        return (ppm(rule.max_share),)

    def explain(self, r, s, i):
        return [*self.explain_rate(r, s, i), ("fees_waived", {"amount": r.money(s.fees_waived[i])})]


def build(decline: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """The fees the budget cannot carry waived, within the cap, at the floor rate over the longest term."""
    balance, fees, A = X[x + X_BALANCE], X[x + X_FEES], X[x + X_A]
    if decline == D_NONE and fees == 0:
        decline = NO_FEES
    base, floor, step = grid(P, X[x + X_BASE_APR])
    priced = min(base, floor) if P[P_IR_ENABLED] else base
    a, fee = price(P, balance, priced)
    m = P[P_MAX_TERM]
    cap = X[x + X_WAIVABLE] * own_figure(KP, kp, MAX_SHARE) // RATE_SCALE
    if decline == D_NONE and cap == 0:
        decline = NO_FEES
    waive = 0
    if decline == D_NONE:
        r = a / P[P_DEN]
        keep = ((float(A) - fee - payment(float(balance), r, float(m))) * annuity(r, float(m))
                / discount(r, float(m)))
        w = math.ceil(float(fees) - nan_max(keep, 0.0))
        waive = min(min(max(w, 1), max(cap, 1)), cap)
    plan(OI, b, st, balance, fees - waive, a, fee, m, 0, 0, 0, P[P_PPY])
    OI[b + O_WAIVED * st] = waive
    OI[b + O_CAP * st] = cap
    OI[b + O_RATE * st] = priced
    return decline, m


def fit(P, KP, kp: int, X, x: int, OI, b: int, st: int) -> bool:
    """More of the fees waived, within the cap, where rounding left the plan above the budget."""
    if not over_now(X, x, OI, b, st):
        return False
    level = OI[b + O_LEVEL * st]
    cap = OI[b + O_CAP * st]
    if OI[b + O_WAIVED * st] >= cap:
        return False
    waived = min(OI[b + O_WAIVED * st] + (level - X[x + X_A]) * OI[b + O_TERM * st], cap)
    OI[b + O_WAIVED * st] = waived
    OI[b + O_FEES * st] = X[x + X_FEES] - waived
    return True


KIND = FeeWaiver()
