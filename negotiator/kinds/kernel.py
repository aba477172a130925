"""What every option kind's kernels share: the layout of their numbers, small rules and the default hooks.

The kinds' kernels are plain Python over ints and floats, no objects,
strings or containers, so that numba compiles the very same code for
arrays (:mod:`negotiator.engine.compiled`). Numbers stand for names, laid out here:

- ``P``: the policy's figures for one (policy, channel, frequency, what-if), indices ``P_*``;
  ``PF``: two floats, the discount rate per period and per month (``PF_*``);
- ``KP``: one row per kind, ``NK`` integers long: the common window and flags (``K_*``),
  then the kind's own policy figures from :data:`K_OWN` on (each kind module names its own);
- ``X``: one account, ``NX`` integers (``X_*``);
- ``OI``: one option of one account: its plan, solution and assessment (``O_*``), then the
  kind's own figures from :data:`O_OWN` on; ``OF``: its floats (``F_*``).

Field ``O_*`` of the option in slot ``s`` for account ``i`` of ``n`` is at
``(s * NO + O_*) * n + i``: a kernel gets the base ``b`` and the stride
``st`` (= ``n``) and reads ``OI[b + O_* * st]``. ``NK`` and ``NO`` are the
common widths plus the widest kind's own (:mod:`negotiator.kinds.dispatch`).

Decline reasons are numbers too: the common ones (:data:`DECLINES`, 0 is
"offered") and, from :data:`D_OWN` on, each kind's own (its ``declines``).

Each kind module defines a ``build`` kernel and may define the hooks below
(``fit``, ``adjust``, ``forgone``, ``approve``, ``inside``, ``affordable``,
``npv``, ``disclose``); where it does not, the ``default_*`` here applies.

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

from negotiator.core.money import RATE_SCALE  # plain ints: numba reads them as constants
from negotiator.kernels import (
    annuity,
    cost_rate,
    date_rate,
    discount,
    estimate_level,
    periods,
    present_value,
    solve_one,
)

#: Approval tiers: 0 none, 1 agent, 2 supervisor; beyond every authority.
BEYOND = 3

#: Common decline reasons by number; 0 is "offered". A kind's own follow from :data:`D_OWN`.
DECLINES = ("", "lesser_concession_affordable", "moratorium_in_force", "dpd_out_of_range", "product_not_eligible",
            "monthly_only", "option_disabled", "no_hardship_declared", "reaged_recently", "insufficient_payments",
            "account_too_new", "history_required", "no_extension_needed", "contract_affordable")
(D_NONE, D_LESSER, D_MORATORIUM, D_DPD, D_PRODUCT, D_MONTHLY_ONLY, D_DISABLED, D_NO_HARDSHIP, D_REAGED,
 D_PAYMENTS, D_TOO_NEW, D_HISTORY, D_CONTRACT_SUFFICES, D_CONTRACT_AFFORDABLE) = range(14)
D_OWN = 14
#: The re-age rules' declines (a moratorium sets them aside).
REAGE_DECLINES = (D_REAGED, D_PAYMENTS, D_TOO_NEW, D_HISTORY)

#: Per kind (a row of ``KP``): the policy's window and the kind's flags; its own figures from ``K_OWN``.
(K_ENABLED, K_CARD, K_LOAN, K_MIN_DPD, K_MAX_DPD, K_MIN_TIER, K_REAGES, K_IN_MORATORIUM, K_ANY_FREQUENCY,
 K_NEEDS_HARDSHIP, K_SLOT, K_FROM_LUMP, K_RECOVERY, K_ANY_AMOUNT) = range(14)
K_OWN = 14

#: The policy's figures for one context (``P``).
(P_PPY, P_DEN, P_CAP_TOTAL, P_MAX_TERM, P_MIN_TERM, P_FLAT, P_FLAT_PPM, P_MODE, P_PORTAL, P_ADJUST, P_FIXED_TERM,
 P_FIXED_LUMP, P_REAGE, P_REAGE_AGE, P_REAGE_PAYMENTS, P_REAGE_12M, P_REAGE_5Y, P_SHARE0, P_SHARE1, P_SHARE2,
 P_COMPOUND, P_IR_FLOOR, P_IR_STEP, P_IR_ENABLED, P_WHAT_IF, P_YEAR, P_ALL_IN_CAP) = range(27)
NP = 27
#: Floats of ``PF``: the discount rate per period, and per month.
PF_D, PF_MONTHLY = 0, 1

#: One account (``X``): its columns and the context's per-account figures. ``X_ODD``: the days from the plan's
#: start to its first due date under the policy's day count; ``X_START``, ``X_FIRST``: those two dates as days
#: from 1970-01-01 (the UK APR's real dates).
(X_BALANCE, X_ARREARS, X_FEES, X_CONTRACTUAL, X_APR, X_DPD, X_LOAN, X_REMAINING, X_LUMP, X_HARDSHIP, X_AGE,
 X_CONSECUTIVE, X_REAGES_12M, X_REAGES_5Y, X_MORATORIUM, X_A, X_A_AFTER, X_BASE_APR, X_HOLIDAY, X_TOKEN, X_TIER0,
 X_TIER1, X_TIER2, X_WAIVABLE, X_IFI_WAIVE, X_A_MONTH, X_MIN_PAY, X_ODD, X_START, X_FIRST) = range(30)
NX = 30

#: One option of one account (``OI``): its plan, its solution, its assessment; the kind's own from ``O_OWN``.
#: ``O_ODD``/``O_YEAR``: the first period's days and the day count's year (0: a regular first period);
#: ``O_CAPPED``: carried charges waived so that the plan's all-in cost stays within the policy's ``max_apr``.
(O_OFFERED, O_DECLINE, O_PRINCIPAL, O_FEES, O_APR, O_FLAT, O_TERM, O_HOLD, O_HOLD_PAY, O_HOLD_APR, O_PPY,
 O_REGULAR, O_WAIVED, O_FORGIVEN, O_LEVEL, O_FINAL, O_STERM, O_MONTHLY, O_MAX_PAY, O_TOTAL, O_VALUE, O_TIER,
 O_AFFORDABLE, O_PLAN_APR, O_INTEREST, O_PLAN_FEES, O_LONGEST, O_LUMP_FUNDED, O_ODD, O_YEAR, O_CAPPED) = range(31)
O_OWN = 31
#: Floats of ``OF``: the annualised rate disclosed, the lender's NPV, the all-in annualised cost.
F_EFF_APR, F_NPV, F_ALL_IN = 0, 1, 2
NF = 3
#: An all-in cost is above the policy's cap only beyond the sixth decimal the wire shows (float noise below it).
CAP_SLACK = 5e-7


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


def plan(OI, b: int, st: int, principal: int, fees: int, apr: int, flat: int, term: int, hold: int, hold_pay: int,
         hold_apr: int, ppy: int) -> None:
    """Write a plan's terms into the option at ``OI[b:]``."""
    OI[b + O_PRINCIPAL * st] = principal
    OI[b + O_FEES * st] = fees
    OI[b + O_APR * st] = apr
    OI[b + O_FLAT * st] = flat
    OI[b + O_TERM * st] = term
    OI[b + O_HOLD * st] = hold
    OI[b + O_HOLD_PAY * st] = hold_pay
    OI[b + O_HOLD_APR * st] = hold_apr
    OI[b + O_PPY * st] = ppy


