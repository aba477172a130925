"""Per-plan kernels: the plan maths for ONE plan over plain numbers, one source run two ways.

Every function here takes Python ints (minor units, rates in parts per
million) and floats (the time value of money) and returns the same, using
nothing numba cannot compile: no objects, strings or containers, only
``math``, arithmetic, loops and (for schedules) one-dimensional numpy rows.

They run two ways, and nowhere else is their maths written:

- **as plain Python**, for a quote or a what-if (a handful of plans, where
  numpy's per-call price is the whole cost); :mod:`negotiator.engine.plans` and
  :mod:`negotiator.engine.finance` call the ``*_many`` drivers below with lists;
- **compiled by numba over arrays** (:mod:`negotiator.engine.compiled`), for the
  array path and the batch: the very same function objects' code, each
  re-bound so that the kernels it calls are the compiled ones.

Integers never overflow in Python, and in int64 they cannot here either:
a candidate level below the interest (which compounds without bound while
the solver searches) stops at :data:`BIG`, the same in both ways.

Examples
--------
10,000.00 at 12 % over 36 months, each month's interest rounded half up
to the cent, needs 332.15 (the textbook 332.14 would leave a larger last
payment):

>>> solve_one(1_000_000, 0, 120_000, 0, 36, 0, 0, 0, 12_000_000, 0, 0, HALF_UP, 40)
(33215, 33185, 36)
"""

from __future__ import annotations

import math

from negotiator.core.money import RATE_SCALE

#: Rounding rules by number (kernels take no strings): the policy's ``rounding``, see :func:`rdiv`.
HALF_UP, HALF_EVEN, DOWN = 0, 1, 2
MODES = {"half_up": HALF_UP, "half_even": HALF_EVEN, "down": DOWN}
#: A last payment that stands for "never repays": what an unbounded balance stops at.
BIG = 2 ** 62
#: Below this rate per period an annuity is treated as interest-free: numpy-financial's closed forms
#: lose precision there (tests/test_finance.py shows it).
TINY_RATE = 1e-9
#: exp() of more than this overflows a float: growth past it is "without bound".
_EXP_MAX = 700.0


# ---------------------------------------------------------------- time value of money (floats)

def payment(principal: float, rate: float, nper: float) -> float:
    """Level payment repaying ``principal`` over ``nper`` periods at ``rate`` per period.

    >>> round(payment(10000.0, 0.01, 36.0), 2), payment(1200.0, 0.0, 12.0)
    (332.14, 100.0)
    """
    if abs(rate) < TINY_RATE:
        return principal / nper
    return principal * rate / -math.expm1(-nper * math.log1p(rate))


def annuity(rate: float, nper: float) -> float:
    """Present value of 1 paid at the end of each of ``nper`` periods.

    >>> round(annuity(0.01, 36.0), 4), annuity(0.0, 5.0), annuity(0.01, 0.0)
    (30.1075, 5.0, 0.0)
    """
    if abs(rate) < TINY_RATE:
        return nper
    return -math.expm1(-nper * math.log1p(rate)) / rate


def discount(rate: float, nper: float) -> float:
    """Present value of 1 paid at the end of period ``nper``.

    >>> round(discount(0.01, 12.0), 6)
    0.887449
    """
    return (1.0 + rate) ** float(-nper)      # a float power: numba raises to an int by multiplying


def growth(rate: float, nper: float) -> float:
    """What 1 grows to after ``nper`` periods (the inverse of :func:`discount`); ``inf`` past a float.

    >>> round(growth(0.01, 12.0), 6)
    1.126825
    """
    if nper * math.log1p(rate) > _EXP_MAX:
        return math.inf
    return (1.0 + rate) ** float(nper)


def periods(principal: float, rate: float, pay: float) -> float:
    """Periods (fractional) a level ``pay`` needs to repay ``principal``; ``inf`` where it never does.

    numpy-financial's ``nper`` formula, ``log(z / (P + z)) / log(1 + r)`` with
    ``z = -pay / r``, its edges guarded (a zero rate is ``P / pay``).

    >>> round(periods(10000.0, 0.01, 332.14), 3), periods(1200.0, 0.0, 100.0), periods(1000.0, 0.01, 10.0)
    (36.0, 12.0, inf)
    """
    if principal <= 0:
        return 0.0
    if abs(rate) < TINY_RATE:
        return principal / pay if pay > 0 else math.inf
    if not pay > principal * rate:
        return math.inf
    z = -pay / rate
    n = math.log(z / (principal + z)) / math.log(1.0 + rate)
    return n if (n >= 0 and n < math.inf) else math.inf


