"""Exact repayment plans in integer minor units, solved for many at once.

A plan repays ``principal`` (interest-bearing) and ``fees`` (interest-free)
in ``term`` monthly payments. The first ``hold`` months pay ``hold_payment``
with interest at ``hold_apr_ppm`` (zero: interest frozen, a payment holiday
or moratorium; a reduced rate: a hardship programme; the contract rate: the
low first months of a step-up plan; one month of a lump sum: a down payment).
The rest are level payments of ``level``; the last payment is whatever
remains, never more than ``level``. Each month:

1. interest = round(principal outstanding x APR / 12) under the policy's
   rounding rule (exact integer arithmetic, the rate held in parts per
   million), plus ``flat_fee`` for flat-fee pricing; the first period runs
   from the plan's start to its first due date: where ``year`` is set (the
   policy's day count) its interest is for ``odd`` days of a ``year``-day year;
2. the payment goes to that interest, then to principal, then to fees.

Fees are paid last, so the principal outstanding is ``max(outstanding -
fees, 0)`` and one number per plan carries the whole state. The month loop
is written once, per plan, in :mod:`negotiator.kernels`; this module holds
plans as columns and runs the kernels over them, as plain Python for a few
plans and compiled for many (:mod:`negotiator.engine.compiled`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negotiator.core.money import RATE_SCALE
from negotiator.engine import compiled
from negotiator.kernels import MODES


@dataclass
class Plans:
    """Terms of ``n`` plans as int64 arrays in minor units (rates in ppm)."""

    principal: np.ndarray
    fees: np.ndarray
    apr_ppm: np.ndarray
    flat_fee: np.ndarray
    term: np.ndarray
    hold: np.ndarray
    hold_payment: np.ndarray
    hold_apr_ppm: np.ndarray
    ppy: np.ndarray                 # payments a year: 12 monthly, 26 fortnightly, 52 weekly
    odd: np.ndarray                 # the first period's days under the day count (with ``year``)
    year: np.ndarray                # the day count's year, 360 or 365 days; 0: the first period is a regular one

    @classmethod
    def build(cls, principal, fees=0, apr_ppm=0, flat_fee=0, term=1, hold=0, hold_payment=0,
              hold_apr_ppm=0, ppy=12, odd=0, year=0) -> Plans:
        arrays = [np.asarray(v, dtype=np.int64) for v in
                  (principal, fees, apr_ppm, flat_fee, term, hold, hold_payment, hold_apr_ppm, ppy, odd, year)]
        # Scalars and arrays of one length (what the kinds pass): no general broadcast, which costs
        # more than the rest of the call for a quote's single account.
        n = max((a.shape[0] for a in arrays if a.ndim), default=None)
        if n is None or any(a.ndim > 1 or (a.ndim and a.shape[0] != n) for a in arrays):
            return cls(*(a.copy() for a in np.broadcast_arrays(*arrays)))
        return cls(*(a.copy() if a.ndim else np.full(n, a) for a in arrays))

    @property
    def den(self) -> np.ndarray:
        """The divisor of an annual rate in ppm for one period's rate (12 x 10**6 for monthly plans)."""
        return self.ppy * RATE_SCALE

    def __len__(self) -> int:
        return len(self.principal)

    def columns(self) -> tuple[np.ndarray, ...]:
        return tuple(self.__dict__.values())

    def take(self, idx) -> Plans:
        """The plans at ``idx`` (an index array, slice or boolean mask), copied."""
        return Plans(*(np.array(v[idx]) for v in self.columns()))

    def copy(self) -> Plans:
        return Plans(*(v.copy() for v in self.columns()))


@dataclass
class Solved:
    """A solved plan: level payment, last payment and the term it really takes."""

    level: np.ndarray
    final: np.ndarray
    term: np.ndarray

    def total(self, plans: Plans) -> np.ndarray:
        """Sum of all payments, exactly."""
        return plans.hold * plans.hold_payment + (self.term - plans.hold - 1) * self.level + self.final

    def take(self, idx) -> Solved:
        return Solved(np.array(self.level[idx]), np.array(self.final[idx]), np.array(self.term[idx]))


def _columns(plans: Plans) -> list[np.ndarray]:
    """The plan terms a kernel takes, in its order."""
    return [plans.principal, plans.fees, plans.apr_ppm, plans.flat_fee, plans.term, plans.hold,
            plans.hold_payment, plans.hold_apr_ppm, plans.den, plans.odd, plans.year]


def estimate_level(plans: Plans) -> np.ndarray:
    """Continuous level payment (float) of each plan: :func:`negotiator.kernels.estimate_level`."""
    return compiled.run("estimate_many", len(plans), _columns(plans), [(len(plans), np.float64)])[0]