def grid(P, base_apr: int) -> tuple[int, int, int]:
    """(base, floor, step) of a plan's price in ppm: the APR, or under flat-fee pricing the monthly fee rate."""
    if P[P_FLAT]:
        return P[P_FLAT_PPM], P[P_IR_FLOOR] // 12, max(P[P_IR_STEP] // 12, 1)
    return base_apr, P[P_IR_FLOOR], P[P_IR_STEP]


def price(P, principal: int, rate: int) -> tuple[int, int]:
    """(apr, flat fee) of a plan priced at ``rate`` ppm under the policy's pricing."""
    if P[P_FLAT]:
        return 0, flat_fee(principal, rate)
    return rate, 0


def own_figure(KP, kp: int, j: int) -> int:
    """The kind's own policy figure ``j`` (its ``params`` order) from its ``KP`` row at ``kp``."""
    return KP[kp + K_OWN + j]


def reage_rules(P, X, x: int) -> int:
    """The re-age rules' decline for the card account at ``X[x:]`` (0: it may be re-aged).

    FFIEC Uniform Retail Credit Classification and Account Management Policy
    (2000): no more than ``P_REAGE_12M`` re-ages in twelve months or
    ``P_REAGE_5Y`` in five years, at least ``P_REAGE_PAYMENTS`` consecutive
    payments and an account at least ``P_REAGE_AGE`` months old; a history
    not given (-1) cannot be judged. A policy without re-age rules, and a
    loan, are never declined here.
    """
    decline = D_NONE
    if P[P_REAGE] and not X[x + X_LOAN]:
        if X[x + X_REAGES_12M] >= P[P_REAGE_12M] or X[x + X_REAGES_5Y] >= P[P_REAGE_5Y]:
            decline = D_REAGED
        if X[x + X_CONSECUTIVE] < P[P_REAGE_PAYMENTS]:
            decline = D_PAYMENTS
        if X[x + X_AGE] < P[P_REAGE_AGE]:
            decline = D_TOO_NEW
        if X[x + X_AGE] < 0 or X[x + X_CONSECUTIVE] < 0 or X[x + X_REAGES_12M] < 0:
            decline = D_HISTORY
    return decline


