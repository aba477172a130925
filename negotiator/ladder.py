"""Per-account kernels: every option kind and the ladder, for ONE account over plain numbers.

The rules of each kind (when the policy offers it, how its plan is built,
how it is nudged to fit, what it concedes, when it is affordable) and the
ladder that climbs them are written here once, per account, in the style of
:mod:`negotiator.kernels`: plain Python over ints and floats, no objects,
strings or containers, so that numba compiles the very same code for
arrays (:mod:`negotiator.compiled`). :func:`negotiator.options.build` runs
:func:`ladder_many` as plain Python for a quote (a handful of accounts) and
compiled for a portfolio, and turns the flat outputs into option sets.

Numbers stand for names: kinds are their index in :data:`ORDER`, decline
reasons their index in :data:`DECLINES` (0: offered). The policy's figures
for one (policy, channel, frequency, what-if) come as a flat integer row
``P`` (indices ``P_*``), two floats ``PF`` and a row of ``NK`` integers per
kind ``KP``; each account as ``NX`` integers of ``X`` (indices ``X_*``);
each wanted kind has a slot (``K_SLOT``, -1: not wanted) and writes, for
account ``i`` of ``n``, field ``O_*`` of ``OI`` at ``(slot * NO + O_*) * n + i``
and field ``F_*`` of ``OF`` at ``(slot * NF + F_*) * n + i``: each field of a
kind is one contiguous column over the accounts. ``OI`` and ``OF`` start at
zero. A kind that is not offered to an account is not worked out: its row
holds the decline reason and the plan's terms as far as they were needed
to decide it (a declined instalment still has its price), never a solution.

Examples
--------
Whole periods from a fractional count, within bounds; and the periods a
payment of 400.00 needs for 10,000.00 at 12 % (principal first, then fees):

>>> months_from(35.2, 1, 60), months_from(math.inf, 1, 60), months_from(0.4, 3, 60)
(36, 60, 3)
>>> round(amortising_months(1_000_000, 0, 120_000, 0, 40_000, 12_000_000), 3)
28.912
"""

from __future__ import annotations

import math

from .accounts import MAX_TERM
from .kernels import (
    annuity,
    cost_rate,
    discount,
    estimate_level,
    growth,
    payment,
    periods,
    present_value,
    solve_one,
    solve_rate,
)
from .money import RATE_SCALE  # plain ints: numba reads them as constants

MONTHLY_DEN = 12 * RATE_SCALE
#: What a value that is not a number becomes (numpy's cast of NaN to int64).
_INT_MIN = -(2 ** 63)
#: Approval tiers: 0 none, 1 agent, 2 supervisor; beyond every authority.
BEYOND = 3

#: Option kinds by number, in display order (:data:`negotiator.kinds.ORDER`).
ORDER = ("catch_up", "term_extension", "instalment", "payment_holiday", "step_up", "hardship_programme",
         "token_payment", "interest_reduction", "fee_waiver", "interest_free_instalment", "settlement")
(CATCH_UP, TERM_EXTENSION, INSTALMENT, PAYMENT_HOLIDAY, STEP_UP, HARDSHIP_PROGRAMME, TOKEN_PAYMENT,
 INTEREST_REDUCTION, FEE_WAIVER, INTEREST_FREE, SETTLEMENT) = range(11)
#: The ladder, least concession first; the kinds beside it.
LADDER_IDS = (CATCH_UP, TERM_EXTENSION, INSTALMENT, INTEREST_REDUCTION, FEE_WAIVER, INTEREST_FREE, SETTLEMENT)
BESIDE_IDS = (PAYMENT_HOLIDAY, STEP_UP, HARDSHIP_PROGRAMME, TOKEN_PAYMENT)

#: Decline reasons by number; 0 is "offered".
DECLINES = ("", "lesser_concession_affordable", "moratorium_in_force", "dpd_out_of_range", "product_not_eligible",
            "monthly_only", "option_disabled", "no_hardship_declared", "reaged_recently", "insufficient_payments",
            "account_too_new", "history_required", "no_arrears", "term_at_maximum", "no_extension_needed",
            "rate_at_floor", "no_fees", "hardship_required", "down_payment_required", "no_step_needed",
            "payment_below_interest", "payment_affordable")
(D_NONE, D_LESSER, D_MORATORIUM, D_DPD, D_PRODUCT, D_MONTHLY_ONLY, D_DISABLED, D_NO_HARDSHIP, D_REAGED,
 D_PAYMENTS, D_TOO_NEW, D_HISTORY, D_NO_ARREARS, D_TERM_MAX, D_NO_EXTENSION, D_RATE_FLOOR, D_NO_FEES,
 D_HARDSHIP_REQUIRED, D_DOWN_PAYMENT, D_NO_STEP, D_BELOW_INTEREST, D_PAYMENT_AFFORDABLE) = range(22)

#: Per kind (a row of ``KP``): the policy's window and the kind's flags.
(K_ENABLED, K_CARD, K_LOAN, K_MIN_DPD, K_MAX_DPD, K_MIN_TIER, K_REAGES, K_IN_MORATORIUM, K_ANY_FREQUENCY,
 K_NEEDS_HARDSHIP, K_SLOT, K_FROM_LUMP, K_RECOVERY) = range(13)
