"""Payment holiday: reduced or no payments for the hardship months, interest frozen, then a plan that clears the debt.

In a breathing space or other moratorium: no payment at all and nothing
charged for the moratorium months (the law's, not a concession to
approve). Held months are judged against what the borrower can pay
during the hardship; the plan after against the usual budget.

>>> from negotiator.kinds import KINDS
>>> KINDS["payment_holiday"].rung is None, KINDS["payment_holiday"].in_moratorium
(True, True)
"""

from __future__ import annotations

from decimal import Decimal

from negotiator.core.money import MONTHLY_DEN
from negotiator.kinds.base import Kind, OptionSchema, amount_field, months_field
from negotiator.kinds.kernel import (
    D_NONE,
    O_OWN,
    P_CAP_TOTAL,
    P_FLAT,
    P_FLAT_PPM,
    P_REAGE,
    REAGE_DECLINES,
    X_A,
    X_A_AFTER,
    X_BALANCE,
    X_BASE_APR,
    X_FEES,
    X_HARDSHIP,
    X_HOLIDAY,
    X_MORATORIUM,
    affordable_held,
    amortising_months,
    default_approve,
    fit_after,
    flat_fee,
    months_from,
    own_figure,
    plan,
)

MAX_MONTHS, MORATORIUM_MONTHS, MAX_AFTER = 0, 1, 2
#: Own figures: 1 where the declared hardship is longer than the break the policy allows.
O_CAPPED = O_OWN


class Schema(OptionSchema):
    max_months = months_field(1, 12, load_default=3)
    payment = amount_field(load_default=Decimal(0))
    max_months_after = months_field(load_default=60)
    moratorium_months = months_field(1, 24, load_default=2, metadata={
        "description": "Months a breathing space or other moratorium freezes interest and asks no payment."})


class PaymentHoliday(Kind):
    """Reduced or no payments for the hardship months, interest frozen, then a plan that clears the debt."""

    name = "payment_holiday"
    rank = 4
    reages = True
    in_moratorium = True
    needs_hardship = True
    schema = Schema
    figures = {"capped": True}
    messages = ("payment_holiday", "hardship_capped", "moratorium")

    def params(self, rule):
        return (rule.max_months, rule.moratorium_months, rule.max_months_after)

    def explain(self, r, s, i):
        p = s.plans
        out = []
        if r.acc.in_moratorium[i]:
            out.append(("moratorium", {"months": int(p.hold[i]), "after": r.money(s.solved.level[i])}))
        else:
            out.append(("payment_holiday", {"months": int(p.hold[i]), "payment": r.money(p.hold_payment[i]),
                                            "after": r.money(s.solved.level[i])}))
        out.append(("review_date", {"date": r.review_day(int(p.hold[i]))}))
        if s.extra["capped"][i]:
            out.append(("hardship_capped", {"months": int(p.hold[i])}))
        return out

    def concessions(self, r, s, i):
        return [{"type": "payment_holiday", "months": int(s.plans.hold[i])}, *super().concessions(r, s, i)]


def build(decline: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """The break (the hardship's months, capped; a moratorium's at least), then the fewest months after it."""
    mor = X[x + X_MORATORIUM] != 0
    balance, cap_total = X[x + X_BALANCE], P[P_CAP_TOTAL]
    if P[P_REAGE] and mor and (decline in REAGE_DECLINES):
        decline = D_NONE          # a moratorium is the law's: no re-age rule stands in its way
    months = X[x + X_HARDSHIP]
    h = max(months, own_figure(KP, kp, MORATORIUM_MONTHS)) if mor else min(months, own_figure(KP, kp, MAX_MONTHS))
    h = min(h, cap_total - 1)
    R = 0 if mor else min(X[x + X_HOLIDAY], X[x + X_A])
    R = min(R, max(balance // max(h, 1) // 2, 0))
    fee = flat_fee(balance, P[P_FLAT_PPM])
    price = 0 if P[P_FLAT] else X[x + X_BASE_APR]
    after_hi = min(own_figure(KP, kp, MAX_AFTER), cap_total - h)
    m = 1
    if decline == D_NONE:
        n_star = amortising_months(balance - h * R, X[x + X_FEES], price, fee, X[x + X_A_AFTER], MONTHLY_DEN)
        m = months_from(n_star, 1, max(after_hi, 1))
    plan(OI, b, st, balance, X[x + X_FEES], price, fee, h + m, h, R, 0, 12)
    OI[b + O_CAPPED * st] = 1 if (months > h and not mor) else 0
    return decline, h + max(after_hi, 1)


def approve(tier: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> int:
    """As any kind; but the law, not the lender, grants a moratorium: no approval."""
    if X[x + X_MORATORIUM]:
        return 0
    return default_approve(tier, P, KP, kp, X, x, OI, b, st)


fit = fit_after
affordable = affordable_held

KIND = PaymentHoliday()