# ---------------------------------------------------------------- the default hooks

def over_now(X, x: int, OI, b: int, st: int) -> bool:
    """True where the solved plan's payment (with the regular one beside it) is above what can be paid now."""
    return OI[b + O_LEVEL * st] + OI[b + O_REGULAR * st] > X[x + X_A]


def default_fit(P, KP, kp: int, X, x: int, OI, b: int, st: int) -> bool:
    """One month more where rounding left the plan above what the borrower can pay now; True if it moved."""
    if not over_now(X, x, OI, b, st):
        return False
    return longer(OI, b, st)


def longer(OI, b: int, st: int) -> bool:
    """The plan one period longer, within the kind's longest term; True if it moved."""
    hi = OI[b + O_LONGEST * st]
    if hi < 0 or OI[b + O_TERM * st] >= hi:
        return False
    OI[b + O_TERM * st] = OI[b + O_TERM * st] + 1
    return True


def no_fit(P, KP, kp: int, X, x: int, OI, b: int, st: int) -> bool:
    """A plan the kind does not nudge (its terms are its whole point)."""
    return False


def fit_after(P, KP, kp: int, X, x: int, OI, b: int, st: int) -> bool:
    """:func:`default_fit` for a plan with held months: its level is judged against the budget after them."""
    if OI[b + O_LEVEL * st] <= X[x + X_A_AFTER]:
        return False
    return longer(OI, b, st)


def default_adjust(P, KP, kp: int, X, x: int, OI, b: int, st: int) -> None:
    """Nothing to revise once the plan is solved."""


def default_forgone(P, PF, X, x: int, OI, b: int, st: int) -> float:
    """Interest forgone against the contract, at present value (minor units).

    The plan's contract twin is the same plan at the account's own rate (or
    the policy's standard flat fee), its held months at the contract rate;
    the gap between the twins' level payments is valued over the level months.
    """
    apr = X[x + X_APR]
    if P[P_FLAT]:
        return forgone_against(PF, OI, b, st, 0, flat_fee(OI[b + O_PRINCIPAL * st], P[P_FLAT_PPM]), apr)
    return forgone_against(PF, OI, b, st, apr, 0, apr)


def forgone_against(PF, OI, b: int, st: int, twin_apr: int, twin_flat: int, apr: int) -> float:
    """The forgone interest of the plan at ``OI[b:]`` against a twin priced ``twin_apr``/``twin_flat``."""
    n = OI[b + O_STERM * st]
    principal, fees, term = OI[b + O_PRINCIPAL * st], OI[b + O_FEES * st], OI[b + O_TERM * st]
    hold, hold_pay = OI[b + O_HOLD * st], OI[b + O_HOLD_PAY * st]
    den = OI[b + O_PPY * st] * RATE_SCALE
    odd, year = OI[b + O_ODD * st], OI[b + O_YEAR * st]
    twin = estimate_level(principal, fees, twin_apr, twin_flat, term, hold, hold_pay, apr if hold > 0 else 0, den,
                          odd, year)
    own = estimate_level(principal, fees, OI[b + O_APR * st], OI[b + O_FLAT * st], term, hold, hold_pay,
                         OI[b + O_HOLD_APR * st], den, odd, year)
    gap = nan_max(twin - own, 0.0)
    d = PF[PF_D]
    return gap * (annuity(d, float(n)) - annuity(d, float(hold)))


def default_approve(tier: int, P, KP, kp: int, X, x: int, OI, b: int, st: int) -> int:
    """The tier the concession's value needs, raised to the kind's ``min_approval``; beyond stays beyond."""
    if tier < BEYOND:
        return max(tier, KP[kp + K_MIN_TIER])
    return tier


def default_inside(P, KP, kp: int, X, x: int, OI, b: int, st: int) -> bool:
    """Within the kind's longest term, held months included."""
    hi = OI[b + O_LONGEST * st]
    return hi < 0 or OI[b + O_STERM * st] <= hi


