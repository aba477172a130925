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

>>> solve_one(1_000_000, 0, 120_000, 0, 36, 0, 0, 0, 12_000_000, HALF_UP, 40)
(33215, 33185, 36)
"""

from __future__ import annotations

import math

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


def run_final(principal: int, fees: int, apr: int, flat: int, term: int, hold: int, hold_pay: int,
              hold_apr: int, den: int, level: int, mode: int) -> int:
    """The last payment of a plan paying ``level`` after its held months (see :mod:`negotiator.engine.plans`).

    Each month: interest on the principal outstanding (fees are paid last and
    bear none) at the month's rate, rounded; plus the flat fee after the held
    months; less the payment. A last payment at or below zero says the level
    clears the plan early; :data:`BIG` says it never does.

    >>> run_final(1_000_000, 0, 120_000, 0, 36, 0, 0, 0, 12_000_000, 33215, HALF_UP)
    33185
    """
    frozen = hold_apr == 0
    out = principal + fees - (hold * hold_pay if frozen else 0)
    limit = BIG // (max(apr, hold_apr) + 1)
    for k in range(hold if frozen else 0, term - 1):
        owing = out - fees if out > fees else 0       # principal outstanding: fees are paid last
        if k < hold:
            out = out + rdiv(owing * hold_apr, den, mode) - hold_pay
        else:
            out = out + rdiv(owing * apr, den, mode) + flat - level
        if out > limit:
            return BIG
    if term <= hold:
        return out
    if out <= 0:
        return out
    return out + rdiv(max(out - fees, 0) * apr, den, mode) + flat


def estimate_level(principal: int, fees: int, apr: int, flat: int, term: int, hold: int, hold_pay: int,
                   hold_apr: int, den: int) -> float:
    """Continuous level payment (float): the solver's start, and a plan's cost in concession values.

    Fees are paid last, so they weigh as a sum due near the end.

    >>> round(estimate_level(1_000_000, 0, 120_000, 0, 36, 0, 0, 0, 12_000_000), 2)
    33214.31
    """
    r = apr / den
    m = max(term - hold, 1)
    if hold == 0:
        base = float(principal)                # what the held months' growth and annuity come to with none
    else:
        rh = hold_apr / den
        g = growth(rh, hold)
        base = principal * g - hold_pay * g * annuity(rh, hold)
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
              hold_apr: int, den: int, mode: int, max_rounds: int) -> tuple[int, int, int]:
    """``(level, last payment, term)``: the smallest level whose rounded schedule ends at or below it.

    Each round tries ``level - 1`` and ``level`` and moves by a secant step on
    the measured drop of the last payment (exact where fees dominate), or the
    analytic one where rounding hides it. A level that clears the plan early
    shortens the term to the months it really takes (a continuous estimate,
    never more than one month less per pass) and solves again, so no payment
    is ever zero.
    """
    while True:
        est = estimate_level(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den)
        level = max(math.ceil(est), 1) if est < 2.0 ** 52 else 1      # NaN or a huge estimate: climb from 1
        final = 0
        for i in range(max_rounds + 1):
            if i == max_rounds:
                raise ArithmeticError("level payment search did not converge")
            f_hi = run_final(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, level, mode)
            # One unit less of level leaves at least one unit more outstanding after each level month
            # (rounding is monotone), so the last payment rises by at least those months: where that
            # alone breaks the rule, level - 1 need not be run.
            if f_hi <= level and (level == 1 or f_hi + (term - hold - 1) > level - 1):
                final = f_hi
                break
            f_lo = run_final(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, level - 1, mode)
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
                 hold_apr: int, den: int, level: int, mode: int, pays, ints) -> None:
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
            interest = rdiv(max(out - fees, 0) * hold_apr, den, mode)
            pay = hold_pay
        else:
            interest = rdiv(max(out - fees, 0) * apr, den, mode) + flat
            pay = level
        pays[k] = pay
        ints[k] = interest
        out = out + interest - pay
    interest = rdiv(max(out - fees, 0) * apr, den, mode) + flat
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


def cost_rate(principal: int, fees: int, apr: int, flat: int, term: int, hold: int, hold_pay: int,
              hold_apr: int, den: int, level: int, mode: int, rounds: int) -> float:
    """Rate per period (IRR) of a plan's cost of credit, on its principal; zero for a plan that costs nothing.

    The flows are the payments less the part of each that repays the carried
    fees (fees bear no interest and are not credit extended): an amortising
    plan discloses its nominal rate, a flat-fee plan what its fees really cost.
    Newton's method on the exact schedule, from above the root.

    >>> round(cost_rate(500_000, 25_000, 0, 3_000, 24, 0, 0, 0, 12_000_000, 24_875, HALF_UP, 30) * 12, 4)
    0.1382
    """
    pays = int_row(term)
    ints = int_row(term)
    schedule_one(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, level, mode, pays, ints)
    flows = float_row(term)
    balance = principal + fees
    fees_left = fees
    total = 0.0
    for k in range(term):
        balance -= pays[k] - ints[k]
        left = min(balance, fees)
        flows[k] = float(pays[k] - (fees_left - left))
        fees_left = left
        total += flows[k]
    amount = float(principal)
    if not total > amount + 0.5:
        return 0.0
    r = max(apr / den + 2.0 * flat / max(principal, 1), 1e-4)
    for _ in range(rounds):
        v = 1.0 / (1.0 + r)
        d = 1.0
        f = -amount
        slope = 0.0
        for k in range(term):
            d *= v
            f += flows[k] * d
            slope -= flows[k] * (k + 1) * d * v
        step = f / (slope if slope < 0 else -1.0)
        r = min(max(r - step, 0.0), 1.0)
        if not abs(step) > 1e-12:
            break
    return r if r == r else 0.0


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

def solve_many(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, mode, max_rounds,
               level_out, final_out, term_out) -> None:
    """:func:`solve_one` for every plan (sequences in, arrays out)."""
    for i in range(len(principal)):
        lv, fi, tm = solve_one(principal[i], fees[i], apr[i], flat[i], term[i], hold[i], hold_pay[i],
                               hold_apr[i], den[i], mode, max_rounds)
        level_out[i] = lv
        final_out[i] = fi
        term_out[i] = tm


def estimate_many(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, out) -> None:
    """:func:`estimate_level` for every plan."""
    for i in range(len(principal)):
        out[i] = estimate_level(principal[i], fees[i], apr[i], flat[i], term[i], hold[i], hold_pay[i],
                                hold_apr[i], den[i])


def schedule_many(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, level, mode,
                  pays, ints) -> None:
    """:func:`schedule_one` for every plan, row ``i`` of ``pays`` and ``ints``."""
    for i in range(len(principal)):
        schedule_one(principal[i], fees[i], apr[i], flat[i], term[i], hold[i], hold_pay[i], hold_apr[i],
                     den[i], level[i], mode, pays[i], ints[i])


def cost_rate_many(principal, fees, apr, flat, term, hold, hold_pay, hold_apr, den, level, mode, rounds,
                   out) -> None:
    """:func:`cost_rate` for every plan."""
    for i in range(len(principal)):
        out[i] = cost_rate(principal[i], fees[i], apr[i], flat[i], term[i], hold[i], hold_pay[i], hold_apr[i],
                           den[i], level[i], mode, rounds)


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
KERNELS = ("payment", "annuity", "discount", "growth", "periods", "solve_rate", "rdiv", "run_final",
           "estimate_level", "_slope", "solve_one", "schedule_one", "present_value", "cost_rate",
           "decimal_cell", "decimal_many", "integer_cell", "integer_many", "days_from_civil", "date_cell",
           "date_many", "_places", "minor_text_len", "minor_text", "minor_text_lens", "minor_text_many",
           "solve_many", "estimate_many", "schedule_many", "cost_rate_many", "present_value_many", "payment_many",
           "annuity_many", "discount_many", "growth_many", "periods_many", "solve_rate_many")
