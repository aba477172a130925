"""Settlement: a lump sum, or a lump sum and up to N instalments, accepted in full satisfaction, at a discount.

The top rung of the ladder; where the declared lump sum pays everything
owed it concedes nothing and is worked out with the first rung
(``pays_off``): paying in full needs no approval, at any stage of arrears.

>>> from negotiator.kinds import KINDS
>>> KINDS["settlement"].rung, KINDS["settlement"].pays_off
(7, True)
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import fields, validate

from negotiator.core.money import RATE_SCALE, exponent, to_minor
from negotiator.kinds.base import TIERS, Kind, OptionSchema, amount_field, months_field, pct_ppm, ppm, rate_field
from negotiator.kinds.kernel import (
    BEYOND,
    D_NONE,
    K_ENABLED,
    K_MIN_TIER,
    O_FORGIVEN,
    O_LUMP_FUNDED,
    O_OWN,
    O_WAIVED,
    P_FIXED_LUMP,
    X_A,
    X_APR,
    X_BALANCE,
    X_FEES,
    X_LUMP,
    X_MIN_PAY,
    X_MORATORIUM,
    ceil_div,
    forgone_against,
    no_fit,
    own_figure,
    plan,
)

MAX_PAYMENTS, STEP, MIN_DISCOUNT, MAX_DISCOUNT = 0, 1, 2, 3
#: Own figures: the discount (ppm of what is owed) and the amount that settles.
O_DISCOUNT, O_AMOUNT = O_OWN, O_OWN + 1


class Schema(OptionSchema):
    min_dpd = fields.Integer(load_default=91, validate=validate.Range(min=0))
    max_dpd = fields.Integer(load_default=3650, validate=validate.Range(min=0))
    min_discount = rate_field(load_default=Decimal(0))
    max_discount = rate_field(load_default=Decimal("0.4"))
    step = fields.Decimal(load_default=Decimal("0.01"),
                          validate=validate.Range(min=Decimal("0.000001"), max=Decimal("0.5")))
    max_payments = months_field(1, 24, load_default=3)
    min_approval = fields.String(load_default="agent", validate=validate.OneOf(TIERS))
    tax_report_from = amount_field(load_default=None, allow_none=True, metadata={"description": (
        "USD accounts only: where the amount written off is at least this (USD), the settlement says it may be "
        "reported to the IRS on Form 1099-C (26 CFR 1.6050P-1: discharges of USD 600 or more). None: not said.")})


class Settlement(Kind):
    """A lump sum, or a lump sum and up to N instalments, accepted in full satisfaction, at a discount."""

    name = "settlement"
    rank = 11
    rung = 7
    held_from_lump = True
    pays_off = True
    schema = Schema
    figures = {"discount": False, "amount": False}
    messages = ("settlement_discount", "paid_in_full", "funded_by_lump_sum", "settlement_one_sum",
                "forgiven_reported_to_irs", "settlement_lump_then_instalments", "discount_beyond_policy")

    def params(self, rule):
        return (rule.max_payments, ppm(rule.step), ppm(rule.min_discount), ppm(rule.max_discount))

    def extra(self, oi):
        out = super().extra(oi)
        out["lump_funded"] = oi[O_LUMP_FUNDED] != 0
        return out

    def outside(self, r, s, i):
        """Above the policy's largest discount (a what-if's lump can ask for more): the kernels' ``inside``."""
        out = super().outside(r, s, i)
        most = ppm(r.policy.options.settlement.max_discount)
        if int(s.extra["discount"][i]) > most:
            out.append(("discount_beyond_policy", {"discount": pct_ppm(s.extra["discount"][i]),
                                                   "max_discount": pct_ppm(most)}))
        return out

    def explain(self, r, s, i):
        forgiven = s.fees_waived[i] + s.principal_forgiven[i]
        amount = s.extra["amount"][i]
        out = []
        if forgiven:
            out.append(("settlement_discount", {"amount": r.money(amount), "forgiven": r.money(forgiven)}))
        else:
            out.append(("paid_in_full", {"amount": r.money(amount)}))
        if s.extra["lump_funded"][i] and amount <= r.acc.lump_sum[i]:
            out.append(("funded_by_lump_sum", {"amount": r.money(r.acc.lump_sum[i])}))
        elif s.extra["lump_funded"][i]:
            out.append(("settlement_one_sum", {"amount": r.money(amount)}))
        elif s.plans.hold[i]:
            out.append(("settlement_lump_then_instalments", {
                "lump": r.money(s.plans.hold_payment[i]), "months": int(s.solved.term[i] - 1),
                "payment": r.money(s.solved.level[i])}))
        threshold = r.policy.option(self.name).params.get("tax_report_from")
        if threshold is not None and r.cur == "USD" and forgiven >= to_minor(threshold, exponent("USD")):
            # 26 CFR 1.6050P-1: an applicable financial entity reports a discharge of USD 600 or more (Form 1099-C).
            out.append(("forgiven_reported_to_irs", {"forgiven": r.money(forgiven),
                                                     "threshold": r.money(to_minor(threshold, exponent("USD")))}))
        return out