def solve_rate(principal: float, pay: float, nper: float, rounds: int) -> float:
    """Rate per period at which ``nper`` payments of ``pay`` repay ``principal``; NaN where none does.

    Newton's method from ``pay / principal``, which lies above the root (the
    payment is convex and increasing in the rate), so the iterates fall onto it.

    >>> round(solve_rate(10000.0, 332.1431, 36.0, 12), 6), math.isnan(solve_rate(1000.0, 10.0, 12.0, 12))
    (0.01, True)
    """
    if not (pay * nper >= principal - 1e-9 and principal > 0):
        return math.nan
    r = pay / principal
    for _ in range(rounds):
        h = max(r * 1e-6, 1e-12)
        f = payment(principal, r, nper) - pay
        slope = (payment(principal, r + h, nper) - f - pay) / h
        step = f / (slope if slope > 0 else 1.0)
        r = max(r - step, 0.0)
        if not abs(step) > 1e-13:
            break
    return r


# ---------------------------------------------------------------- exact plans (integers)

def int_row(n: int) -> list[int]:
    """A row of ``n`` zeros to fill: a list here, an int64 array where compiled."""
    return [0] * n


def float_row(n: int) -> list[float]:
    """A row of ``n`` float zeros to fill: a list here, a float64 array where compiled."""
    return [0.0] * n


def unowned(row):
    """``row`` itself; compiled, a view of it that numba counts no references to
    (:mod:`negotiator.engine.compiled`), for callees that cannot outlive the caller that owns it."""
    return row


def rdiv(num: int, den: int, mode: int) -> int:
    """``num / den`` (both >= 0) rounded by rule ``mode``: ``HALF_UP`` (ties away from zero), ``HALF_EVEN``
    (banker's) or ``DOWN`` (truncated). The only rounding of interest there is.

    >>> [rdiv(x, 10, HALF_UP) for x in (5, 15, 25, 7)], [rdiv(x, 10, HALF_EVEN) for x in (5, 15, 25, 7)]
    ([1, 2, 3, 1], [0, 2, 2, 1])
    """
    q = num // den
    twice = 2 * (num - q * den)
    if mode == HALF_UP:
        return q + (1 if twice >= den else 0)
    if mode == HALF_EVEN:
        return q + (1 if (twice > den or (twice == den and q % 2 == 1)) else 0)
    return q


def period_interest(owing: int, rate: int, den: int, odd: int, year: int, first: bool, mode: int) -> int:
    """One period's interest on ``owing`` at ``rate`` ppm a year, rounded by rule ``mode``.

    A regular period is ``1 / (den / 10**6)`` of a year. The plan's first
    period runs from its start to its first due date: where ``year`` is set
    (the policy's day count: 360 or 365 days a year) it is ``odd / year`` of
    a year, ``odd`` the days the day count gives it, so a first payment 3
    days away carries 3 days' interest. ``owing * rate`` is split by the
    year's divisor first so the product by the days never leaves 64 bits;
    the result is the exact rational rounded once.

    >>> period_interest(1_000_000, 365_000, 12_000_000, 3, 365, True, HALF_UP)   # 10,000.00 at 36.5 %, 3 days
    3000
    >>> period_interest(1_000_000, 360_000, 12_000_000, 30, 360, True, HALF_UP)  # 30/360: a whole month
    30000
    """
    if first and year > 0:
        d = year * RATE_SCALE
        x = owing * rate
        q = x // d
        return odd * q + rdiv(odd * (x - q * d), d, mode)
    return rdiv(owing * rate, den, mode)


def first_share(den: int, odd: int, year: int) -> float:
    """The plan's first period as a share of a regular one (1.0: a regular first period).

    >>> first_share(12_000_000, 3, 365), first_share(12_000_000, 30, 360), first_share(12_000_000, 0, 0)
    (0.09863013698630137, 1.0, 1.0)
    """
    if year <= 0:
        return 1.0
    return odd * den / (year * RATE_SCALE)


