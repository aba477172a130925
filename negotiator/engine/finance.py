"""Vectorised time-value-of-money: numpy-financial's formulas, run over arrays.

numpy-financial follows the spreadsheet sign convention (money paid out is
negative). Every function here takes and returns *positive* amounts and
guards the edges numpy-financial 1.0.0 leaves open (zero rates, tiny rates,
payments at or below the interest, non-convergence), so no NaN leaves this
module. Rates are decimal fractions per period, as float arrays.

The formulas are written once, per item, in :mod:`negotiator.kernels`
(``tests/test_finance.py`` holds them to numpy-financial's own functions);
these functions broadcast their arguments and run the kernel over them, as
plain Python for a few items and compiled for many.
"""

from __future__ import annotations

import numpy as np
import numpy_financial as npf

from negotiator import kernels
from negotiator.engine import compiled

#: Below this rate per period an annuity is treated as interest-free; ``pmt``
#: loses precision near 1e-9 and overflows near 1e-16 (tests/test_finance.py shows each).
TINY_RATE = kernels.TINY_RATE


def _map(name: str, *args, extra: tuple = ()) -> np.ndarray:
    """The kernel ``name + '_many'`` over the broadcast ``args`` (floats), shaped like them."""
    arrays = [np.asarray(a, dtype=np.float64) for a in args]
    if all(a.size == 1 for a in arrays):
        # One account (a quote): the kernel itself on plain floats, shaped like the arguments.
        one = getattr(kernels, name)(*(float(a.flat[0]) for a in arrays), *extra)
        return np.full(max((a.shape for a in arrays), key=len), one)
    full = np.broadcast_arrays(*arrays)
    n, shape = full[0].size, full[0].shape
    out = compiled.run(name + "_many", n, [*(a.ravel() for a in full), *extra], [(n, np.float64)])[0]
    return out.reshape(shape)


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
    return _map("payment", principal, rate, nper)


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
    return _map("periods", principal, rate, pay)


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
    return _map("solve_rate", principal, pay, nper, extra=(rounds,))


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
    return _map("annuity", rate, nper)


def discount(rate, nper):
    """Present value of 1 paid at the end of period ``nper``.

    >>> round(float(discount(0.01, 12)), 6)
    0.887449
    """
    return _map("discount", rate, nper)


def growth(rate, nper):
    """What 1 grows to after ``nper`` periods at ``rate`` (the inverse of :func:`discount`).

    >>> round(float(growth(0.01, 12)), 6)
    1.126825
    """
    return _map("growth", rate, nper)


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
