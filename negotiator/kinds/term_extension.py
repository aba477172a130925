"""Term extension: a loan's remaining term lengthened, at the contract rate.

>>> from negotiator.kinds import KINDS
>>> KINDS["term_extension"].rung, KINDS["term_extension"].schema().load({})["products"]
(1, ['loan'])
"""

from __future__ import annotations

from marshmallow import fields, validate

from negotiator.core.money import MONTHLY_DEN
from negotiator.kinds.base import PRODUCTS, Kind, OptionSchema, months_field
from negotiator.kinds.kernel import (
    D_CONTRACT_SUFFICES,
    D_NONE,
    D_OWN,
    O_DECLINE,
    O_OFFERED,
    O_STERM,
    P_CAP_TOTAL,
    P_FIXED_TERM,
    X_A,
    X_APR,
    X_BALANCE,
    X_FEES,
    X_REMAINING,
    amortising_months,
    months_from,
    own_figure,
    plan,
)

TERM_AT_MAXIMUM = D_OWN
MAX_EXTRA, MAX_TOTAL = 0, 1


class Schema(OptionSchema):
    products = fields.List(fields.String(validate=validate.OneOf(PRODUCTS)), load_default=["loan"])
    max_extra_months = months_field(1, 240, load_default=24)
    max_total_months = months_field(load_default=60)


class TermExtension(Kind):
    """A loan's remaining term lengthened, at the contract rate."""

    name = "term_extension"
    rank = 1
    rung = 1
    schema = Schema
    declines = ("term_at_maximum",)
    messages = ("term_extended",)

    def params(self, rule):
        return (rule.max_extra_months, rule.max_total_months)

    def explain(self, r, s, i):
        return [("term_extended", {"from_months": int(r.acc.remaining_term[i]), "months": int(s.solved.term[i])})]

    def concessions(self, r, s, i):
        return [{"type": "term_extension", "months_added": int(s.solved.term[i] - r.acc.remaining_term[i])}]


def build(decline: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """The shortest longer term the budget allows, within the extension's caps."""
    remaining = X[x + X_REMAINING]
    lo = remaining + 1
    hi = min(min(remaining + own_figure(KP, kp, MAX_EXTRA), own_figure(KP, kp, MAX_TOTAL)), P[P_CAP_TOTAL])
    if decline == D_NONE and hi < lo:
        decline = TERM_AT_MAXIMUM
    if P[P_FIXED_TERM] >= 0:
        term = P[P_FIXED_TERM]
    elif decline == D_NONE:
        term = months_from(amortising_months(X[x + X_BALANCE], X[x + X_FEES], X[x + X_APR], 0, X[x + X_A],
                                             MONTHLY_DEN), lo, hi)
    else:
        term = lo                 # not offered: the plan is not worked out
    plan(OI, b, st, X[x + X_BALANCE], X[x + X_FEES], X[x + X_APR], 0, term, 0, 0, 0, 12)
    return decline, max(hi, lo)


def adjust(P, KP, kp: int, X, x: int, OI, b: int, st: int) -> None:
    """A tiny balance can be cleared sooner than the level implies: then it is no extension."""
    if OI[b + O_OFFERED * st] and OI[b + O_STERM * st] <= X[x + X_REMAINING]:
        OI[b + O_DECLINE * st] = D_CONTRACT_SUFFICES
        OI[b + O_OFFERED * st] = 0


KIND = TermExtension()
