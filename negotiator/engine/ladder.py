"""The ladder for ONE account over plain numbers: each kind worked out, assessed, and the rungs climbed.

Per account, in the style of :mod:`negotiator.kernels`: plain Python over
ints and floats, no objects, strings or containers, so that numba compiles
the very same code for arrays (:mod:`negotiator.engine.compiled`).
:func:`negotiator.engine.options.build` runs :func:`ladder_many` as plain Python
for a quote (a handful of accounts) and compiled for a portfolio, and turns
the flat outputs into option sets. The numbers' layout is
:mod:`negotiator.kinds.kernel`'s; each kind's own rules are in its module
under :mod:`negotiator.kinds`, reached through the generated
:mod:`negotiator.kinds.dispatch`.

What is the same for every kind is here: the policy's window (enabled,
products, stage of arrears, frequency, moratorium, the FFIEC re-age
limits), solving the plan, its totals, its concession value and the
approval tier that value needs, and the ladder's climb.

>>> acceptable(True, True, 0, True), acceptable(True, True, 1, True)
(True, False)
"""

from __future__ import annotations

import math

from negotiator.core.money import RATE_SCALE
from negotiator.kernels import float_row, int_row, unowned
from negotiator.kinds.dispatch import (
    BESIDE_IDS,
    LADDER_IDS,
    NK,
    NO,
    PAYOFF,
    adjust,
    affordable,
    approve,
    disclose,
    fit,
    forgone,
    inside,
    npv,
)
from negotiator.kinds.dispatch import (
    build as build_kind,
)
from negotiator.kinds.kernel import (
    BEYOND,
    D_CONTRACT_AFFORDABLE,
    D_CONTRACT_SUFFICES,
    D_DISABLED,
    D_DPD,
    D_HISTORY,
    D_LESSER,
    D_MONTHLY_ONLY,
    D_MORATORIUM,
    D_NO_HARDSHIP,
    D_NONE,
    D_PRODUCT,
    D_REAGED,
    F_ALL_IN,
    F_EFF_APR,
    F_NPV,
    K_ANY_AMOUNT,
    K_ANY_FREQUENCY,
    K_CARD,
    K_ENABLED,
    K_FROM_LUMP,
    K_IN_MORATORIUM,
    K_LOAN,
    K_MAX_DPD,
    K_MIN_DPD,
    K_NEEDS_HARDSHIP,
    K_REAGES,
    K_SLOT,
    NF,
    NX,
    O_AFFORDABLE,
    O_APR,
    O_DECLINE,
    O_FEES,
    O_FINAL,
    O_FLAT,
    O_FORGIVEN,
    O_HOLD,
    O_HOLD_PAY,
    O_INTEREST,
    O_LEVEL,
    O_LONGEST,
    O_LUMP_FUNDED,
    O_MAX_PAY,
    O_MONTHLY,
    O_ODD,
    O_OFFERED,
    O_PLAN_APR,
    O_PLAN_FEES,
    O_PPY,
    O_PRINCIPAL,
    O_REGULAR,
    O_STERM,
    O_TERM,
    O_TIER,
    O_TOTAL,
    O_VALUE,
    O_WAIVED,
    O_YEAR,
    P_ADJUST,
    P_ALL_IN_CAP,
    P_CAP_TOTAL,
    P_MODE,
    P_PORTAL,
    P_PPY,
    P_SHARE0,
    P_SHARE1,
    P_SHARE2,
    P_WHAT_IF,
    P_YEAR,
    X_A,
    X_A_AFTER,
    X_A_MONTH,
    X_ARREARS,
    X_BALANCE,
    X_CONTRACTUAL,
    X_DPD,
    X_FEES,
    X_HARDSHIP,
    X_LOAN,
    X_LUMP,
    X_MIN_PAY,
    X_MORATORIUM,
    X_ODD,
    X_TIER0,
    X_TIER1,
    X_TIER2,
    cap_all_in,
    over_cap,
    reage_rules,
    solve_plan,
)

#: A concession value beyond any real one (the largest debt the wire takes is 1e12 minor units): a value that
#: is not a number, or is this large, is one the engine cannot vouch for, and needs more than any authority.
VALUE_LIMIT = 1e15


def window(k: int, P, KP, X, x: int) -> int:
    """The decline reason (0: offered) from the policy's rules for kind ``k``, account at ``X[x:]``.

    The re-age limits (FFIEC Uniform Retail Credit Classification and
    Account Management Policy, 2000; :func:`negotiator.kinds.kernel.reage_rules`)
    apply to a card's kinds that re-age.
    """
    kp = k * NK
    decline = D_NONE
    loan = X[x + X_LOAN] != 0
    if KP[kp + K_REAGES]:
        decline = reage_rules(P, X, x)
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