NK = 13

#: The policy's figures for one context (``P``).
(P_PPY, P_DEN, P_CAP_TOTAL, P_MAX_TERM, P_MIN_TERM, P_FLAT, P_FLAT_PPM, P_MODE, P_PORTAL, P_ADJUST, P_FIXED_TERM,
 P_FIXED_LUMP, P_REAGE, P_REAGE_AGE, P_REAGE_PAYMENTS, P_REAGE_12M, P_REAGE_5Y, P_SHARE0, P_SHARE1, P_SHARE2,
 P_COMPOUND, P_CU_MAX, P_TE_EXTRA, P_TE_TOTAL, P_IR_FLOOR, P_IR_STEP, P_IR_ENABLED, P_FW_SHARE, P_IFI_HARDSHIP,
 P_IFI_DOWN, P_IFI_MAX, P_IFI_MIN, P_ST_ENABLED, P_ST_PAYMENTS, P_ST_STEP, P_ST_MIN, P_ST_MAX, P_PH_MAX,
 P_PH_MORATORIUM, P_PH_AFTER, P_SU_MAX, P_HP_MAX, P_HP_APR, P_TK_REVIEW) = range(44)
NP = 44
#: Floats of ``PF``: the discount rate per period, and per month.
PF_D, PF_MONTHLY = 0, 1

#: One account (``X``): its columns and the context's per-account figures.
(X_BALANCE, X_ARREARS, X_FEES, X_CONTRACTUAL, X_APR, X_DPD, X_LOAN, X_REMAINING, X_LUMP, X_HARDSHIP, X_AGE,
 X_CONSECUTIVE, X_REAGES_12M, X_REAGES_5Y, X_MORATORIUM, X_A, X_A_AFTER, X_BASE_APR, X_HOLIDAY, X_TOKEN, X_TIER0,
 X_TIER1, X_TIER2, X_WAIVABLE, X_IFI_WAIVE) = range(25)
NX = 25

#: One option of one account (``OI``): its plan, its solution, its assessment and its kind's own figures.
(O_OFFERED, O_DECLINE, O_PRINCIPAL, O_FEES, O_APR, O_FLAT, O_TERM, O_HOLD, O_HOLD_PAY, O_HOLD_APR, O_PPY,
 O_REGULAR, O_WAIVED, O_FORGIVEN, O_LEVEL, O_FINAL, O_STERM, O_MONTHLY, O_MAX_PAY, O_TOTAL, O_VALUE, O_TIER,
 O_AFFORDABLE, O_PLAN_APR, O_INTEREST, O_PLAN_FEES, O_LONGEST, O_RATE, O_CAP, O_DOWN, O_DISCOUNT, O_LUMP_FUNDED,
 O_AMOUNT, O_CAPPED, O_REST) = range(35)
NO = 35
#: Floats of ``OF``: the annualised rate disclosed, the lender's NPV.
F_EFF_APR, F_NPV = 0, 1
NF = 2


# ---------------------------------------------------------------- small rules

