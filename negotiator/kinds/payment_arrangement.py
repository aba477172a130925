"""Payment arrangement: the balance in instalments at the contract rate, the account NOT re-aged.

For a card account the re-age rules decline (FFIEC Uniform Retail Credit
Classification and Account Management Policy, 2000: an account open less
than nine months, fewer than three consecutive payments, re-aged within
twelve months or twice in five years, or no history to judge): an
arrangement that leaves the delinquency status as it is needs no re-age
eligibility, so none of those rules apply to it. The account stays past due,
and is reported as delinquent, until its arrears are paid; nothing is
conceded (the contract's own rate, no fee waived). It is offered only where
the re-age rules decline a re-age: where a re-ageing plan may be offered,
that plan, which brings the account up to date, is the one to offer.

Its place on the ladder is just above the instalment (the re-aged workout):
where the instalment serves the account the arrangement is not reached;
where the re-age rules decline the instalment (and with it the rate cut and
the fee waiver, which re-age too), the arrangement is the plan offered
before a settlement.

>>> from negotiator.kinds import KINDS
>>> k = KINDS["payment_arrangement"]
>>> k.rung, k.reages, k.any_frequency, k.declines
(3, False, True, ('reage_available',))
"""

from __future__ import annotations

from marshmallow import fields, validate

from negotiator.kinds.base import PRODUCTS, Kind, OptionSchema, months_field, pct_ppm
from negotiator.kinds.kernel import (
    D_NONE,
    D_OWN,
    P_CAP_TOTAL,
    P_DEN,
    P_FIXED_TERM,
    P_PPY,
    X_A,
    X_APR,
    X_BALANCE,
    X_FEES,
    amortising_months,
    months_from,
    own_figure,
    plan,
    reage_rules,
)

#: Own declines.
REAGE_AVAILABLE = D_OWN
#: Own policy figures.
MAX_MONTHS = 0


class Schema(OptionSchema):
    enabled = fields.Boolean(load_default=False)
    products = fields.List(fields.String(validate=validate.OneOf(PRODUCTS)), load_default=["credit_card"], metadata={
        "description": "The re-age rules are for open-end (card) accounts: by default the arrangement is too."})
    min_dpd = fields.Integer(load_default=1, validate=validate.Range(min=1), metadata={
        "description": "Only an account past due has a delinquency to leave as it is."})
    max_months = months_field(load_default=60, metadata={"description": "Longest arrangement (months)."})


class PaymentArrangement(Kind):
    """The balance in instalments at the contract rate, the delinquency left as it is (no re-age)."""

    name = "payment_arrangement"
    rank = 3
    rung = 3
    reages = False
    any_frequency = True
    schema = Schema
    declines = ("reage_available",)
    messages = ("arrangement_not_reaged", "reage_available")

    def params(self, rule):
        return (rule.max_months,)

    def explain(self, r, s, i):
        acc = r.acc
        return [("arrangement_not_reaged", {"amount": r.money(acc.balance[i] + acc.fees[i]),
                                            "months": r.months_of(s, i), "apr": pct_ppm(acc.apr_ppm[i]),
                                            "arrears": r.money(acc.arrears[i])})]

    def concessions(self, r, s, i):
        return [{"type": self.name, "term_months": r.months_of(s, i)}]


def build(decline: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """The shortest term the budget allows at the account's own rate, where the re-age rules decline a re-age."""
    balance, fees, apr = X[x + X_BALANCE], X[x + X_FEES], X[x + X_APR]
    hi = min(own_figure(KP, kp, MAX_MONTHS) * P[P_PPY] // 12, P[P_CAP_TOTAL])
    if decline == D_NONE and reage_rules(P, X, x) == D_NONE:
        decline = REAGE_AVAILABLE
    if P[P_FIXED_TERM] >= 0:
        term = P[P_FIXED_TERM]
    elif decline == D_NONE:
        term = months_from(amortising_months(balance, fees, apr, 0, X[x + X_A], P[P_DEN]), 1, hi)
    else:
        term = 1
    plan(OI, b, st, balance, fees, apr, 0, term, 0, 0, 0, P[P_PPY])
    return decline, hi


def forgone(P, PF, X, x: int, OI, b: int, st: int) -> float:
    """Nothing: the contract's own rate, nothing waived or forgiven."""
    return 0.0


KIND = PaymentArrangement()