def build(k: int, P, KP, X, x: int, OI, b: int, st: int) -> None:
    """Kind ``k``'s plan for the account at ``X[x:]``, its decline reason and its own figures, into ``OI[b:]``.

    Every plan starts now: its first period runs to the first due date, by the policy's day count.
    """
    decline, longest = build_kind(k, window(k, P, KP, X, x), P, KP, X, x, OI, b, st)
    OI[b + O_ODD * st] = X[x + X_ODD]
    OI[b + O_YEAR * st] = P[P_YEAR]
    OI[b + O_DECLINE * st] = decline
    OI[b + O_OFFERED * st] = 1 if decline == D_NONE else 0
    OI[b + O_LONGEST * st] = longest
    OI[b + O_STERM * st] = OI[b + O_TERM * st]


def solve(OI, b: int, st: int, mode: int) -> None:
    """Solve the plan at ``OI[b:]``: its level payment, last payment and the term it really takes."""
    solve_plan(OI, b, st, mode)


def tier_of(value: int, owed: int, P, X, x: int) -> int:
    """The least approval tier whose limits a concession of ``value`` is within: each tier's absolute limit and
    its share of what is owed (``BEYOND``: none).

    >>> from negotiator.kinds.kernel import NP
    >>> P = [0] * NP; P[P_SHARE0], P[P_SHARE1], P[P_SHARE2] = 50_000, 100_000, 300_000
    >>> X = [0] * NX; X[X_TIER0], X[X_TIER1], X[X_TIER2] = 10_000, 50_000, 200_000
    >>> [tier_of(v, 1_000_000, P, X, 0) for v in (10_000, 50_000, 50_001, 100_001, 300_001)]
    [0, 1, 2, 2, 3]
    """
    tier = BEYOND
    # value <= owed first: a value above what is owed is beyond every share (at most 100 %), and the products
    # below then stay within 64 bits.
    if value <= X[x + X_TIER2] and value <= owed and value * RATE_SCALE <= owed * P[P_SHARE2]:
        tier = 2
    if value <= X[x + X_TIER1] and value <= owed and value * RATE_SCALE <= owed * P[P_SHARE1]:
        tier = 1
    if value <= X[x + X_TIER0] and value <= owed and value * RATE_SCALE <= owed * P[P_SHARE0]:
        tier = 0
    return tier


def valued(lost: float, waived: int, forgiven: int, owed: int, P, X, x: int) -> tuple[int, int]:
    """(concession value in minor units, approval tier it needs) from the interest forgone, fees waived and
    principal forgiven.

    Interest forgone that is not a number, or beyond :data:`VALUE_LIMIT`, is
    a value the engine cannot vouch for: it needs more than any authority
    (never "no approval"), in plain Python and compiled alike.

    >>> from negotiator.kinds.kernel import NP
    >>> P = [0] * NP; P[P_SHARE0], P[P_SHARE1], P[P_SHARE2] = 1_000_000, 1_000_000, 1_000_000
    >>> X = [0] * NX; X[X_TIER0], X[X_TIER1], X[X_TIER2] = 10**9, 10**9, 10**9
    >>> valued(12.4, 100, 0, 10_000, P, X, 0), valued(math.nan, 0, 0, 10_000, P, X, 0)
    ((112, 0), (0, 3))
    """
    known = lost == lost and abs(lost) < VALUE_LIMIT
    value = (int(round(lost)) if known else 0) + waived + forgiven
    return value, (tier_of(value, owed, P, X, x) if known else BEYOND)


