"""停息挂账: interest and penalties stopped, the balance split into up to 60 instalments.

CBRC 2011 art. 70's personalised instalment plan as borrowers ask for it:
no interest or fee on the agreed balance, penalties waived (policy
``waive_fees``), often after a down payment (首付, ``down_payment_share``
of what is owed, from the declared lump sum) and on proof of hardship
(``requires_hardship``).

>>> from negotiator.kinds import KINDS
>>> KINDS["interest_free_instalment"].rung, KINDS["interest_free_instalment"].held_from_lump
(6, True)
"""

from __future__ import annotations

import math
from decimal import Decimal

from marshmallow import fields, validate

from negotiator.core.money import RATE_SCALE
from negotiator.kinds.base import TIERS, Kind, OptionSchema, months_field, ppm, rate_field
from negotiator.kinds.kernel import (
    D_NONE,
    D_OWN,
    O_OWN,
    O_WAIVED,
    P_CAP_TOTAL,
    X_A,
    X_BALANCE,
    X_FEES,
    X_HARDSHIP,
    X_IFI_WAIVE,
    X_LUMP,
    ceil_div,
    months_from,
    own_figure,
    plan,
)

HARDSHIP_REQUIRED, DOWN_PAYMENT_REQUIRED = D_OWN, D_OWN + 1
REQUIRES_HARDSHIP, DOWN_SHARE, MAX_MONTHS, MIN_MONTHS = 0, 1, 2, 3
#: Own figures: the down payment.
O_DOWN = O_OWN


class Schema(OptionSchema):
    enabled = fields.Boolean(load_default=False)
    min_months = months_field(load_default=12)
    max_months = months_field(load_default=60)
    down_payment_share = rate_field(load_default=Decimal(0), metadata={
        "description": "Share of what is owed paid first (首付), from the declared lump sum."})
    waive_fees = fields.Boolean(load_default=True, metadata={
        "description": "Penalty interest and late fees waived (all fees when the account gives no breakdown)."})
    requires_hardship = fields.Boolean(load_default=True)
    max_dpd = fields.Integer(load_default=3650, validate=validate.Range(min=0))
    min_approval = fields.String(load_default="agent", validate=validate.OneOf(TIERS))


class InterestFreeInstalment(Kind):
    """停息挂账: interest and penalties stopped, the balance split into up to 60 instalments."""

    name = "interest_free_instalment"
    rank = 10
    rung = 6
    reages = True
    held_from_lump = True
    schema = Schema
    declines = ("hardship_required", "down_payment_required")
    figures = {"down": False}
    messages = ("interest_free_instalment", "interest_free_instalment_down_payment", "hardship_required",
                "down_payment_required")

    def params(self, rule):
        return (int(rule.requires_hardship), ppm(rule.down_payment_share), rule.max_months, rule.min_months)

    def explain(self, r, s, i):
        owed = int(s.plans.principal[i] + s.plans.fees[i])
        down = int(s.extra["down"][i])
        months = int(s.solved.term[i] - s.plans.hold[i])
        if down:
            out = [("interest_free_instalment_down_payment", {"amount": r.money(owed), "down": r.money(down),
                                                              "rest": r.money(owed - down), "months": months})]
        else:
            out = [("interest_free_instalment", {"amount": r.money(owed), "months": months})]
        if s.fees_waived[i]:
            out.append(("fees_waived", {"amount": r.money(s.fees_waived[i])}))
        return out

    def concessions(self, r, s, i):
        return [{"type": "interest_free_instalment", "term_months": int(s.solved.term[i]), "apr": "0"},
                *super().concessions(r, s, i)]


def build(decline: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """The down payment from the lump sum, then what is left, penalties waived, over the fewest months."""
    A = X[x + X_A]
    if own_figure(KP, kp, REQUIRES_HARDSHIP) and decline == D_NONE and X[x + X_HARDSHIP] == 0:
        decline = HARDSHIP_REQUIRED
    waive = X[x + X_IFI_WAIVE]
    left = X[x + X_BALANCE] + X[x + X_FEES] - waive
    down = ceil_div(left * own_figure(KP, kp, DOWN_SHARE), RATE_SCALE)
    if decline == D_NONE and down > X[x + X_LUMP]:
        decline = DOWN_PAYMENT_REQUIRED
    hold = 1 if down > 0 else 0
    hi = min(own_figure(KP, kp, MAX_MONTHS), P[P_CAP_TOTAL])
    lo = min(own_figure(KP, kp, MIN_MONTHS), hi)
    n_star = (left - down) / A if A > 0 else math.inf
    plan(OI, b, st, X[x + X_BALANCE], X[x + X_FEES] - waive, 0, 0, hold + months_from(n_star, lo, hi - hold), hold,
         down, 0, 12)
    OI[b + O_WAIVED * st] = waive
    OI[b + O_DOWN * st] = down
    return decline, hi


def affordable(monthly: int, max_pay: int, level: int, hold_pay: int, hold: int, lump: int, lump_funded: int,
               a_now: int, a_after: int, hardship: int, moratorium: int) -> int:
    """1 where the instalment fits the budget (the down payment comes from the lump sum)."""
    return 1 if monthly <= a_now else 0


KIND = InterestFreeInstalment()
