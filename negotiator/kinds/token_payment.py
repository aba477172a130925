"""Token payment: a small payment with a review date, interest and charges frozen (CONC 7.3.4, 7.3.5).

Offered when what the borrower can pay now is below the smallest real
plan: a small payment each month until the review, the debt still owed
then. It neither clears nor re-ages the account.

>>> from negotiator.kinds import KINDS
>>> KINDS["token_payment"].leaves_balance, KINDS["token_payment"].reages
(True, False)
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import fields, validate

from negotiator.core.money import MONTHLY_DEN
from negotiator.kernels import annuity
from negotiator.kinds.base import Kind, OptionSchema, amount_field, months_field
from negotiator.kinds.kernel import (
    D_NONE,
    D_OWN,
    O_OWN,
    O_STERM,
    P_CAP_TOTAL,
    P_MAX_TERM,
    PF_MONTHLY,
    X_A,
    X_APR,
    X_BALANCE,
    X_FEES,
    X_TOKEN,
    ceil_div,
    no_fit,
    own_figure,
    plan,
)

PAYMENT_AFFORDABLE = D_OWN
REVIEW_MONTHS = 0
#: Own figures: what is still owed at the review.
O_REST = O_OWN


class Schema(OptionSchema):
    enabled = fields.Boolean(load_default=False)
    payment = amount_field(load_default=Decimal(1), metadata={"description": "The token payment, in amounts_currency."})
    review_months = months_field(1, 12, load_default=3)
    max_dpd = fields.Integer(load_default=3650, validate=validate.Range(min=0))


class TokenPayment(Kind):
    """A token payment with a review date, interest and charges frozen."""

    name = "token_payment"
    rank = 7
    leaves_balance = True
    any_amount = True
    schema = Schema
    declines = ("payment_affordable",)
    figures = {"rest": False}
    messages = ("token_payment", "payment_affordable")

    def params(self, rule):
        return (rule.review_months,)

    def balance_left(self, s, i) -> int:
        return int(s.extra["rest"][i])

    def explain(self, r, s, i):
        return [("token_payment", {"payment": r.money(s.solved.level[i]), "months": int(s.solved.term[i]),
                                   "left": r.money(s.extra["rest"][i])}),
                ("review_date", {"date": r.review_day(int(s.solved.term[i]))})]

    def concessions(self, r, s, i):
        return [{"type": self.name, "months": int(s.solved.term[i])}]


def build(decline: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """What the borrower can pay each month until the review (at least the policy's token payment), where no
    real plan fits the budget.

    CONC 7.3.4R and 7.3.5G: forbear at what the customer can afford, interest
    and charges frozen; a token is for when nothing more is affordable (issue
    18: a borrower with 24.00 to spare was asked 1.00).
    """
    owed = X[x + X_BALANCE] + X[x + X_FEES]
    if decline == D_NONE and X[x + X_A] * P[P_MAX_TERM] >= owed:
        decline = PAYMENT_AFFORDABLE
    token = max(max(X[x + X_TOKEN], X[x + X_A]), 1)
    m = min(own_figure(KP, kp, REVIEW_MONTHS), P[P_CAP_TOTAL])
    paid = min(token * m, owed - 1)
    if decline == D_NONE and paid <= 0:
        decline = PAYMENT_AFFORDABLE
    paid = max(paid, 1)
    plan(OI, b, st, paid, 0, 0, 0, min(max(ceil_div(paid, token), 1), m), 0, 0, 0, 12)
    OI[b + O_REST * st] = owed - paid
    return decline, -1


def forgone(P, PF, X, x: int, OI, b: int, st: int) -> float:
    """The contract's interest on the balance for the months it is frozen, at present value."""
    return X[x + X_BALANCE] * (X[x + X_APR] / MONTHLY_DEN) * annuity(PF[PF_MONTHLY], float(OI[b + O_STERM * st]))


#: A token payment is what it is: it is not nudged.
fit = no_fit

KIND = TokenPayment()