def run_final(principal: int, fees: int, apr: int, flat: int, term: int, hold: int, hold_pay: int,
              hold_apr: int, den: int, odd: int, year: int, level: int, mode: int) -> int:
    """The last payment of a plan paying ``level`` after its held months (see :mod:`negotiator.engine.plans`).

    Each month: interest on the principal outstanding (fees are paid last and
    bear none) at the month's rate, rounded (the first period by the day
    count, :func:`period_interest`); plus the flat fee after the held months;
    less the payment. A last payment at or below zero says the level clears
    the plan early; :data:`BIG` says it never does.

    >>> run_final(1_000_000, 0, 120_000, 0, 36, 0, 0, 0, 12_000_000, 0, 0, 33215, HALF_UP)
    33185
    """
    frozen = hold_apr == 0
    out = principal + fees - (hold * hold_pay if frozen else 0)
    limit = BIG // (max(apr, hold_apr) + 1)
    for k in range(hold if frozen else 0, term - 1):
        owing = out - fees if out > fees else 0       # principal outstanding: fees are paid last
        if k < hold:
            out = out + period_interest(owing, hold_apr, den, odd, year, k == 0, mode) - hold_pay
        else:
            out = out + period_interest(owing, apr, den, odd, year, k == 0, mode) + flat - level
        if out > limit:
            return BIG
    if term <= hold:
        return out
    if out <= 0:
        return out
    return out + period_interest(max(out - fees, 0), apr, den, odd, year, term == 1, mode) + flat


def estimate_level(principal: int, fees: int, apr: int, flat: int, term: int, hold: int, hold_pay: int,
                   hold_apr: int, den: int, odd: int, year: int) -> float:
    """Continuous level payment (float): the solver's start, and a plan's cost in concession values.

    Fees are paid last, so they weigh as a sum due near the end. An odd first
    period grows the principal by its own share of a period's rate.

    >>> round(estimate_level(1_000_000, 0, 120_000, 0, 36, 0, 0, 0, 12_000_000, 0, 0), 2)
    33214.31
    """
    r = apr / den
    m = max(term - hold, 1)
    first = hold_apr / den if hold > 0 else r
    p = principal * (1.0 + first * first_share(den, odd, year)) / (1.0 + first) if year > 0 else float(principal)
    if hold == 0:
        base = p                               # what the held months' growth and annuity come to with none
    else:
        rh = hold_apr / den
        g = growth(rh, hold)
        base = p * g - hold_pay * g * annuity(rh, hold)
    return payment(max(base, 0.0) + fees * discount(r, m), r, m) + flat


def _slope(apr: int, den: int, months: int) -> float:
    """How much one more minor unit of level lowers the last payment, analytically (1 + annuity growth)."""
    r = apr / den
    if r > TINY_RATE:
        x = months * math.log1p(r)
        g = 1e300 if x > _EXP_MAX else min(math.expm1(x) / r, 1e300)
    else:
        g = float(months)
    return 1.0 + g


def solve_one(principal: int, fees: int, apr: int, flat: int, term: int, hold: int, hold_pay: int,
              hold_apr: int, den: int, odd: int, year: int, mode: int, max_rounds: int) -> tuple[int, int, int]:
    """``(level, last payment, term)``: the smallest level whose rounded schedule ends at or below it.

    Each round tries ``level - 1`` and ``level`` and moves by a secant step on
    the measured drop of the last payment (exact where fees dominate), or the
    analytic one where rounding hides it. A level that clears the plan early
    shortens the term to the months it really takes (a continuous estimate,
    never more than one month less per pass) and solves again, so no payment
    is ever zero.
    """
    while True:
        est = estimate_level(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, odd, year)
        level = max(math.ceil(est), 1) if est < 2.0 ** 52 else 1      # NaN or a huge estimate: climb from 1
        final = 0
        for i in range(max_rounds + 1):
            if i == max_rounds:
                raise ArithmeticError("level payment search did not converge")
            f_hi = run_final(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, odd, year, level,
                             mode)
            # One unit less of level leaves at least one unit more outstanding after each level month
            # (rounding is monotone), so the last payment rises by at least those months: where that
            # alone breaks the rule, level - 1 need not be run.
            if f_hi <= level and (level == 1 or f_hi + (term - hold - 1) > level - 1):
                final = f_hi
                break
            f_lo = run_final(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, odd, year, level - 1,
                             mode)
            ok_lo = f_lo <= level - 1 and level > 1
            if f_hi <= level and not ok_lo:
                final = f_hi
                break
            measured = float(f_lo - f_hi)
            slope = (measured if measured >= 2 else _slope(apr, den, max(term - hold - 1, 0))) + 1.0
            if ok_lo:
                down = min(max(math.floor(((level - 1) - f_lo) / slope), 1.0), 2.0 ** 52)
                level = max(level - int(down), 1)
            else:
                up = min(max(math.ceil((f_hi - level) / slope), 1.0), 2.0 ** 52)
                level = level + int(up)
        if final > 0 or term <= hold + 1:
            return level, final, term
        # The level clears the plan early: jump to the months it needs, then solve again.
        pay = float(level - flat)
        r = apr / den
        need = hold + periods(max(float(principal - hold * hold_pay), 0.0), r, pay) + fees / max(pay, 1.0)
        need = math.ceil(need) if need < math.inf else term - 1
        term = int(min(max(need, hold + 1), term - 1))