def default_affordable(monthly: int, max_pay: int, level: int, hold_pay: int, hold: int, lump: int,
                       lump_funded: int, a_now: int, a_after: int, hardship: int, moratorium: int) -> int:
    """1 where the plan's largest payment fits what the borrower can pay now (``a_now``, the budget during a
    declared hardship of ``hardship`` periods: every payment of a plan that starts now is held to it).

    >>> default_affordable(500, 520, 500, 0, 0, 0, 0, 510, 510, 0, 0)
    0
    """
    return 1 if max_pay <= a_now else 0


def affordable_held(monthly: int, max_pay: int, level: int, hold_pay: int, hold: int, lump: int,
                    lump_funded: int, a_now: int, a_after: int, hardship: int, moratorium: int) -> int:
    """1 where every payment fits the budget of its time: the held ones and any level one still due during the
    declared hardship (``hardship`` periods) the budget during it (``a_now``), the rest the budget after.

    A held period shorter than the hardship (the kind or the policy caps it) leaves level payments due while
    the hardship lasts: they must fit the hardship budget too (issue 18). In a moratorium (a breathing space:
    only a payment holiday is offered in one) the break is the answer, whatever the plan after it.

    >>> [affordable_held(0, 900, 900, pay, 3, 0, 0, 100, 900, 3, 0) for pay in (100, 101)]
    [1, 0]
    >>> affordable_held(0, 900, 900, 100, 3, 0, 0, 100, 900, 9, 0)    # level payments from month 4, hardship to 9
    0
    >>> affordable_held(0, 900, 900, 0, 2, 0, 0, 0, 0, 2, 1)          # a moratorium, nothing to spare after
    1
    """
    if moratorium:
        return 1            # the law's break asks nothing; the plan after it is reviewed at its end (issue 18)
    during = level <= a_now or hold >= hardship
    return 1 if (hold_pay <= a_now and level <= a_after and during) else 0


def default_npv(P, PF, X, x: int, OI, b: int, st: int) -> float:
    """The lender's NPV of the plan's payments at the policy's discount rate."""
    return present_value(OI[b + O_HOLD * st], OI[b + O_HOLD_PAY * st], OI[b + O_LEVEL * st], OI[b + O_FINAL * st],
                         OI[b + O_STERM * st], PF[PF_D])


def solve_plan(OI, b: int, st: int, mode: int) -> None:
    """Solve the plan at ``OI[b:]``: its level payment, last payment and the term it really takes."""
    level, final, term = solve_one(OI[b + O_PRINCIPAL * st], OI[b + O_FEES * st], OI[b + O_APR * st],
                                   OI[b + O_FLAT * st], OI[b + O_TERM * st], OI[b + O_HOLD * st],
                                   OI[b + O_HOLD_PAY * st], OI[b + O_HOLD_APR * st], OI[b + O_PPY * st] * RATE_SCALE,
                                   OI[b + O_ODD * st], OI[b + O_YEAR * st], mode, 40)
    OI[b + O_LEVEL * st] = level
    OI[b + O_FINAL * st] = final
    OI[b + O_STERM * st] = term


def annual_rate(P, X, x: int, OI, b: int, st: int, all_in: bool) -> float:
    """The solved plan's annualised rate by the policy's method: its cost of credit, or (``all_in``) every
    payment counted, carried penalty interest and fees included.

    ``nominal``: the IRR per period (the first period weighed as it is
    charged) times the periods a year, China's 年化利率 on the principal in
    use and Regulation Z's actuarial APR. ``compound``: the UK APR, solved at
    the payments' real dates (:func:`negotiator.kernels.date_rate`). A plan
    whose only cost is interest at one rate discloses that rate (nominal)
    without its schedule.
    """
    n, hold, flat = OI[b + O_STERM * st], OI[b + O_HOLD * st], OI[b + O_FLAT * st]
    principal, fees, apr = OI[b + O_PRINCIPAL * st], OI[b + O_FEES * st], OI[b + O_APR * st]
    hold_pay, hold_apr, level = OI[b + O_HOLD_PAY * st], OI[b + O_HOLD_APR * st], OI[b + O_LEVEL * st]
    odd, year = OI[b + O_ODD * st], OI[b + O_YEAR * st]
    ppy = OI[b + O_PPY * st]
    den = ppy * RATE_SCALE
    if P[P_COMPOUND]:
        return date_rate(principal, fees, apr, flat, n, hold, hold_pay, hold_apr, den, odd, year, level, P[P_MODE],
                         all_in, X[x + X_START], X[x + X_FIRST], 60)
    if not all_in and flat == 0 and hold == 0:
        return apr / den * ppy
    return cost_rate(principal, fees, apr, flat, n, hold, hold_pay, hold_apr, den, odd, year, level, P[P_MODE],
                     all_in, 30) * ppy


