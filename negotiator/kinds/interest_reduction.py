"""Interest reduction: the smallest rate cut, in the policy's steps, down to its floor, at the longest term.

Its floor and step are the policy's price grid (``P_IR_*``), which the fee
waiver prices at too.

>>> from negotiator.kinds import KINDS
>>> KINDS["interest_reduction"].rung, KINDS["interest_reduction"].reages
(4, True)
"""

from __future__ import annotations

import math
from decimal import Decimal

from marshmallow import fields, validate

from negotiator.core.money import RATE_SCALE
from negotiator.kernels import discount, solve_rate
from negotiator.kinds.base import OptionSchema, Priced, rate_field
from negotiator.kinds.kernel import (
    D_NONE,
    D_OWN,
    O_APR,
    O_FLAT,
    O_OWN,
    P_DEN,
    P_FLAT,
    P_MAX_TERM,
    P_PPY,
    X_A,
    X_BALANCE,
    X_BASE_APR,
    X_FEES,
    ceil_div,
    grid,
    over_now,
    plan,
    price,
)

RATE_AT_FLOOR = D_OWN
#: Own figures: the rate the plan is priced at (ppm; monthly under flat-fee pricing).
O_RATE = O_OWN


class Schema(OptionSchema):
    apr_floor = rate_field(load_default=Decimal(0))
    step = fields.Decimal(load_default=Decimal("0.0025"),
                          validate=validate.Range(min=Decimal("0.000001"), max=Decimal("0.1")))


class InterestReduction(Priced):
    """The smallest rate cut, in the policy's steps, down to its floor, at the longest term."""

    name = "interest_reduction"
    rank = 8
    rung = 4
    schema = Schema
    declines = ("rate_at_floor",)
    figures = {"rate": False}

    def explain(self, r, s, i):
        return self.explain_rate(r, s, i)


def build(decline: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """The rate that brings the level payment within the budget, rounded to the grid, at the longest term."""
    balance, fees, A = X[x + X_BALANCE], X[x + X_FEES], X[x + X_A]
    base, floor, step = grid(P, X[x + X_BASE_APR])
    if decline == D_NONE and base <= floor:
        decline = RATE_AT_FLOOR
    m = P[P_MAX_TERM]
    cut_to = base
    if decline == D_NONE:
        Pf, Ff, Af = float(balance), float(fees), float(A)
        if P[P_FLAT]:
            need = ((Af - (Pf + Ff) / m) / Pf if balance > 0 else -1.0) * RATE_SCALE
        else:
            r0 = solve_rate(Pf + Ff, Af, float(m), 12)
            r0 = 0.0 if r0 != r0 else r0
            r1 = solve_rate(Pf + Ff * discount(r0, float(m)), Af, float(m), 12)
            need = r1 * P[P_DEN]
        needed = int(math.floor(need)) if (need == need and abs(need) < math.inf) else -1
        cut = max(ceil_div(base - min(needed, base - 1), step), 1) * step
        cut_to = max(base - cut, floor)
    a, fee = price(P, balance, cut_to)
    plan(OI, b, st, balance, fees, a, fee, m, 0, 0, 0, P[P_PPY])
    OI[b + O_RATE * st] = cut_to
    return decline, m


def fit(P, KP, kp: int, X, x: int, OI, b: int, st: int) -> bool:
    """One step of the grid lower where rounding left the plan above the budget; True if it moved."""
    if not over_now(X, x, OI, b, st):
        return False
    _, floor, step = grid(P, X[x + X_BASE_APR])
    now = OI[b + O_RATE * st]
    if now <= floor:
        return False
    now = max(now - step, floor)
    OI[b + O_RATE * st] = now
    a, fee = price(P, X[x + X_BALANCE], now)
    OI[b + O_APR * st] = a
    OI[b + O_FLAT * st] = fee
    return True


KIND = InterestReduction()