def schedule_one(principal: int, fees: int, apr: int, flat: int, term: int, hold: int, hold_pay: int,
                 hold_apr: int, den: int, odd: int, year: int, level: int, mode: int, pays, ints) -> None:
    """Fill ``pays`` and ``ints`` (rows of at least ``term`` months) with each month's payment and interest.

    The same months as :func:`run_final`; the last payment is what remains.
    """
    frozen = hold_apr == 0
    out = principal + fees - (hold * hold_pay if frozen else 0)
    for k in range(min(hold, term)):
        pays[k] = hold_pay
        ints[k] = 0
    for k in range(hold if frozen else 0, term - 1):
        if k < hold:
            interest = period_interest(max(out - fees, 0), hold_apr, den, odd, year, k == 0, mode)
            pay = hold_pay
        else:
            interest = period_interest(max(out - fees, 0), apr, den, odd, year, k == 0, mode) + flat
            pay = level
        pays[k] = pay
        ints[k] = interest
        out = out + interest - pay
    interest = period_interest(max(out - fees, 0), apr, den, odd, year, term == 1, mode) + flat
    if term > hold:
        pays[term - 1] = out + interest if out > 0 else out
        ints[term - 1] = interest
    else:
        pays[term - 1] = out
        ints[term - 1] = 0


def present_value(hold: int, hold_pay: int, level: int, final: int, term: int, rate: float) -> float:
    """Present value at ``rate`` per period of a plan's payments: held, level, then the last.

    >>> round(present_value(0, 0, 33215, 33185, 36, 0.01), 2)    # numpy-financial's npv: 999999.8120645701
    999999.81
    """
    return (hold_pay * annuity(rate, hold) + level * (annuity(rate, term - 1) - annuity(rate, hold))
            + final * discount(rate, term))


def plan_flows(principal: int, fees: int, apr: int, flat: int, term: int, hold: int, hold_pay: int,
               hold_apr: int, den: int, odd: int, year: int, level: int, mode: int, all_in: bool, flows) -> float:
    """Fill ``flows`` with the plan's payments as its cost of credit sees them; return their sum.

    The cost of credit (``all_in`` False) leaves out the part of each payment
    that repays the carried fees: they bear no interest and are not credit
    extended (nor, under the UK's total charge for credit, a charge for it:
    default charges are excluded). The all-in cost (``all_in`` True) counts
    every payment, carried penalty interest and fees included: China's
    comprehensive cost (整治办函〔2017〕141号; PBoC announcement 〔2021〕3号).
    """
    pays = int_row(term)
    ints = int_row(term)
    schedule_one(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, odd, year, level, mode, pays, ints)
    balance = principal + fees
    fees_left = fees
    total = 0.0
    for k in range(term):
        balance -= pays[k] - ints[k]
        left = min(balance, fees)
        flows[k] = float(pays[k] - (0 if all_in else fees_left - left))
        fees_left = left
        total += flows[k]
    return total


def cost_rate(principal: int, fees: int, apr: int, flat: int, term: int, hold: int, hold_pay: int,
              hold_apr: int, den: int, odd: int, year: int, level: int, mode: int, all_in: bool,
              rounds: int) -> float:
    """Rate per period (IRR) of a plan's cost of credit (or all-in cost), on its principal; zero for a plan that
    costs nothing.

    The flows are :func:`plan_flows`': an amortising plan discloses its
    nominal rate, a flat-fee plan what its fees really cost. The first
    period is discounted as it is charged: ``1 + r * s`` for its share ``s``
    of a period (:func:`first_share`; Regulation Z's odd first period, App.
    J), then ``1 + r`` a period, so a plan at one rate discloses that rate
    whatever its first period. Newton's method on the exact schedule, from
    above the root.

    >>> round(cost_rate(500_000, 25_000, 0, 3_000, 24, 0, 0, 0, 12_000_000, 0, 0, 24_875, HALF_UP, False, 30) * 12, 4)
    0.1382
    """
    flows = float_row(term)
    total = plan_flows(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, odd, year, level, mode,
                       all_in, flows)
    amount = float(principal)
    if not total > amount + 0.5:
        return 0.0
    s = first_share(den, odd, year)
    carried = fees / term if all_in else 0.0
    r = max(apr / den + 2.0 * (flat + carried) / max(principal, 1), 1e-4)
    for _ in range(rounds):
        a = 1.0 / (1.0 + r * s)
        v = 1.0 / (1.0 + r)
        d = a
        f = flows[0] * d - amount
        slope = -flows[0] * d * s * a
        for k in range(1, term):
            d *= v
            f += flows[k] * d
            slope -= flows[k] * d * (s * a + k * v)
        step = f / (slope if slope < 0 else -1.0)
        r = min(max(r - step, 0.0), 1.0)
        if not abs(step) > 1e-12:
            break
    return r if r == r else 0.0