def solve(plans: Plans, rounding: str = "half_up", max_rounds: int = 40) -> Solved:
    """The smallest level payment whose rounded schedule ends at or below it, for each plan.

    :func:`negotiator.kernels.solve_one` per plan: as plain Python for a few
    plans, compiled over the arrays for many. A plan whose level would pay
    it off before its term is shortened to the months it really takes, so
    no payment is ever zero.

    Examples
    --------
    10,000 at 12% over 36 months: the textbook payment is 332.14, but with
    each month's interest rounded to the cent 332.14 leaves a last payment
    of 332.28, larger than the rest; the rule takes 332.15, last 331.85.

    >>> p = Plans.build(principal=[1_000_000], apr_ppm=120_000, term=36)
    >>> s = solve(p)
    >>> int(s.level[0]), int(s.final[0]), int(s.term[0])
    (33215, 33185, 36)
    """
    n = len(plans)
    level, final, term = compiled.run("solve_many", n, [*_columns(plans), MODES[rounding], max_rounds],
                                      [(n, np.int64)] * 3)
    return Solved(level=level, final=final, term=term)


def schedule_arrays(plans: Plans, solved: Solved, rounding: str = "half_up"):
    """Month-by-month payment, interest, principal, fees and balance arrays.

    Rows are plans, columns months (up to the longest term; months past a
    plan's term are zero). Every row's payments add up to ``solved.total``
    and its balance ends at zero.
    """
    cols = _columns(plans)
    cols[4] = solved.term           # the term each plan really takes (the plans themselves are left as they are)
    n = len(plans)
    width = int(solved.term.max()) if n else 0
    pays, ints = compiled.run("schedule_many", n, [*cols, solved.level, MODES[rounding]],
                              [((n, width), np.int64)] * 2)
    fees = plans.fees[:, None]
    out = plans.principal[:, None] + fees
    paid_off = np.cumsum(pays - ints, axis=1)
    balance = out - paid_off
    fees_left = np.minimum(balance, fees)
    fees_before = np.concatenate([fees, fees_left[:, :-1]], axis=1)
    fee_part = fees_before - fees_left
    principal_part = pays - ints - fee_part
    return pays, ints, principal_part, fee_part, balance


def present_value(plans: Plans, solved: Solved, rate) -> np.ndarray:
    """Present value of each plan's payments at ``rate`` per period: :func:`negotiator.kernels.present_value`."""
    n = len(plans)
    rates = np.broadcast_to(np.asarray(rate, dtype=np.float64), (n,))
    return compiled.run("present_value_many", n, [plans.hold, plans.hold_payment, solved.level, solved.final,
                                                  solved.term, rates], [(n, np.float64)])[0]


def disclosed_rate(plans: Plans, solved: Solved, rounding: str = "half_up", rounds: int = 30,
                   all_in: bool = False) -> np.ndarray:
    """Rate per period (IRR) of each plan's cost of credit, on its principal.

    The cash flows are the payments less the part of each that repays the
    carried fees (fees bear no interest and are not credit extended), so an
    amortising plan discloses its nominal rate and a flat-fee plan the rate
    its fees really cost: :func:`negotiator.kernels.cost_rate`. A plan that
    costs nothing has rate zero. The second example agrees with
    numpy-financial's ``irr`` of the same flows. ``all_in``: every payment
    counted, the carried fees' too (the comprehensive cost), from each
    plan's schedule.

    >>> p = Plans.build(principal=[1_000_000, 500_000], fees=[0, 25_000], apr_ppm=[120_000, 0],
    ...                 flat_fee=[0, 3_000], term=[36, 24])
    >>> [round(float(x) * 12, 4) for x in disclosed_rate(p, solve(p))]
    [0.12, 0.1382]
    """
    # A plan whose only cost is interest at one rate discloses that rate: no schedule needed.
    # Flat fees and held months (a rate or payment of their own) are what moves the IRR.
    out = plans.apr_ppm / plans.den
    hard = np.flatnonzero((plans.flat_fee > 0) | (plans.hold > 0) | all_in)
    if len(hard) == 0:
        return out
    p, sv = plans.take(hard), solved.take(hard)
    p.term = sv.term
    out[hard] = compiled.run("cost_rate_many", len(hard), [*_columns(p), sv.level, MODES[rounding], all_in, rounds],
                             [(len(hard), np.float64)])[0]
    return out


def dated_rate(plans: Plans, solved: Solved, start, first, rounding: str = "half_up", rounds: int = 60,
               all_in: bool = False) -> np.ndarray:
    """The annual rate of each plan's cost (or ``all_in`` cost) at its payments' real dates, from the plan's
    start (``start``, days from 1970-01-01) with its first due date ``first``: the UK APR of CONC App 1.2,
    :func:`negotiator.kernels.date_rate`.

    >>> p = Plans.build(principal=[1_000_000], apr_ppm=[299_000], term=[12], odd=[30], year=[365])
    >>> round(float(dated_rate(p, solve(p), [20780], [20810])[0]), 4)
    0.344
    """
    n = len(plans)
    p = plans.copy()
    p.term = solved.term
    starts = np.broadcast_to(np.asarray(start, dtype=np.int64), (n,))
    firsts = np.broadcast_to(np.asarray(first, dtype=np.int64), (n,))
    return compiled.run("date_rate_many", n, [*_columns(p), solved.level, MODES[rounding], all_in, starts, firsts,
                                              rounds], [(n, np.float64)])[0]