def finish(k: int, P, PF, KP, X, x: int, OI, OF, b: int, f: int, st: int) -> None:
    """Totals, concession value, approval tier, affordability and lender NPV of the plan at ``OI[b:]``."""
    adjust(k, P, KP, X, x, OI, b, st)
    n = OI[b + O_STERM * st]
    hold, hold_pay = OI[b + O_HOLD * st], OI[b + O_HOLD_PAY * st]
    level, final, regular = OI[b + O_LEVEL * st], OI[b + O_FINAL * st], OI[b + O_REGULAR * st]
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
    value, tier = valued(forgone(k, P, PF, X, x, OI, b, st), OI[b + O_WAIVED * st], OI[b + O_FORGIVEN * st],
                         X[x + X_BALANCE] + X[x + X_FEES], P, X, x)
    OI[b + O_VALUE * st] = value
    tier = approve(k, tier, P, KP, X, x, OI, b, st)
    # No plan, held months included, may run past the policy's longest term or outside its kind's limits,
    # nor ask a level payment below the policy's min_payment (issue 18; a token arrangement excepted).
    if n > P[P_CAP_TOTAL] or not inside(k, P, KP, X, x, OI, b, st):
        tier = BEYOND
    if n > hold + 1 and not KP[k * NK + K_ANY_AMOUNT] and monthly * P[P_PPY] < X[x + X_MIN_PAY] * 12:
        tier = BEYOND
    if OI[b + O_OFFERED * st]:
        plan_apr, eff, all_in = disclose(k, P, X, x, OI, b, st)
    else:
        plan_apr, eff, all_in = OI[b + O_APR * st], 0.0, 0.0
    # Where max_apr caps the all-in cost (China's 36 % line), a plan above it with every carried charge waived
    # (cap_all_in) is not within policy (issue 18).
    if over_cap(P, all_in):
        tier = BEYOND
    OI[b + O_TIER * st] = tier
    OI[b + O_AFFORDABLE * st] = affordable(k, monthly, max_pay, level, hold_pay, hold, X[x + X_LUMP],
                                           OI[b + O_LUMP_FUNDED * st], X[x + X_A], X[x + X_A_AFTER],
                                           X[x + X_HARDSHIP], X[x + X_MORATORIUM])
    OF[f + F_NPV * st] = npv(k, P, PF, X, x, OI, b, st)
    OI[b + O_PLAN_APR * st] = plan_apr
    OF[f + F_EFF_APR * st] = eff
    OF[f + F_ALL_IN * st] = all_in


def work_out(k: int, P, PF, KP, X, x: int, OI, OF, b: int, f: int, st: int) -> None:
    """One kind for one account, whole: build and, if offered, solve, up to three fitting steps, assess, disclose."""
    build(k, P, KP, X, x, OI, b, st)
    if OI[b + O_OFFERED * st]:
        mode = P[P_MODE]
        solve(OI, b, st, mode)
        if P[P_ADJUST]:
            for _ in range(3):
                if not fit(k, P, KP, X, x, OI, b, st):
                    break
                solve(OI, b, st, mode)
        if P[P_ALL_IN_CAP] >= 0:
            cap_all_in(P, X, x, OI, b, st, mode)
        finish(k, P, PF, KP, X, x, OI, OF, b, f, st)


def contract_fits(X, x: int) -> bool:
    """The account is current and its contractual payment fits what the borrower can pay now (the monthly
    budget, during a declared hardship the budget during it): no plan is needed (issue 18), for loans and cards
    alike; a moratorium is the law's and is always answered.

    >>> X = [0] * NX; X[X_CONTRACTUAL], X[X_A_MONTH] = 1_250_00, 2_100_00
    >>> contract_fits(X, 0), contract_fits([*X[:X_DPD], 1, *X[X_DPD + 1:]], 0)
    (True, False)
    """
    return (X[x + X_ARREARS] == 0 and X[x + X_DPD] == 0 and X[x + X_MORATORIUM] == 0
            and 0 < X[x + X_CONTRACTUAL] <= X[x + X_A_MONTH])


def declined(OI, OF, b: int, f: int, st: int, code: int) -> None:
    """A kind not worked out (a lower rung already served, or no plan is needed): nothing offered, a plan of
    one empty period, and why (``code``)."""
    OI[b + O_DECLINE * st] = code
    OI[b + O_TERM * st] = 1
    OI[b + O_STERM * st] = 1
    OI[b + O_PPY * st] = 12
    OF[f + F_EFF_APR * st] = 0.0
    OF[f + F_NPV * st] = 0.0
    OF[f + F_ALL_IN * st] = 0.0


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
    the visible plan (the caller passes those within policy: a plan the lender can grant) whose largest
    payment is least over what is affordable,
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

