"""Instalment: the whole balance re-aged over the shortest affordable term at the plan price.

>>> from negotiator.kinds import KINDS
>>> KINDS["instalment"].rung, KINDS["instalment"].reages, KINDS["instalment"].any_frequency
(2, True, True)
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from negotiator.kinds.base import Kind, OptionSchema, months_field, pct_ppm, rate, rate_field
from negotiator.kinds.kernel import (
    D_NONE,
    O_TERM,
    P_DEN,
    P_FIXED_TERM,
    P_FLAT,
    P_FLAT_PPM,
    P_MAX_TERM,
    P_MIN_TERM,
    P_PPY,
    X_A,
    X_BALANCE,
    X_BASE_APR,
    X_FEES,
    amortising_months,
    default_inside,
    flat_fee,
    months_from,
    plan,
)


class Schema(OptionSchema):
    min_months = months_field(load_default=3)
    max_months = months_field(load_default=60)
    apr_cap = rate_field(load_default=None, allow_none=True)
    pricing = fields.String(load_default="amortising", validate=validate.OneOf(["amortising", "flat_fee"]))
    flat_fee_rate = fields.Decimal(load_default=None, allow_none=True,
                                   validate=validate.Range(min=Decimal(0), max=Decimal("0.1")))
    requires_reage_rules = fields.Boolean(load_default=False, metadata={
        "description": "Kept for older files: the policy's `reage` rules now apply to every kind that re-ages."})

    @validates_schema
    def _flat(self, data, **_):
        if data.get("pricing") == "flat_fee" and data.get("flat_fee_rate") is None:
            raise ValidationError("required when pricing is flat_fee", "flat_fee_rate")
        if data.get("min_months", 3) > data.get("max_months", 60):
            raise ValidationError("min_months is above max_months", "min_months")


class Instalment(Kind):
    """The whole balance re-aged over the shortest affordable term at the plan price."""

    name = "instalment"
    rank = 2
    rung = 2
    reages = True
    any_frequency = True
    schema = Schema
    messages = ("balance_reaged", "balance_spread")

    def explain(self, r, s, i):
        code = "balance_reaged" if r.acc.dpd[i] > 0 else "balance_spread"
        out = [(code, {"amount": r.money(r.acc.balance[i] + r.acc.fees[i]), "months": r.months_of(s, i)})]
        if s.plans.apr_ppm[i] < r.acc.apr_ppm[i] and not s.plans.flat_fee[i]:
            out.append(("rate_reduced", {"from_apr": pct_ppm(r.acc.apr_ppm[i]), "apr": pct_ppm(s.plans.apr_ppm[i])}))
        return out

    def outside(self, r, s, i):
        """Longer than allowed, or (a term a what-if fixes) shorter than the policy's ``min_months``."""
        out = super().outside(r, s, i)
        if int(s.plans.term[i]) < r.ctx.min_term:
            out.append(("term_below_policy", {"months": r.months_of(s, i),
                                              "min_months": r.ctx.min_term * 12 // int(s.plans.ppy[i])}))
        return out

    def concessions(self, r, s, i):
        out = [{"type": "instalment", "term_months": r.months_of(s, i)}]
        if s.plans.apr_ppm[i] < r.acc.apr_ppm[i] and not s.plans.flat_fee[i]:
            out.append({"type": "interest_reduction", "from_apr": rate(r.acc.apr_ppm[i]),
                        "apr": rate(s.plans.apr_ppm[i])})
        return out + super().concessions(r, s, i)


def build(decline: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """The shortest term the budget allows at the plan price (the account's rate, capped, or the flat fee)."""
    balance, fees = X[x + X_BALANCE], X[x + X_FEES]
    fee = flat_fee(balance, P[P_FLAT_PPM])
    price = 0 if P[P_FLAT] else X[x + X_BASE_APR]
    if P[P_FIXED_TERM] >= 0:
        term = P[P_FIXED_TERM]
    elif decline == D_NONE:
        term = months_from(amortising_months(balance, fees, price, fee, X[x + X_A], P[P_DEN]), P[P_MIN_TERM],
                           P[P_MAX_TERM])
    else:
        term = P[P_MIN_TERM]
    plan(OI, b, st, balance, fees, price, fee, term, 0, 0, 0, P[P_PPY])
    return decline, P[P_MAX_TERM]


def inside(P, KP, kp: int, X, x: int, OI, b: int, st: int) -> bool:
    """Within the longest term and not shorter than the shortest the policy allows."""
    return default_inside(P, KP, kp, X, x, OI, b, st) and OI[b + O_TERM * st] >= P[P_MIN_TERM]


KIND = Instalment()