def build(decline: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> tuple[int, int]:
    """The smallest discount, in the policy's steps, that the lump sum and the budget can pay in N payments."""
    owed = X[x + X_BALANCE] + X[x + X_FEES]
    # Instalments below the policy's min_payment are not offered: then the lump sum alone.
    A = X[x + X_A] if X[x + X_A] >= X[x + X_MIN_PAY] else 0
    lump = X[x + X_LUMP] if P[P_FIXED_LUMP] < 0 else P[P_FIXED_LUMP]
    if KP[kp + K_ENABLED] and lump >= owed and not X[x + X_MORATORIUM]:
        decline = D_NONE          # paying everything owed concedes nothing: allowed at any stage
    N = own_figure(KP, kp, MAX_PAYMENTS)
    best = lump + A * (N - 1) if lump > 0 else A * N
    need_ppm = 0 if best >= owed else ceil_div((owed - best) * RATE_SCALE, max(owed, 1))
    step = own_figure(KP, kp, STEP)
    disc = min(max(ceil_div(need_ppm, step) * step, own_figure(KP, kp, MIN_DISCOUNT)),
               own_figure(KP, kp, MAX_DISCOUNT))
    forgiven = owed * disc // RATE_SCALE
    if P[P_FIXED_LUMP] >= 0:
        forgiven = max(owed - lump, 0)
        disc = ceil_div(forgiven * RATE_SCALE, max(owed, 1))
    amount = owed - forgiven
    funded = lump >= amount
    down = 0 if funded else lump
    hold = 1 if down > 0 else 0
    term = 1 if funded else hold + (ceil_div(amount - down, max(A, 1)) if A > 0 else N)
    term = min(max(term, hold + 1), N)
    plan(OI, b, st, amount, 0, 0, 0, term, hold, down, 0, 12)
    waived = min(X[x + X_FEES], forgiven)
    OI[b + O_WAIVED * st] = waived
    OI[b + O_FORGIVEN * st] = forgiven - waived
    OI[b + O_DISCOUNT * st] = disc
    OI[b + O_LUMP_FUNDED * st] = 1 if funded else 0
    OI[b + O_AMOUNT * st] = amount
    return decline, -1


def forgone(P, PF, X, x: int, OI, b: int, st: int) -> float:
    """The instalments' interest forgone against the account's own rate (whatever the policy's pricing)."""
    apr = X[x + X_APR]
    return forgone_against(PF, OI, b, st, apr, 0, apr)


def approve(tier: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> int:
    """The kind's ``min_approval``, except that paying everything owed at once concedes nothing: no approval."""
    if tier >= BEYOND:
        return tier
    if OI[b + O_LUMP_FUNDED * st] and OI[b + O_FORGIVEN * st] + OI[b + O_WAIVED * st] == 0:
        return tier
    return max(tier, KP[kp + K_MIN_TIER])


def inside(P, KP, kp: int, X, x: int, OI, b: int, st: int) -> bool:
    """Within the policy's largest discount."""
    return OI[b + O_DISCOUNT * st] <= own_figure(KP, kp, MAX_DISCOUNT)


def affordable(monthly: int, max_pay: int, level: int, hold_pay: int, hold: int, lump: int, lump_funded: int,
               a_now: int, a_after: int, hardship: int, moratorium: int) -> int:
    """1 where the borrower can pay it: its lump from what they declared available (``lump``) and its
    instalments within the budget; paid in one sum, that sum within what they declared (issue 18: a what-if's
    counter-offer may name a lump above it).

    >>> affordable(3_600_00, 3_600_00, 3_600_00, 0, 0, 2_000_00, 1, 500_00, 500_00, 0, 0)
    0
    """
    ok = monthly <= a_now and (hold == 0 or hold_pay <= lump)
    return 1 if (ok or (lump_funded != 0 and max_pay <= lump)) else 0


#: A settlement's terms are its offer: it is not nudged.
fit = no_fit


KIND = Settlement()