def ceil_div(a: int, b: int) -> int:
    """``a / b`` rounded up (integers).

    >>> ceil_div(7, 2), ceil_div(-7, 2)
    (4, -3)
    """
    return -(-a // b)


def nan_max(a: float, b: float) -> float:
    """The larger of two floats, NaN where either is (numpy's ``maximum``).

    >>> nan_max(1.0, 2.0), math.isnan(nan_max(math.nan, 0.0))
    (2.0, True)
    """
    if a != a or b != b:
        return math.nan
    return a if a >= b else b


def months_from(n_star: float, lo: int, hi: int) -> int:
    """Whole periods from a fractional count, within ``[lo, hi]`` (``hi`` where the count is not finite)."""
    m = math.ceil(min(n_star, 1000000.0) - 1e-09) if n_star == n_star and abs(n_star) < math.inf else hi
    return min(max(m, lo), max(hi, lo))


def amortising_months(principal: float, fees: int, apr: int, flat: int, afford: int, den: int) -> float:
    """Fractional periods a payment of ``afford`` needs: principal first (with interest), then fees."""
    pay = afford - flat
    if pay <= 0:
        return math.inf
    return periods(float(principal), apr / den, float(pay)) + fees / pay


def flat_fee(principal: int, flat_ppm: int) -> int:
    """The monthly fee of flat-fee pricing on ``principal``.

    >>> flat_fee(1_200_000, 5_000)
    6000
    """
    return principal * flat_ppm // RATE_SCALE


def annualise(periodic: float, compound: bool, ppy: int) -> float:
    """A rate per period (``ppy`` a year) as the annual rate disclosed: nominal (x ppy) or compound.

    >>> annualise(0.299 / 12, False, 12), round(annualise(0.299 / 12, True, 12), 4)
    (0.299, 0.3436)
    """
    if compound:
        return math.expm1(ppy * math.log1p(periodic))
    return periodic * ppy


def affordable_one(kind: int, monthly: int, max_pay: int, level: int, hold_pay: int, hold: int, lump: int,
                   lump_funded: int, a_now: int, a_after: int) -> int:
    """1 where the option fits what the borrower can pay (``a_now`` now, ``a_after`` once a hardship ends).

    A plan's largest payment within the budget; a down payment or a
    settlement's lump comes from the lump sum; held months of a hardship
    plan are judged against the budget during it, the rest against after.

    >>> affordable_one(INSTALMENT, 500, 520, 500, 0, 0, 0, 0, 510, 510)
    0
    """
    if kind == INTEREST_FREE:
        return 1 if monthly <= a_now else 0
    if kind == SETTLEMENT:
        ok = monthly <= a_now and (hold == 0 or hold_pay <= lump)
        return 1 if (ok or lump_funded != 0) else 0
    if kind in (PAYMENT_HOLIDAY, STEP_UP, HARDSHIP_PROGRAMME):
        return 1 if (hold_pay <= a_now and level <= a_after) else 0
    return 1 if max_pay <= a_now else 0


# ---------------------------------------------------------------- one kind for one account

def window(k: int, P, KP, X, x: int) -> int:
    """The decline reason (0: offered) from the policy's rules for kind ``k``, account at ``X[x:]``."""
    kp = k * NK
    decline = D_NONE
    loan = X[x + X_LOAN] != 0
    if KP[kp + K_REAGES] and P[P_REAGE] and not loan:
        if X[x + X_REAGES_12M] >= P[P_REAGE_12M] or X[x + X_REAGES_5Y] >= P[P_REAGE_5Y]:
            decline = D_REAGED
        if X[x + X_CONSECUTIVE] < P[P_REAGE_PAYMENTS]:
            decline = D_PAYMENTS
        if X[x + X_AGE] < P[P_REAGE_AGE]:
            decline = D_TOO_NEW
        if X[x + X_AGE] < 0 or X[x + X_CONSECUTIVE] < 0 or X[x + X_REAGES_12M] < 0:
            decline = D_HISTORY
    if not KP[kp + K_IN_MORATORIUM] and X[x + X_MORATORIUM]:
        decline = D_MORATORIUM
    dpd = X[x + X_DPD]
    if dpd < KP[kp + K_MIN_DPD] or dpd > KP[kp + K_MAX_DPD]:
        decline = D_DPD
    if not (KP[kp + K_LOAN] if loan else KP[kp + K_CARD]):
        decline = D_PRODUCT
    if P[P_PPY] != 12 and not KP[kp + K_ANY_FREQUENCY]:
        decline = D_MONTHLY_ONLY
    if not KP[kp + K_ENABLED]:
        decline = D_DISABLED
    if KP[kp + K_NEEDS_HARDSHIP] and decline == D_NONE and X[x + X_HARDSHIP] == 0:
        decline = D_NO_HARDSHIP
    return decline


def _plan(OI, b: int, st: int, principal: int, fees: int, apr: int, flat: int, term: int, hold: int, hold_pay: int,
          hold_apr: int, ppy: int) -> None:
    OI[b + O_PRINCIPAL * st] = principal
    OI[b + O_FEES * st] = fees
    OI[b + O_APR * st] = apr
    OI[b + O_FLAT * st] = flat
    OI[b + O_TERM * st] = term
    OI[b + O_HOLD * st] = hold
    OI[b + O_HOLD_PAY * st] = hold_pay
    OI[b + O_HOLD_APR * st] = hold_apr
    OI[b + O_PPY * st] = ppy


def _grid(P, base_apr: int) -> tuple[int, int, int]:
    """(base, floor, step) of a plan's price in ppm: the APR, or under flat-fee pricing the monthly fee rate."""
    if P[P_FLAT]:
        return P[P_FLAT_PPM], P[P_IR_FLOOR] // 12, max(P[P_IR_STEP] // 12, 1)
    return base_apr, P[P_IR_FLOOR], P[P_IR_STEP]


def _price(P, principal: int, rate: int) -> tuple[int, int]:
    """(apr, flat fee) of a plan priced at ``rate`` ppm under the policy's pricing."""
    if P[P_FLAT]:
        return 0, flat_fee(principal, rate)
    return rate, 0


def build(k: int, P, KP, X, x: int, OI, b: int, st: int) -> None:
    """Kind ``k``'s plan for the account at ``X[x:]``, its decline reason and its own figures, into ``OI[b:]``."""
    decline = window(k, P, KP, X, x)
    balance, fees, apr = X[x + X_BALANCE], X[x + X_FEES], X[x + X_APR]
    owed = balance + fees
    A, A_after = X[x + X_A], X[x + X_A_AFTER]
    cap_total, ppy, den = P[P_CAP_TOTAL], P[P_PPY], P[P_DEN]
    mor = X[x + X_MORATORIUM] != 0
    longest = -1
    if k == CATCH_UP:
        arrears = X[x + X_ARREARS]
        if decline == D_NONE and arrears == 0:
            decline = D_NO_ARREARS
        room = A - X[x + X_CONTRACTUAL]
        n_star = arrears / room if room > 0 else math.inf
        hi = min(P[P_CU_MAX], cap_total)
        _plan(OI, b, st, arrears, 0, 0, 0, months_from(n_star, 1, hi), 0, 0, 0, 12)
        OI[b + O_REGULAR * st] = X[x + X_CONTRACTUAL]
        longest = hi
    elif k == TERM_EXTENSION:
        remaining = X[x + X_REMAINING]
        lo = remaining + 1
        hi = min(min(remaining + P[P_TE_EXTRA], P[P_TE_TOTAL]), cap_total)
        if decline == D_NONE and hi < lo:
            decline = D_TERM_MAX
        if P[P_FIXED_TERM] >= 0:
            term = P[P_FIXED_TERM]
        elif decline == D_NONE:
            term = months_from(amortising_months(balance, fees, apr, 0, A, MONTHLY_DEN), lo, hi)
        else:
            term = lo                 # not offered: the plan is not worked out
        _plan(OI, b, st, balance, fees, apr, 0, term, 0, 0, 0, 12)
        longest = max(hi, lo)
    elif k == INSTALMENT:
        fee = flat_fee(balance, P[P_FLAT_PPM])
        rate = 0 if P[P_FLAT] else X[x + X_BASE_APR]
        if P[P_FIXED_TERM] >= 0:
            term = P[P_FIXED_TERM]
        elif decline == D_NONE:
            term = months_from(amortising_months(balance, fees, rate, fee, A, den), P[P_MIN_TERM], P[P_MAX_TERM])
        else:
            term = P[P_MIN_TERM]
        _plan(OI, b, st, balance, fees, rate, fee, term, 0, 0, 0, ppy)
        longest = P[P_MAX_TERM]
    elif k == INTEREST_REDUCTION:
        base, floor, step = _grid(P, X[x + X_BASE_APR])
        if decline == D_NONE and base <= floor:
            decline = D_RATE_FLOOR
        m = P[P_MAX_TERM]
        rate = base
        if decline == D_NONE:
            Pf, Ff, Af = float(balance), float(fees), float(A)
            if P[P_FLAT]:
                need = ((Af - (Pf + Ff) / m) / Pf if balance > 0 else -1.0) * RATE_SCALE
            else:
                r0 = solve_rate(Pf + Ff, Af, float(m), 12)
                r0 = 0.0 if r0 != r0 else r0
                r1 = solve_rate(Pf + Ff * discount(r0, float(m)), Af, float(m), 12)
                need = r1 * den
            needed = int(math.floor(need)) if (need == need and abs(need) < math.inf) else -1
            cut = max(ceil_div(base - min(needed, base - 1), step), 1) * step
            rate = max(base - cut, floor)
        a, fee = _price(P, balance, rate)
        _plan(OI, b, st, balance, fees, a, fee, m, 0, 0, 0, ppy)
        OI[b + O_RATE * st] = rate
        longest = m
    elif k == FEE_WAIVER:
        if decline == D_NONE and fees == 0:
            decline = D_NO_FEES
        base, floor, step = _grid(P, X[x + X_BASE_APR])
        rate = min(base, floor) if P[P_IR_ENABLED] else base
        a, fee = _price(P, balance, rate)
        m = P[P_MAX_TERM]
        cap = X[x + X_WAIVABLE] * P[P_FW_SHARE] // RATE_SCALE
        if decline == D_NONE and cap == 0:
            decline = D_NO_FEES
        waive = 0
        if decline == D_NONE:
            r = a / den
            keep = ((float(A) - fee - payment(float(balance), r, float(m))) * annuity(r, float(m))
                    / discount(r, float(m)))
            w = math.ceil(float(fees) - nan_max(keep, 0.0))
            waive = min(min(max(w, 1), max(cap, 1)), cap)
        _plan(OI, b, st, balance, fees - waive, a, fee, m, 0, 0, 0, ppy)
        OI[b + O_WAIVED * st] = waive
        OI[b + O_CAP * st] = cap
        OI[b + O_RATE * st] = rate
        longest = m
    elif k == INTEREST_FREE:
        if P[P_IFI_HARDSHIP] and decline == D_NONE and X[x + X_HARDSHIP] == 0:
            decline = D_HARDSHIP_REQUIRED
        waive = X[x + X_IFI_WAIVE]
        left = owed - waive
        down = ceil_div(left * P[P_IFI_DOWN], RATE_SCALE)
        if decline == D_NONE and down > X[x + X_LUMP]:
            decline = D_DOWN_PAYMENT
        hold = 1 if down > 0 else 0
        hi = min(P[P_IFI_MAX], cap_total)
        lo = min(P[P_IFI_MIN], hi)
        n_star = (left - down) / A if A > 0 else math.inf
        _plan(OI, b, st, balance, fees - waive, 0, 0, hold + months_from(n_star, lo, hi - hold), hold, down, 0, 12)
        OI[b + O_WAIVED * st] = waive
        OI[b + O_DOWN * st] = down
        longest = hi
    elif k == SETTLEMENT:
        lump = X[x + X_LUMP] if P[P_FIXED_LUMP] < 0 else P[P_FIXED_LUMP]
        if P[P_ST_ENABLED] and lump >= owed and not mor:
            decline = D_NONE          # paying everything owed concedes nothing: allowed at any stage
        N = P[P_ST_PAYMENTS]
        best = lump + A * (N - 1) if lump > 0 else A * N
        need_ppm = 0 if best >= owed else ceil_div((owed - best) * RATE_SCALE, max(owed, 1))
        step = P[P_ST_STEP]
        disc = min(max(ceil_div(need_ppm, step) * step, P[P_ST_MIN]), P[P_ST_MAX])
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
        _plan(OI, b, st, amount, 0, 0, 0, term, hold, down, 0, 12)
        waived = min(fees, forgiven)
        OI[b + O_WAIVED * st] = waived
        OI[b + O_FORGIVEN * st] = forgiven - waived
        OI[b + O_DISCOUNT * st] = disc
        OI[b + O_LUMP_FUNDED * st] = 1 if funded else 0
        OI[b + O_AMOUNT * st] = amount
    elif k == PAYMENT_HOLIDAY:
        if P[P_REAGE] and mor and (decline in (D_REAGED, D_PAYMENTS, D_TOO_NEW, D_HISTORY)):
            decline = D_NONE          # a moratorium is the law's: no re-age rule stands in its way
        months = X[x + X_HARDSHIP]
        h = max(months, P[P_PH_MORATORIUM]) if mor else min(months, P[P_PH_MAX])
        h = min(h, cap_total - 1)
        R = 0 if mor else min(X[x + X_HOLIDAY], A)
        R = min(R, max(balance // max(h, 1) // 2, 0))
        fee = flat_fee(balance, P[P_FLAT_PPM])
        rate = 0 if P[P_FLAT] else X[x + X_BASE_APR]
        after_hi = min(P[P_PH_AFTER], cap_total - h)
        m = 1
        if decline == D_NONE:
            n_star = amortising_months(balance - h * R, fees, rate, fee, A_after, MONTHLY_DEN)
            m = months_from(n_star, 1, max(after_hi, 1))
        _plan(OI, b, st, balance, fees, rate, fee, h + m, h, R, 0, 12)
        OI[b + O_CAPPED * st] = 1 if (months > h and not mor) else 0
        longest = h + max(after_hi, 1)
    elif k in (STEP_UP, HARDSHIP_PROGRAMME):
        if k == STEP_UP:
            h = min(X[x + X_HARDSHIP], P[P_SU_MAX])
            rate = apr
        else:
            h = min(X[x + X_HARDSHIP], P[P_HP_MAX])
            rate = min(apr, P[P_HP_APR])
        h = min(h, cap_total - 1)
        interest = ceil_div(balance * rate, MONTHLY_DEN)
        R = min(A, balance // (h + 1))
        if KP[k * NK + K_RECOVERY] and decline == D_NONE and A_after <= A:
            decline = D_NO_STEP
        if decline == D_NONE and interest + (1 if rate == 0 else 0) > R:
            decline = D_BELOW_INTEREST
        after_hi = max(cap_total - h, 1)
        m = 1
        if decline == D_NONE:
            rr = rate / MONTHLY_DEN
            left_f = balance * growth(rr, float(h)) - R * growth(rr, float(h)) * annuity(rr, float(h))
            n_star = amortising_months(nan_max(left_f, 0.0), fees, apr, 0, A_after, MONTHLY_DEN)
            m = months_from(n_star, 1, after_hi)
        _plan(OI, b, st, balance, fees, apr, 0, h + m, h, R, rate, 12)
        longest = h + after_hi
    elif k == TOKEN_PAYMENT:
        if decline == D_NONE and A * P[P_MAX_TERM] >= owed:
            decline = D_PAYMENT_AFFORDABLE
        token = max(X[x + X_TOKEN], 1)
        m = min(P[P_TK_REVIEW], cap_total)
        paid = min(token * m, owed - 1)
        if decline == D_NONE and paid <= 0:
            decline = D_PAYMENT_AFFORDABLE
        paid = max(paid, 1)
        _plan(OI, b, st, paid, 0, 0, 0, min(max(ceil_div(paid, token), 1), m), 0, 0, 0, 12)
        OI[b + O_REST * st] = owed - paid
    OI[b + O_DECLINE * st] = decline
    OI[b + O_OFFERED * st] = 1 if decline == D_NONE else 0
    OI[b + O_LONGEST * st] = longest
    OI[b + O_STERM * st] = OI[b + O_TERM * st]


def solve(OI, b: int, st: int, mode: int) -> None:
    """Solve the plan at ``OI[b:]``: its level payment, last payment and the term it really takes."""
    level, final, term = solve_one(OI[b + O_PRINCIPAL * st], OI[b + O_FEES * st], OI[b + O_APR * st],
                                   OI[b + O_FLAT * st], OI[b + O_TERM * st], OI[b + O_HOLD * st],
                                   OI[b + O_HOLD_PAY * st], OI[b + O_HOLD_APR * st], OI[b + O_PPY * st] * RATE_SCALE,
                                   mode, 40)
    OI[b + O_LEVEL * st] = level
    OI[b + O_FINAL * st] = final
    OI[b + O_STERM * st] = term


def fit(k: int, P, X, x: int, OI, b: int, st: int) -> bool:
    """One step more concession where rounding left the plan above what the borrower can pay; True if it moved."""
    level = OI[b + O_LEVEL * st]
    if k in (PAYMENT_HOLIDAY, STEP_UP, HARDSHIP_PROGRAMME):
        over = level > X[x + X_A_AFTER]
    else:
        over = level + OI[b + O_REGULAR * st] > X[x + X_A]
    if not over:
        return False
    if k == INTEREST_REDUCTION:
        _, floor, step = _grid(P, X[x + X_BASE_APR])
        rate = OI[b + O_RATE * st]
        if rate <= floor:
            return False
        rate = max(rate - step, floor)
        OI[b + O_RATE * st] = rate
        a, fee = _price(P, X[x + X_BALANCE], rate)
        OI[b + O_APR * st] = a
        OI[b + O_FLAT * st] = fee
        return True
    if k == FEE_WAIVER:
        cap = OI[b + O_CAP * st]
        if OI[b + O_WAIVED * st] >= cap:
            return False
        waived = min(OI[b + O_WAIVED * st] + (level - X[x + X_A]) * OI[b + O_TERM * st], cap)
        OI[b + O_WAIVED * st] = waived
        OI[b + O_FEES * st] = X[x + X_FEES] - waived
        return True
    hi = OI[b + O_LONGEST * st]
    if k in (SETTLEMENT, TOKEN_PAYMENT) or hi < 0 or OI[b + O_TERM * st] >= hi:
        return False
    OI[b + O_TERM * st] = OI[b + O_TERM * st] + 1
    return True


def forgone(k: int, P, PF, X, x: int, OI, b: int, st: int) -> float:
    """Interest forgone against the contract, at present value (minor units).

    The plan's contract twin is the same plan at the account's own rate (or
    the policy's standard flat fee; a settlement at the account's rate), its
    held months at the contract rate; the gap between the twins' level
    payments is valued over the level months.
    """
    if k == CATCH_UP:
        return 0.0
    apr = X[x + X_APR]
    n = OI[b + O_STERM * st]
    if k == TOKEN_PAYMENT:
        return X[x + X_BALANCE] * (apr / MONTHLY_DEN) * annuity(PF[PF_MONTHLY], float(n))
    principal, fees, term = OI[b + O_PRINCIPAL * st], OI[b + O_FEES * st], OI[b + O_TERM * st]
    hold, hold_pay = OI[b + O_HOLD * st], OI[b + O_HOLD_PAY * st]
    den = OI[b + O_PPY * st] * RATE_SCALE
    if P[P_FLAT] and k != SETTLEMENT:
        twin_apr, twin_flat = 0, flat_fee(principal, P[P_FLAT_PPM])
    else:
        twin_apr, twin_flat = apr, 0
    twin = estimate_level(principal, fees, twin_apr, twin_flat, term, hold, hold_pay, apr if hold > 0 else 0, den)
    own = estimate_level(principal, fees, OI[b + O_APR * st], OI[b + O_FLAT * st], term, hold, hold_pay,
                         OI[b + O_HOLD_APR * st], den)
    gap = nan_max(twin - own, 0.0)
    d = PF[PF_D]
    return gap * (annuity(d, float(n)) - annuity(d, float(hold)))


def finish(k: int, P, PF, KP, X, x: int, OI, OF, b: int, f: int, st: int) -> None:
    """Totals, concession value, approval tier, affordability and lender NPV of the plan at ``OI[b:]``."""
    n = OI[b + O_STERM * st]
    hold, hold_pay = OI[b + O_HOLD * st], OI[b + O_HOLD_PAY * st]
    level, final, regular = OI[b + O_LEVEL * st], OI[b + O_FINAL * st], OI[b + O_REGULAR * st]
    if k == TERM_EXTENSION and OI[b + O_OFFERED * st] and n <= X[x + X_REMAINING]:
        # A tiny balance can be cleared sooner than the level implies: then it is no extension.
        OI[b + O_DECLINE * st] = D_NO_EXTENSION
        OI[b + O_OFFERED * st] = 0
    monthly = level + regular
    held = hold_pay if (hold > 0 and not KP[k * NK + K_FROM_LUMP]) else 0
    max_pay = max(monthly, held)
    if n == hold + 1:
        max_pay = max(final + regular, held)
    total = hold * hold_pay + (n - hold - 1) * level + final + regular * n
    plan_fees = OI[b + O_FLAT * st] * max(n - hold, 0)
    OI[b + O_MONTHLY * st] = monthly
    OI[b + O_MAX_PAY * st] = max_pay
    OI[b + O_TOTAL * st] = total
    OI[b + O_PLAN_FEES * st] = plan_fees
    OI[b + O_INTEREST * st] = total - (OI[b + O_PRINCIPAL * st] + OI[b + O_FEES * st]) - regular * n - plan_fees
    apr = X[x + X_APR]
    OI[b + O_PLAN_APR * st] = apr if k == CATCH_UP else OI[b + O_APR * st]
    lost = forgone(k, P, PF, X, x, OI, b, st)
    lost_units = int(round(lost)) if (lost == lost and abs(lost) < 9e18) else _INT_MIN
    value = lost_units + OI[b + O_WAIVED * st] + OI[b + O_FORGIVEN * st]
    OI[b + O_VALUE * st] = value
    owed = X[x + X_BALANCE] + X[x + X_FEES]
    tier = BEYOND
    if value <= X[x + X_TIER2] and value * RATE_SCALE <= owed * P[P_SHARE2]:
        tier = 2
    if value <= X[x + X_TIER1] and value * RATE_SCALE <= owed * P[P_SHARE1]:
        tier = 1
    if value <= X[x + X_TIER0] and value * RATE_SCALE <= owed * P[P_SHARE0]:
        tier = 0
    if tier < BEYOND:
        min_tier = KP[k * NK + K_MIN_TIER]
        if k == SETTLEMENT and OI[b + O_LUMP_FUNDED * st] and OI[b + O_FORGIVEN * st] + OI[b + O_WAIVED * st] == 0:
            min_tier = 0              # paying everything owed at once concedes nothing: no approval
        tier = max(tier, min_tier)
    if k == PAYMENT_HOLIDAY and X[x + X_MORATORIUM]:
        tier = 0                      # the law, not the lender, grants a moratorium
    # No plan, held months included, may run past the policy's longest term or outside its kind's limits.
    hi = OI[b + O_LONGEST * st]
    inside = hi < 0 or n <= hi
    if k == INSTALMENT:
        inside = inside and OI[b + O_TERM * st] >= P[P_MIN_TERM]
    if k == SETTLEMENT:
        inside = OI[b + O_DISCOUNT * st] <= P[P_ST_MAX]
    if n > P[P_CAP_TOTAL] or not inside:
        tier = BEYOND
    OI[b + O_TIER * st] = tier
    OI[b + O_AFFORDABLE * st] = affordable_one(k, monthly, max_pay, level, hold_pay, hold, X[x + X_LUMP],
                                          OI[b + O_LUMP_FUNDED * st], X[x + X_A], X[x + X_A_AFTER])
    d = PF[PF_D]
    npv = present_value(hold, hold_pay, level, final, n, d)
    if k == CATCH_UP:
        # The account is then current and the rest runs on under the contract: value it as that stream
        # (its remaining term for a loan; for a card, as long as the contractual payment takes).
        contractual = X[x + X_CONTRACTUAL]
        r = apr / MONTHLY_DEN
        g = (1.0 + r) ** float(n)
        paid = contractual * (g - 1) / r if r > 0 else float(contractual * n)
        rest = nan_max((X[x + X_BALANCE] - X[x + X_ARREARS] + X[x + X_FEES]) * g - paid, 0.0)
        if X[x + X_LOAN]:
            months = float(max(X[x + X_REMAINING] - n, 1))
        else:
            months = min(max(periods(rest, r, float(contractual)), 1.0), float(MAX_TERM))
        stream = payment(rest, r, months) * annuity(d, months)
        npv = npv + contractual * annuity(d, float(n)) + stream * discount(d, float(n))
    OF[f + F_NPV * st] = npv
    OF[f + F_EFF_APR * st] = 0.0
    if OI[b + O_OFFERED * st]:
        compound = P[P_COMPOUND] != 0
        if k == CATCH_UP:
            OF[f + F_EFF_APR * st] = annualise(apr / MONTHLY_DEN, compound, 12)
        else:
            den = OI[b + O_PPY * st] * RATE_SCALE
            if OI[b + O_FLAT * st] > 0 or hold > 0:
                m = cost_rate(OI[b + O_PRINCIPAL * st], OI[b + O_FEES * st], OI[b + O_APR * st],
                              OI[b + O_FLAT * st], n, hold, hold_pay, OI[b + O_HOLD_APR * st], den, level,
                              P[P_MODE], 30)
            else:
                m = OI[b + O_APR * st] / den
            OF[f + F_EFF_APR * st] = annualise(m, compound, P[P_PPY])


def work_out(k: int, P, PF, KP, X, x: int, OI, OF, b: int, f: int, st: int) -> None:
    """One kind for one account, whole: build and, if offered, solve, up to three fitting steps, assess, disclose."""
    build(k, P, KP, X, x, OI, b, st)
    if OI[b + O_OFFERED * st]:
        mode = P[P_MODE]
        solve(OI, b, st, mode)
        if P[P_ADJUST]:
            for _ in range(3):
                if not fit(k, P, X, x, OI, b, st):
                    break
                solve(OI, b, st, mode)
        finish(k, P, PF, KP, X, x, OI, OF, b, f, st)


def declined(OI, OF, b: int, f: int, st: int) -> None:
    """A kind a lower rung already served: nothing offered, a plan of one empty period."""
    OI[b + O_DECLINE * st] = D_LESSER
    OI[b + O_TERM * st] = 1
    OI[b + O_STERM * st] = 1
    OI[b + O_PPY * st] = 12
    OF[f + F_EFF_APR * st] = 0.0
    OF[f + F_NPV * st] = 0.0


def acceptable(offered: bool, affordable: bool, tier: int, portal: bool) -> bool:
    """Offered, affordable, within policy, and (on a portal) needing no approval: an option the borrower can take.

    >>> acceptable(True, True, 1, False), acceptable(True, True, 1, True), acceptable(True, True, BEYOND, False)
    (True, False, False)
    """
    return offered and affordable and tier < BEYOND and (tier == 0 or not portal)


def acceptable_one(P, OI, b: int, st: int) -> bool:
    """:func:`acceptable` of one option of the outputs."""
    return acceptable(OI[b + O_OFFERED * st] != 0, OI[b + O_AFFORDABLE * st] != 0, OI[b + O_TIER * st],
                      P[P_PORTAL] != 0)


def acceptable_many(offered, affordable, tier, portal: bool, out) -> None:
    """:func:`acceptable` of every account's option (the decision reads it)."""
    for i in range(len(offered)):
        out[i] = acceptable(offered[i], affordable[i], tier[i], portal)


def round_even(x: float) -> float:
    """``x`` rounded to a whole number, halves to even (as ``numpy.round``), for plain and compiled code alike.

    >>> round_even(2.5), round_even(3.5), round_even(-2.5), round_even(1234.49)
    (2.0, 4.0, -2.0, 1234.0)
    """
    f = float(math.floor(x))
    d = x - f
    if d > 0.5 or (d == 0.5 and f % 2 == 1):
        return f + 1.0
    return f


NEVER = 9223372036854775807   # no visible plan: a gap larger than any


def pick_one(npv, usable, visible, max_payment, affordable: int, order, k: int, i: int, n: int, out) -> None:
    """The recommendation for account ``i`` of ``n``, over ``k`` option kinds (row ``j`` of each input is kind ``j``).

    Recommended: the usable plan (visible and acceptable) with the largest
    NPV in whole units, the first in ladder order on a tie. Else the nearest:
    the visible plan whose largest payment is least over what is affordable,
    and that shortfall. ``out`` gets ``(recommended, nearest, shortfall)``,
    kinds as their ``order`` number, -1 for none.
    """
    best, best_score = -1, 0.0
    near, gap = -1, NEVER
    for j in range(k):
        c = j * n + i
        if visible[c]:
            if usable[c]:
                score = round_even(npv[c])
                if best < 0 or score > best_score:
                    best, best_score = j, score
            g = max_payment[c] - affordable
            if g < gap:
                near, gap = j, g
    rec = order[best] if best >= 0 else -1
    nearest = order[near] if best < 0 and near >= 0 else -1
    out[3 * i] = rec
    out[3 * i + 1] = nearest
    out[3 * i + 2] = max(gap, 0) if nearest >= 0 else 0


def pick_many(npv, usable, visible, max_payment, affordable, order, k: int, n: int, out) -> None:
    """:func:`pick_one` of every account (the decision's recommendation)."""
    for i in range(n):
        pick_one(npv, usable, visible, max_payment, affordable[i], order, k, i, n, out)


# ---------------------------------------------------------------- the ladder for one account

def ladder_one(P, PF, KP, X, i: int, n: int, OI, OF) -> None:
    """Every wanted kind for account ``i``: the kinds beside the ladder, and the ladder climbed.

    The ladder stops at the first rung that is acceptable (or where the
    contract as it stands suffices); the rungs above it are declined with
    ``lesser_concession_affordable``. A settlement that the lump sum pays in
    full concedes nothing: where the lump sum covers what is owed it is
    worked out with the first rung and, if acceptable, serves the account as
    that rung would; otherwise it stays the top rung.
    """
    x = i * NX
    for k in BESIDE_IDS:
        slot = KP[k * NK + K_SLOT]
        if slot >= 0:
            work_out(k, P, PF, KP, X, x, OI, OF, slot * NO * n + i, slot * NF * n + i, n)
    done = False
    payoff = False
    first = True
    early = False
    ss = KP[SETTLEMENT * NK + K_SLOT]
    sb = ss * NO * n + i
    for k in LADDER_IDS:
        slot = KP[k * NK + K_SLOT]
        if slot < 0:
            continue
        b = slot * NO * n + i
        f = slot * NF * n + i
        if k == SETTLEMENT:
            if early:
                continue
            if done:
                declined(OI, OF, b, f, n)
                continue
            work_out(k, P, PF, KP, X, x, OI, OF, b, f, n)
            payoff = acceptable_one(P, OI, b, n) and OI[b + O_VALUE * n] == 0 and OI[b + O_LUMP_FUNDED * n] != 0
            done = done or payoff
            first = False
            continue
        if done:
            declined(OI, OF, b, f, n)
            continue
        work_out(k, P, PF, KP, X, x, OI, OF, b, f, n)
        done = acceptable_one(P, OI, b, n) or (k == TERM_EXTENSION and OI[b + O_DECLINE * n] == D_NO_EXTENSION)
        if first and ss >= 0 and X[x + X_LUMP] >= X[x + X_BALANCE] + X[x + X_FEES]:
            early = True
            work_out(SETTLEMENT, P, PF, KP, X, x, OI, OF, sb, ss * NF * n + i, n)
            payoff = acceptable_one(P, OI, sb, n) and OI[sb + O_VALUE * n] == 0 and OI[sb + O_LUMP_FUNDED * n] != 0
            done = done or payoff
        first = False
    if ss >= 0 and done and not payoff and OI[sb + O_DECLINE * n] != D_LESSER:
        OI[sb + O_DECLINE * n] = D_LESSER
        OI[sb + O_OFFERED * n] = 0


def ladder_many(P, PF, KP, X, n: int, OI, OF) -> None:
    """:func:`ladder_one` for every account."""
    for i in range(n):
        ladder_one(P, PF, KP, X, i, n, OI, OF)


#: Every kernel here, callees before callers: what :mod:`negotiator.compiled` compiles.
KERNELS = ("ceil_div", "nan_max", "months_from", "amortising_months", "flat_fee",
           "annualise", "affordable_one", "window", "_plan", "_grid", "_price", "build", "solve", "fit", "forgone",
           "finish", "work_out", "declined", "acceptable", "acceptable_one", "acceptable_many", "round_even",
           "pick_one", "pick_many", "ladder_one", "ladder_many")
