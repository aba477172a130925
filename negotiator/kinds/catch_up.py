"""Catch-up: the arrears spread over a few months on top of the regular payment; no concession.

The contract runs on for the rest of the balance, so the plan is valued as
the catch-up payments plus the contractual stream that follows them.

Weekly and fortnightly payers catch up by their own period (issue 18): the
monthly contractual payment becomes ``contractual x 12 / payments a year``
a period (rounded up to the minor unit, so a year's regular payments are at
least the contract's), and the arrears are spread over payments of that
period, within ``max_months`` of them.

>>> from negotiator.kinds import KINDS
>>> KINDS["catch_up"].rung, KINDS["catch_up"].reages
(0, False)
"""

from __future__ import annotations

import math

from marshmallow import fields, validate

from negotiator.core.limits import MAX_TERM
from negotiator.core.money import MONTHLY_DEN
from negotiator.kernels import annuity, discount, payment, periods, present_value
from negotiator.kinds.base import Kind, OptionSchema, months_field
from negotiator.kinds.kernel import (
    D_NONE,
    D_OWN,
    O_FINAL,
    O_HOLD,
    O_HOLD_PAY,
    O_LEVEL,
    O_REGULAR,
    O_STERM,
    P_CAP_TOTAL,
    P_COMPOUND,
    P_DEN,
    P_PPY,
    PF_D,
    X_A,
    X_APR,
    X_ARREARS,
    X_BALANCE,
    X_CONTRACTUAL,
    X_FEES,
    X_LOAN,
    X_REMAINING,
    annualise,
    ceil_div,
    months_from,
    nan_max,
    own_figure,
    plan,
)

#: Own declines.
NO_ARREARS = D_OWN
#: Own policy figures.
MAX_MONTHS = 0


class Schema(OptionSchema):
    min_dpd = fields.Integer(load_default=1, validate=validate.Range(min=1))
    max_months = months_field(1, 24, load_default=6)


class CatchUp(Kind):
    """The arrears spread over a few months on top of the regular payment; no concession."""

    name = "catch_up"
    rank = 0
    rung = 0
    contract_runs_on = True
    any_frequency = True
    schema = Schema
    declines = ("no_arrears",)
    messages = ("arrears_spread", "arrears_spread_periods", "no_arrears")

    def params(self, rule):
        return (rule.max_months,)

    def explain(self, r, s, i):
        acc = r.acc
        if int(s.plans.ppy[i]) != 12:
            return [("arrears_spread_periods", {"arrears": r.money(acc.arrears[i]), "count": int(s.solved.term[i]),
                                                "regular": r.money(s.regular[i]),
                                                "monthly": r.money(acc.contractual[i])})]
        return [("arrears_spread", {"arrears": r.money(acc.arrears[i]), "months": int(s.solved.term[i]),
                                    "regular": r.money(acc.contractual[i])})]


def regular_payment(contractual: int, ppy: int) -> int:
    """The monthly contractual payment by payment period, rounded up to the minor unit.

    >>> regular_payment(60000, 12), regular_payment(60000, 52), regular_payment(60000, 26)
    (60000, 13847, 27693)
    """
    return ceil_div(contractual * 12, ppy)


def build(decline: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """The arrears over the fewest payments the room above the regular payment allows (budget and regular
    payment both per period)."""
    arrears = X[x + X_ARREARS]
    if decline == D_NONE and arrears == 0:
        decline = NO_ARREARS
    ppy = P[P_PPY]
    regular = regular_payment(X[x + X_CONTRACTUAL], ppy)
    room = X[x + X_A] - regular
    n_star = arrears / room if room > 0 else math.inf
    hi = min(max(own_figure(KP, kp, MAX_MONTHS) * ppy // 12, 1), P[P_CAP_TOTAL])
    plan(OI, b, st, arrears, 0, 0, 0, months_from(n_star, 1, hi), 0, 0, 0, ppy)
    OI[b + O_REGULAR * st] = regular
    return decline, hi


def forgone(P, PF, X, x: int, OI, b: int, st: int) -> float:
    """Nothing: the catch-up is the contract's own payments, sooner."""
    return 0.0


def npv(P, PF, X, x: int, OI, b: int, st: int) -> float:
    """The catch-up payments and the regular ones beside them, then the contract as it runs on.

    The account is then current and the rest runs on under the contract: it is
    valued as that stream (its remaining term for a loan; for a card, as long
    as the contractual payment takes).
    """
    n = OI[b + O_STERM * st]
    d = PF[PF_D]                               # the discount rate per payment period
    ppy = P[P_PPY]
    value = present_value(OI[b + O_HOLD * st], OI[b + O_HOLD_PAY * st], OI[b + O_LEVEL * st], OI[b + O_FINAL * st],
                          n, d)
    contractual = X[x + X_CONTRACTUAL]
    regular = OI[b + O_REGULAR * st]
    r = X[x + X_APR] / P[P_DEN]                # the contract's rate per payment period
    g = (1.0 + r) ** float(n)
    paid = regular * (g - 1) / r if r > 0 else float(regular * n)
    rest = nan_max((X[x + X_BALANCE] - X[x + X_ARREARS] + X[x + X_FEES]) * g - paid, 0.0)
    # The contract runs on monthly after the catch-up: the rest at the monthly rate and monthly discount.
    rm = X[x + X_APR] / MONTHLY_DEN
    dm = d if ppy == 12 else (1.0 + d) ** (ppy / 12.0) - 1.0
    if X[x + X_LOAN]:
        months = float(max(X[x + X_REMAINING] - ceil_div(n * 12, ppy), 1))
    else:
        months = min(max(periods(rest, rm, float(contractual)), 1.0), float(MAX_TERM))
    stream = payment(rest, rm, months) * annuity(dm, months)
    return value + regular * annuity(d, float(n)) + stream * discount(d, float(n))


def disclose(P, X, x: int, OI, b: int, st: int) -> tuple[int, float, float]:
    """The account's own rate: the catch-up changes nothing of the contract's price, nor carries its fees (they
    stay on the contract, which runs on): its all-in cost is that rate too."""
    apr = X[x + X_APR]
    eff = annualise(apr / MONTHLY_DEN, P[P_COMPOUND] != 0, 12)
    return apr, eff, eff


KIND = CatchUp()