def ladder_one(P, PF, KP, X, a: int, i: int, n: int, OI, OF) -> None:
    """Every wanted kind for account ``a`` (row ``a`` of ``X``) into column ``i`` of ``n`` of the outputs: the kinds
    beside the ladder, and the ladder climbed.

    The ladder stops at the first rung that is acceptable (or where the
    contract as it stands suffices); the rungs above it are declined with
    ``lesser_concession_affordable``, or with the re-age rule that forbids them. A settlement that the lump sum pays in
    full concedes nothing: where the lump sum covers what is owed it is
    worked out with the first rung and, if acceptable, serves the account as
    that rung would; otherwise it stays the top rung.
    """
    x = a * NX
    if not P[P_WHAT_IF] and contract_fits(X, x):
        # No plan is needed: every kind is declined so, the beside ones and the rungs alike.
        for k in BESIDE_IDS + LADDER_IDS:
            slot = KP[k * NK + K_SLOT]
            if slot >= 0:
                declined(OI, OF, slot * NO * n + i, slot * NF * n + i, n, D_CONTRACT_AFFORDABLE)
        return
    for k in BESIDE_IDS:
        slot = KP[k * NK + K_SLOT]
        if slot >= 0:
            work_out(k, P, PF, KP, X, x, OI, OF, slot * NO * n + i, slot * NF * n + i, n)
    done = False
    payoff = False
    first = True
    early = False
    ss = KP[PAYOFF * NK + K_SLOT] if PAYOFF >= 0 else -1
    sb = ss * NO * n + i
    for k in LADDER_IDS:
        slot = KP[k * NK + K_SLOT]
        if slot < 0:
            continue
        b = slot * NO * n + i
        f = slot * NF * n + i
        if k == PAYOFF:
            if early:
                continue
            if done:
                declined(OI, OF, b, f, n, D_LESSER)
                continue
            work_out(k, P, PF, KP, X, x, OI, OF, b, f, n)
            payoff = acceptable_one(P, OI, b, n) and OI[b + O_VALUE * n] == 0 and OI[b + O_LUMP_FUNDED * n] != 0
            done = done or payoff
            first = False
            continue
        if done:
            # A rung the re-age rules forbid says so, not that a lesser concession served: the agent must
            # see that the account cannot be re-aged (the payment arrangement below it is offered for that).
            code = window(k, P, KP, X, x)
            declined(OI, OF, b, f, n, code if D_REAGED <= code <= D_HISTORY else D_LESSER)
            continue
        work_out(k, P, PF, KP, X, x, OI, OF, b, f, n)
        done = acceptable_one(P, OI, b, n) or OI[b + O_DECLINE * n] == D_CONTRACT_SUFFICES
        if first and ss >= 0 and X[x + X_LUMP] >= X[x + X_BALANCE] + X[x + X_FEES]:
            early = True
            work_out(PAYOFF, P, PF, KP, X, x, OI, OF, sb, ss * NF * n + i, n)
            payoff = acceptable_one(P, OI, sb, n) and OI[sb + O_VALUE * n] == 0 and OI[sb + O_LUMP_FUNDED * n] != 0
            done = done or payoff
        first = False
    if ss >= 0 and done and not payoff and OI[sb + O_DECLINE * n] != D_LESSER:
        OI[sb + O_DECLINE * n] = D_LESSER
        OI[sb + O_OFFERED * n] = 0


#: Accounts worked out together in scratch rows before they are copied into the outputs. An option's fields
#: lie ``n`` apart in the outputs (a row per field, :mod:`negotiator.kinds.kernel`): one account touches some
#: 300 rows, each in its own cache line and page, which for many accounts costs more than the maths; the
#: scratch rows of a block stay in the cache, and are copied out row by row.
BLOCK = 16


def ladder_many(P, PF, KP, X, n: int, OI, OF) -> None:
    """:func:`ladder_one` for every account, in blocks of :data:`BLOCK` (the outputs start zeroed)."""
    p, pf, kp, xs = unowned(P), unowned(PF), unowned(KP), unowned(X)
    if n <= BLOCK:
        oi, of = unowned(OI), unowned(OF)
        for i in range(n):
            ladder_one(p, pf, kp, xs, i, i, n, oi, of)
        return
    rows_i = len(OI) // n
    rows_f = len(OF) // n
    SI = int_row(rows_i * BLOCK)
    SF = float_row(rows_f * BLOCK)
    for start in range(0, n, BLOCK):
        m = min(BLOCK, n - start)
        if start > 0:
            for j in range(rows_i * BLOCK):
                SI[j] = 0
            for j in range(rows_f * BLOCK):
                SF[j] = 0.0
        si, sf = unowned(SI), unowned(SF)
        for j in range(m):
            ladder_one(p, pf, kp, xs, start + j, j, BLOCK, si, sf)
        for r in range(rows_i):
            for j in range(m):
                OI[r * n + start + j] = SI[r * BLOCK + j]
        for r in range(rows_f):
            for j in range(m):
                OF[r * n + start + j] = SF[r * BLOCK + j]


#: Every kernel here, callees before callers: what :mod:`negotiator.engine.compiled` compiles.
KERNELS = ("window", "build", "solve", "tier_of", "valued", "finish", "work_out", "contract_fits", "declined",
           "acceptable", "acceptable_one", "acceptable_many", "round_even", "pick_one", "pick_many", "ladder_one",
           "ladder_many")
