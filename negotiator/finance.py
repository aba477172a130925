"""Vectorised time-value-of-money, the one adapter over numpy-financial.

numpy-financial follows the spreadsheet sign convention (money paid out is
negative). Every function here takes and returns *positive* amounts and
guards the edges numpy-financial 1.0.0 leaves open (zero rates, tiny rates,
payments at or below the interest, non-convergence), so no NaN or infinity
leaves this module. Rates are monthly decimal fractions as float arrays.
"""

from __future__ import annotations

import numpy as np
import numpy_financial as npf

#: Below this monthly rate an annuity is treated as interest-free; ``pmt``
#: loses precision near 1e-9 and overflows near 1e-16 (BRIEF, known pitfalls).
TINY_RATE = 1e-9


def payment(principal, rate, nper):
    """Level payment that repays ``principal`` over ``nper`` periods.

    Uses the stable form ``P*r / -expm1(-n*log1p(r))`` of numpy-financial's
    ``pmt`` and treats rates below ``TINY_RATE`` as zero.

    Parameters
    ----------
    principal : array_like
        Amount borrowed, positive.
    rate : array_like
        Interest rate per period, a decimal fraction (0.01 is 1% a month).
    nper : array_like
        Number of periods, at least 1.

    Returns
    -------
    ndarray
        Positive payment per period (float).

    Notes
    -----
    .. math:: A = \\frac{P r}{1 - (1 + r)^{-n}}

    Examples
    --------
    10,000 at 12% a year (1% a month) over 36 months (a textbook annuity):

    >>> round(float(payment(10000, 0.01, 36)), 2)
    332.14
    >>> float(payment(1200, 0.0, 12))
    100.0
    """
    p = np.asarray(principal, dtype=float)
    r = np.asarray(rate, dtype=float)
    n = np.asarray(nper, dtype=float)
    tiny = np.abs(r) < TINY_RATE
    safe_r = np.where(tiny, 1.0, r)
    amort = p * safe_r / -np.expm1(-n * np.log1p(safe_r))
    return np.where(tiny, p / n, amort)


def periods(principal, rate, pay):
    """Number of periods (fractional) a level ``pay`` needs to repay ``principal``.

    numpy-financial's ``nper`` with its edges guarded: a zero rate is
    ``P / pay`` (``nper`` returns the wrong sign there, and applies the
    zero-rate formula to every element when one rate is zero), and a payment
    at or below the interest never repays, which is ``inf`` rather than NaN.

    Examples
    --------
    >>> round(float(periods(10000, 0.01, 332.14)), 3)
    36.0
    >>> float(periods(1200, 0.0, 100)), float(periods(1000, 0.01, 10))
    (12.0, inf)
    """
    p = np.asarray(principal, dtype=float)
    r = np.asarray(rate, dtype=float)
    a = np.asarray(pay, dtype=float)
    p, r, a = np.broadcast_arrays(p, r, a)
    out = np.full(p.shape, np.inf)
    zero = np.abs(r) < TINY_RATE
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(zero & (a > 0), p / np.where(a > 0, a, 1.0), out)
        amort = ~zero & (a > p * r)
        if amort.any():
            out[amort] = npf.nper(r[amort], -a[amort], p[amort])
    out = np.where(p <= 0, 0.0, out)
    return np.where(np.isfinite(out) & (out >= 0), out, np.inf)


def solve_rate(principal, pay, nper, rounds=12):
    """Periodic rate at which ``nper`` payments of ``pay`` repay ``principal``.

    The same answer as numpy-financial's ``rate`` (the tests compare them),
    by Newton's method started from ``pay / principal``, which lies above
    the root; the payment is convex and increasing in the rate, so the
    iterates fall monotonically onto it. ``rate`` itself can leave NaN for a
    whole array when one element fails and costs about 2 ms a call here.
    Where even a zero rate cannot repay, the answer is NaN: callers read
    that as "no rate works".

    Examples
    --------
    >>> round(float(solve_rate(10000, 332.1431, 36)), 6)
    0.01
    >>> bool(np.isnan(solve_rate(1000, 10, 12)))
    True
    """
    p = np.asarray(principal, dtype=float)
    a = np.asarray(pay, dtype=float)
    n = np.asarray(nper, dtype=float)
    p, a, n = np.broadcast_arrays(p, a, n)
    feasible = (a * n >= p - 1e-9) & (p > 0)
    r = np.where(feasible, a / np.where(p > 0, p, 1.0), 0.0)
    todo = np.arange(r.size)
    pt, at, nt = p.ravel(), a.ravel(), n.ravel()
    flat = r.reshape(-1)
    with np.errstate(all="ignore"):
        for _ in range(rounds):
            x = flat[todo]
            h = np.maximum(x * 1e-6, 1e-12)
            f = payment(pt, x, nt) - at
            slope = (payment(pt, x + h, nt) - f - at) / h
            step = f / np.where(slope > 0, slope, 1.0)
            flat[todo] = np.maximum(x - step, 0.0)
            moving = np.abs(step) > 1e-13
            if not moving.any():
                break
            todo, pt, at, nt = todo[moving], pt[moving], at[moving], nt[moving]
    return np.where(feasible, flat.reshape(r.shape), np.nan)


def annuity_factor(rate, nper):
    """Present value of 1 paid at the end of each of ``nper`` periods.

    The closed form of numpy-financial's ``pv(rate, nper, -1)`` (the tests
    compare them; ``pv`` costs about 13 us a call); ``nper`` may be zero.

    Examples
    --------
    >>> round(float(annuity_factor(0.01, 36)), 4)
    30.1075
    >>> float(annuity_factor(0.0, 5)), float(annuity_factor(0.01, 0))
    (5.0, 0.0)
    """
    r = np.asarray(rate, dtype=float)
    n = np.asarray(nper, dtype=float)
    tiny = np.abs(r) < TINY_RATE
    safe = np.where(tiny, 1.0, r)
    return np.where(tiny, n, -np.expm1(-n * np.log1p(safe)) / safe)


def discount(rate, nper):
    """Present value of 1 paid at the end of period ``nper``.

    >>> round(float(discount(0.01, 12)), 6)
    0.887449
    """
    return (1.0 + np.asarray(rate, dtype=float)) ** -np.asarray(nper, dtype=float)


def growth(rate, nper):
    """What 1 grows to after ``nper`` periods at ``rate`` (the inverse of :func:`discount`).

    >>> round(float(growth(0.01, 12)), 6)
    1.126825
    """
    return (1.0 + np.asarray(rate, dtype=float)) ** np.asarray(nper, dtype=float)


def npv(rate, cashflows):
    """Net present value of cash flows at the end of periods 1, 2, ...

    numpy-financial's ``npv`` counts its first value at time zero; a plan's
    first payment is one period away, so a zero is put in front.

    Examples
    --------
    >>> round(float(npv(0.01, [100, 100, 100])), 2)
    294.1
    """
    flows = np.concatenate([[0.0], np.asarray(cashflows, dtype=float)])
    return float(npf.npv(rate, flows))