def days_in_month(y: int, m: int) -> int:
    """Days of month ``m`` of year ``y`` (proleptic Gregorian).

    >>> days_in_month(2028, 2), days_in_month(2026, 2), days_in_month(2026, 4)
    (29, 28, 30)
    """
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    return 30 if (m == 4 or m == 6 or m == 9 or m == 11) else 31


def civil_from_days(z: int) -> tuple[int, int, int]:
    """``(year, month, day)`` of a day counted from 1970-01-01 (H. Hinnant's algorithm; :func:`days_from_civil`'s
    inverse).

    >>> civil_from_days(0), civil_from_days(11017), civil_from_days(days_from_civil(2028, 2, 29))
    ((1970, 1, 1), (2000, 3, 1), (2028, 2, 29))
    """
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if m <= 2 else 0), m, d


def due_day(first: int, k: int, ppy: int) -> int:
    """The ``k``-th due date (0: ``first``), as a day from 1970-01-01: monthly anchored on the first's day (31
    January, 28 February, 31 March), or every 14 or 7 days (:func:`negotiator.core.dates.due_dates`).

    >>> [civil_from_days(due_day(days_from_civil(2027, 1, 31), k, 12)) for k in range(3)]
    [(2027, 1, 31), (2027, 2, 28), (2027, 3, 31)]
    >>> due_day(100, 2, 52), due_day(100, 2, 26)
    (114, 128)
    """
    if ppy != 12:
        return first + k * (364 // ppy)
    y, m, d = civil_from_days(first)
    t = y * 12 + (m - 1) + k
    y2 = t // 12
    m2 = t - y2 * 12 + 1
    return days_from_civil(y2, m2, min(d, days_in_month(y2, m2)))


def date_rate(principal: int, fees: int, apr: int, flat: int, term: int, hold: int, hold_pay: int,
              hold_apr: int, den: int, odd: int, year: int, level: int, mode: int, all_in: bool, start: int,
              first: int, rounds: int) -> float:
    """The annual rate ``X`` that equates the credit with the plan's payments at their real dates (UK APR).

    CONC App 1.2 (the Consumer Credit (Total Charge for Credit) Regulations
    2010's equation, for credit not secured on land): sum of each payment
    ``F_k (1 + X) ** -t_k`` equals the credit, ``t_k`` the time in years from
    the drawdown (the plan's start, day ``start``) to the payment, in days over
    365. The payments fall due on the plan's real dates from ``first``
    (:func:`due_day`), so an odd first period and months of 28 to 31 days
    weigh as they are. Flows as :func:`plan_flows`. Newton's method from
    above the root (the sum is convex and falling in ``X``).

    10,000.00 at 29.9 % over 12 months, paid monthly from 30 days away:

    >>> start = days_from_civil(2026, 11, 23)
    >>> round(date_rate(1_000_000, 0, 299_000, 0, 12, 0, 0, 0, 12_000_000, 30, 365, 97_406, HALF_UP, False,
    ...                 start, start + 30, 40), 4)
    0.344
    """
    flows = float_row(term)
    total = plan_flows(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, odd, year, level, mode,
                       all_in, flows)
    amount = float(principal)
    if not total > amount + 0.5:
        return 0.0
    ppy = den // RATE_SCALE
    times = float_row(term)
    for k in range(term):
        times[k] = (due_day(first, k, ppy) - start) / 365.0
    carried = fees / term if all_in else 0.0
    per = max(apr / den + 2.0 * (flat + carried) / max(principal, 1), 1e-4)
    x = min(math.expm1(min(ppy * math.log1p(per), _EXP_MAX)), 1e12)
    for _ in range(rounds):
        g = math.log1p(x)
        f = -amount
        slope = 0.0
        for k in range(term):
            d = math.exp(-times[k] * g)
            f += flows[k] * d
            slope -= flows[k] * times[k] * d / (1.0 + x)
        step = f / (slope if slope < 0 else -1.0)
        x = min(max(x - step, 0.0), 1e12)
        if not abs(step) > 1e-12 * max(x, 1.0):
            break
    return x if x == x else 0.0


# ---------------------------------------------------------------- decimal text (the batch's amounts)

#: Statuses of a decimal cell, as :mod:`negotiator.batch.parse` numbers them; ``SLOW``: not plain
#: ``digits[.digits]`` text, to be read by the single quote's own functions instead.
CELL_OK, CELL_ABSENT, CELL_TOO_LARGE, CELL_TOO_PRECISE, CELL_SLOW = 0, 1, 4, 5, -1


def decimal_cell(data, start: int, end: int, digits: int, top: int, whole_top: bool) -> tuple[int, int]:
    """``(minor units, status)`` of the text ``data[start:end]`` (bytes): up to 12 digits, a point, up to 12.

    ``top`` is the largest value (whole, major units; ``whole_top`` False
    when the maximum has a fraction, so every fast value counts as too
    large, as the batch has always read it). Trailing zeros of the fraction
    do not count as precision.

    >>> decimal_cell(b"12.50", 0, 5, 2, 10**9, True), decimal_cell(b"1.505", 0, 5, 2, 10**9, True)
    ((1250, 0), (0, 5))
    >>> decimal_cell(b"-1", 0, 2, 2, 10**9, True), decimal_cell(b"3.100", 0, 5, 2, 10**9, True)
    ((0, -1), (310, 0))
    """
    if start >= end:
        return 0, CELL_ABSENT
    i = start
    ival = 0
    ni = 0
    while i < end and 48 <= data[i] <= 57:
        ival = ival * 10 + (data[i] - 48)
        ni += 1
        i += 1
    if ni > 12:
        return 0, CELL_SLOW
    nf = 0
    full = 0
    ftrim = 0
    flen = 0
    if i < end:
        if data[i] != 46:                     # "."
            return 0, CELL_SLOW
        i += 1
        while i < end and 48 <= data[i] <= 57:
            full = full * 10 + (data[i] - 48)
            nf += 1
            if data[i] != 48:
                flen = nf
                ftrim = full
            i += 1
        if nf > 12:
            return 0, CELL_SLOW
    if i != end or ni + nf == 0:
        return 0, CELL_SLOW
    if ival > top or (ival == top and flen > 0) or not whole_top:
        return 0, CELL_TOO_LARGE
    if flen > digits:
        return 0, CELL_TOO_PRECISE
    return ival * 10 ** min(digits, 18) + ftrim * 10 ** min(digits - flen, 18), CELL_OK


CELL_INVALID, CELL_OUT_OF_RANGE = 2, 6


def integer_cell(data, start: int, end: int) -> tuple[int, int]:
    """``(value, status)`` of the text ``data[start:end]``: ``-?[0-9]+`` below 10**18 in size, else not.

    >>> integer_cell(b"-45", 0, 3), integer_cell(b"4.0", 0, 3), integer_cell(b"0" * 30 + b"7", 0, 31)
    ((-45, 0), (0, 2), (7, 0))
    """
    if start >= end:
        return 0, CELL_ABSENT
    i = start
    neg = data[i] == 45                       # "-"
    if neg:
        i += 1
    if i >= end:
        return 0, CELL_INVALID
    value = 0
    significant = 0
    while i < end:
        c = data[i]
        if c < 48 or c > 57:
            return 0, CELL_INVALID
        if significant or c != 48:
            significant += 1
            if significant <= 18:
                value = value * 10 + (c - 48)
        i += 1
    if significant > 18:
        return 0, CELL_OUT_OF_RANGE
    return (-value if neg else value), CELL_OK


def integer_many(data, offsets, has, values, status) -> None:
    """:func:`integer_cell` for every cell of a string column."""
    for i in range(len(has)):
        if has[i]:
            v, st = integer_cell(data, offsets[i], offsets[i + 1])
            values[i] = v
            status[i] = st
        else:
            values[i] = 0
            status[i] = CELL_ABSENT


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).

    >>> days_from_civil(1970, 1, 2), days_from_civil(2000, 3, 1), days_from_civil(1900, 1, 1)
    (1, 11017, -25567)
    """
    y -= 1 if m <= 2 else 0
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def date_cell(data, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """``(days since 1970-01-01, status)`` of ``YYYY-MM-DD`` text: a real calendar day, within ``[lo, hi]`` days.

    ASCII digits only; year 0000 is no year; a day outside the range is
    ``OUT_OF_RANGE``, anything else that is not such a date ``INVALID``.

    >>> date_cell(b"1970-01-02", 0, 10, -25567, 83603), date_cell(b"2020-02-30", 0, 10, -25567, 83603)
    ((1, 0), (0, 2))
    """
    if start >= end:
        return 0, CELL_ABSENT
    if end - start != 10 or data[start + 4] != 45 or data[start + 7] != 45:
        return 0, CELL_INVALID
    v = 0
    for k in range(10):
        if k == 4 or k == 7:
            continue
        c = data[start + k]
        if c < 48 or c > 57:
            return 0, CELL_INVALID
        v = v * 10 + (c - 48)
    y, m, d = v // 10000, v // 100 % 100, v % 100
    if y == 0 or m < 1 or m > 12 or d < 1:
        return 0, CELL_INVALID
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    month_days = 29 if (m == 2 and leap) else (28 if m == 2 else (30 if (m == 4 or m == 6 or m == 9 or m == 11)
                                                                  else 31))
    if d > month_days:
        return 0, CELL_INVALID
    days = days_from_civil(y, m, d)
    if days < lo or days > hi:
        return 0, CELL_OUT_OF_RANGE
    return days, CELL_OK


def date_many(data, offsets, has, lo: int, hi: int, values, status) -> None:
    """:func:`date_cell` for every cell of a string column."""
    for i in range(len(has)):
        if has[i]:
            v, st = date_cell(data, offsets[i], offsets[i + 1], lo, hi)
            values[i] = v
            status[i] = st
        else:
            values[i] = 0
            status[i] = CELL_ABSENT


def _places(v: int, digits: int, trim: bool) -> int:
    """Decimal places written for ``v >= 0`` minor units: ``digits``, or without trailing zeros when ``trim``."""
    if not trim:
        return digits
    f = v % 10 ** digits
    if f == 0:
        return 0
    p = digits
    while f % 10 == 0:
        f //= 10
        p -= 1
    return p


def minor_text_len(value: int, digits: int, trim: bool) -> int:
    """Characters of an amount in minor units written as a decimal (see :func:`minor_text`).

    >>> minor_text_len(123450, 2, False), minor_text_len(-5, 2, False), minor_text_len(180000, 6, True)
    (7, 5, 4)
    """
    v = -value if value < 0 else value
    p = _places(v, digits, trim)
    q = v // 10 ** digits
    n = 1
    while q >= 10:
        q //= 10
        n += 1
    return (1 if value < 0 else 0) + n + (p + 1 if p > 0 else 0)


def minor_text(value: int, digits: int, trim: bool, out, end: int) -> None:
    """Write an amount in minor units as a decimal: ``-`` sign, whole part, ``.``, the places.

    ASCII bytes into ``out``, right to left, ending before ``end``. Without
    ``trim``, ``digits`` places: :func:`negotiator.core.money.format_minor`'s text;
    with it, no trailing zeros (nor a bare point): a rate in ppm as
    :func:`negotiator.core.money.format_rate` writes it. The tests compare both.

    >>> buf = bytearray(7); minor_text(123450, 2, False, buf, 7); bytes(buf)
    b'1234.50'
    >>> buf = bytearray(6); minor_text(72500, 6, True, buf, 6); bytes(buf)
    b'0.0725'
    """
    v = -value if value < 0 else value
    p = _places(v, digits, trim)
    v //= 10 ** (digits - p)
    i = end - 1
    for k in range(p):
        out[i] = 48 + v % 10
        v //= 10
        i -= 1
        if k == p - 1:
            out[i] = 46                      # "."
            i -= 1
    while True:
        out[i] = 48 + v % 10
        v //= 10
        i -= 1
        if v == 0:
            break
    if value < 0:
        out[i] = 45                          # "-"


# ---------------------------------------------------------------- drivers: one loop per kernel

def solve_many(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, odd, year, mode, max_rounds,
               level_out, final_out, term_out) -> None:
    """:func:`solve_one` for every plan (sequences in, arrays out)."""
    for i in range(len(principal)):
        lv, fi, tm = solve_one(principal[i], fees[i], apr[i], flat[i], term[i], hold[i], hold_pay[i],
                               hold_apr[i], den[i], odd[i], year[i], mode, max_rounds)
        level_out[i] = lv
        final_out[i] = fi
        term_out[i] = tm


def estimate_many(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, odd, year, out) -> None:
    """:func:`estimate_level` for every plan."""
    for i in range(len(principal)):
        out[i] = estimate_level(principal[i], fees[i], apr[i], flat[i], term[i], hold[i], hold_pay[i],
                                hold_apr[i], den[i], odd[i], year[i])


def schedule_many(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, odd, year, level, mode,
                  pays, ints) -> None:
    """:func:`schedule_one` for every plan, row ``i`` of ``pays`` and ``ints``."""
    for i in range(len(principal)):
        schedule_one(principal[i], fees[i], apr[i], flat[i], term[i], hold[i], hold_pay[i], hold_apr[i],
                     den[i], odd[i], year[i], level[i], mode, pays[i], ints[i])


def cost_rate_many(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, odd, year, level, mode,
                   all_in: bool, rounds, out) -> None:
    """:func:`cost_rate` for every plan."""
    for i in range(len(principal)):
        out[i] = cost_rate(principal[i], fees[i], apr[i], flat[i], term[i], hold[i], hold_pay[i], hold_apr[i],
                           den[i], odd[i], year[i], level[i], mode, all_in, rounds)


def date_rate_many(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, odd, year, level, mode,
                   all_in: bool, start, first, rounds, out) -> None:
    """:func:`date_rate` for every plan."""
    for i in range(len(principal)):
        out[i] = date_rate(principal[i], fees[i], apr[i], flat[i], term[i], hold[i], hold_pay[i], hold_apr[i],
                           den[i], odd[i], year[i], level[i], mode, all_in, start[i], first[i], rounds)


def present_value_many(hold, hold_pay, level, final, term, rate, out) -> None:
    """:func:`present_value` for every plan."""
    for i in range(len(hold)):
        out[i] = present_value(hold[i], hold_pay[i], level[i], final[i], term[i], rate[i])


def decimal_many(data, offsets, has, digits, top: int, whole_top: bool, values, status) -> None:
    """:func:`decimal_cell` for every cell of a string column (its bytes and ``n + 1`` offsets)."""
    for i in range(len(has)):
        if has[i]:
            v, st = decimal_cell(data, offsets[i], offsets[i + 1], digits[i], top, whole_top)
            values[i] = v
            status[i] = st
        else:
            values[i] = 0
            status[i] = CELL_ABSENT


def minor_text_lens(values, digits, trim: bool, lengths) -> None:
    """:func:`minor_text_len` of every amount."""
    for i in range(len(values)):
        lengths[i] = minor_text_len(values[i], digits[i], trim)


def minor_text_many(values, digits, trim: bool, offsets, out) -> None:
    """:func:`minor_text` of every amount, amount ``i`` into ``out[offsets[i]:offsets[i + 1]]``."""
    for i in range(len(values)):
        minor_text(values[i], digits[i], trim, out, offsets[i + 1])


def payment_many(principal, rate, nper, out) -> None:
    for i in range(len(principal)):
        out[i] = payment(principal[i], rate[i], nper[i])


def annuity_many(rate, nper, out) -> None:
    for i in range(len(rate)):
        out[i] = annuity(rate[i], nper[i])


def discount_many(rate, nper, out) -> None:
    for i in range(len(rate)):
        out[i] = discount(rate[i], nper[i])


def growth_many(rate, nper, out) -> None:
    for i in range(len(rate)):
        out[i] = growth(rate[i], nper[i])


def periods_many(principal, rate, pay, out) -> None:
    for i in range(len(principal)):
        out[i] = periods(principal[i], rate[i], pay[i])


def solve_rate_many(principal, pay, nper, rounds, out) -> None:
    for i in range(len(principal)):
        out[i] = solve_rate(principal[i], pay[i], nper[i], rounds)


#: Every kernel, callees before callers: what :mod:`negotiator.engine.compiled` compiles, in this order.
KERNELS = ("payment", "annuity", "discount", "growth", "periods", "solve_rate", "rdiv", "period_interest",
           "first_share", "run_final", "estimate_level", "_slope", "solve_one", "schedule_one", "present_value",
           "plan_flows", "cost_rate", "days_in_month", "days_from_civil", "civil_from_days", "due_day", "date_rate",
           "decimal_cell", "decimal_many", "integer_cell", "integer_many", "date_cell",
           "date_many", "_places", "minor_text_len", "minor_text", "minor_text_lens", "minor_text_many",
           "solve_many", "estimate_many", "schedule_many", "cost_rate_many", "date_rate_many", "present_value_many",
           "payment_many",
           "annuity_many", "discount_many", "growth_many", "periods_many", "solve_rate_many")