def over_cap(P, rate: float) -> bool:
    """True where the policy caps every plan's all-in cost (``max_apr``, China's comprehensive-cost line) and
    ``rate`` is above it, beyond the sixth decimal the wire shows.

    >>> P = [0] * NP; P[P_ALL_IN_CAP] = 360_000
    >>> over_cap(P, 0.3600004), over_cap(P, 0.360001), over_cap([*P[:P_ALL_IN_CAP], -1], 9.0)
    (False, True, False)
    """
    return P[P_ALL_IN_CAP] >= 0 and rate > P[P_ALL_IN_CAP] / RATE_SCALE + CAP_SLACK


def fees_within(P, OI, b: int, st: int) -> float:
    """The carried fees a plain plan could keep within the all-in cap: a first guess for :func:`cap_all_in`.

    A level plan of principal ``A`` at ``r`` a period over ``m`` periods,
    carrying fees ``F`` paid last, pays about ``(A + F v_r^m) / a_r`` a
    period; its all-in rate is at most ``c`` while that payment's value at
    ``c`` is at most ``A``: ``F <= A (a_r / a_c - 1) / v_r^m``.
    """
    ppy = OI[b + O_PPY * st]
    cap = P[P_ALL_IN_CAP] / RATE_SCALE
    c = math.expm1(math.log1p(cap) / ppy) if P[P_COMPOUND] else cap / ppy
    r = OI[b + O_APR * st] / (ppy * RATE_SCALE) + OI[b + O_FLAT * st] / max(OI[b + O_PRINCIPAL * st], 1)
    m = float(max(OI[b + O_STERM * st] - OI[b + O_HOLD * st], 1))
    return OI[b + O_PRINCIPAL * st] * (annuity(r, m) / annuity(c, m) - 1.0) / discount(r, m)


def cap_all_in(P, X, x: int, OI, b: int, st: int, mode: int) -> None:
    """Carried charges waived, fewest first kept last, until the solved plan's all-in cost is within the policy's
    cap (China: 整治办函〔2017〕141号 and PBoC announcement 〔2021〕3号 count every cost toward the annualised
    rate and the 36 % line). The waiver is the law's, not a concession: it is in ``O_CAPPED``, apart from the
    kind's own. A plan still above the cap with every carried charge waived is not within policy (``finish``).

    The most that can be kept is found by bisection over whole minor units, from a first guess
    (:func:`fees_within`); what is kept is always a sum the plan was checked within the cap at.
    """
    fees = OI[b + O_FEES * st]
    if P[P_ALL_IN_CAP] < 0 or fees <= 0 or not over_cap(P, annual_rate(P, X, x, OI, b, st, True)):
        return
    OI[b + O_FEES * st] = 0
    solve_plan(OI, b, st, mode)
    if not over_cap(P, annual_rate(P, X, x, OI, b, st, True)):
        lo, hi = 0, fees
        guess = fees_within(P, OI, b, st)
        try_at = int(guess) if (guess == guess and 0.0 < guess < fees) else fees // 2
        for _ in range(24):
            if hi - lo <= 1:
                break
            mid = try_at if lo < try_at < hi else (lo + hi) // 2
            OI[b + O_FEES * st] = mid
            solve_plan(OI, b, st, mode)
            if over_cap(P, annual_rate(P, X, x, OI, b, st, True)):
                hi = mid
            else:
                lo = mid
            try_at = -1
        if lo > 0:
            OI[b + O_FEES * st] = lo
            solve_plan(OI, b, st, mode)
    OI[b + O_CAPPED * st] = fees - OI[b + O_FEES * st]


def default_disclose(P, X, x: int, OI, b: int, st: int) -> tuple[int, float, float]:
    """(nominal rate in ppm, annualised rate disclosed, all-in annualised cost) of the solved plan
    (:func:`annual_rate`)."""
    eff = annual_rate(P, X, x, OI, b, st, False)
    return OI[b + O_APR * st], eff, annual_rate(P, X, x, OI, b, st, True)


#: Every kernel here, callees before callers: what :mod:`negotiator.engine.compiled` compiles.
KERNELS = ("ceil_div", "nan_max", "months_from", "amortising_months", "flat_fee", "annualise", "plan", "grid",
           "price", "own_figure", "reage_rules", "longer", "over_now", "default_fit", "no_fit", "fit_after",
           "default_adjust", "forgone_against", "default_forgone", "default_approve", "default_inside",
           "default_affordable", "affordable_held", "default_npv", "solve_plan", "annual_rate", "over_cap",
           "fees_within", "cap_all_in", "default_disclose")
