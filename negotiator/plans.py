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
   million), plus ``flat_fee`` for flat-fee pricing;
2. the payment goes to that interest, then to principal, then to fees.

Fees are paid last, so the principal outstanding is ``max(outstanding -
fees, 0)`` and one number per plan carries the whole state: the same loop
serves one plan or a million.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import finance
from .money import RATE_SCALE, round_div

MONTHLY_DEN = 12 * RATE_SCALE


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

    @classmethod
    def build(cls, principal, fees=0, apr_ppm=0, flat_fee=0, term=1, hold=0, hold_payment=0,
              hold_apr_ppm=0, ppy=12) -> Plans:
        arrays = np.broadcast_arrays(*(np.asarray(v, dtype=np.int64) for v in
                                       (principal, fees, apr_ppm, flat_fee, term, hold, hold_payment,
                                        hold_apr_ppm, ppy)))
        return cls(*(a.copy() for a in arrays))

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

    @staticmethod
    def concat(parts: list[Plans]) -> Plans:
        """One set of plans from several, in order."""
        return Plans(*(np.concatenate(cols) for cols in zip(*(p.columns() for p in parts))))


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

    @staticmethod
    def concat(parts: list[Solved]) -> Solved:
        return Solved(*(np.concatenate([getattr(p, k) for p in parts]) for k in ("level", "final", "term")))


EXACT_FLOAT = 2.0 ** 53


def _run(plans: Plans, level: np.ndarray, rounding: str, record: bool = False):
    """Outstanding before the last payment, and the last payment, for each plan.

    With ``record`` it also returns the (n, max_term) arrays of payment and
    interest per month. Rows are dropped from the loop once their term is
    done. Arithmetic runs in float64 when every interest product is below
    2**53 (whole numbers there are exact), else in int64. Held months with
    interest frozen are settled before the loop (nothing compounds there);
    held months that bear interest run in the loop at ``hold_apr_ppm``.
    """
    frozen = plans.hold_apr_ppm == 0
    out = plans.principal + plans.fees - np.where(frozen, plans.hold * plans.hold_payment, 0)
    n = len(out)
    if n == 0:
        return (out, out.reshape(0, 0), out.reshape(0, 0)) if record else out
    top_rate = float(max(plans.apr_ppm.max(), plans.hold_apr_ppm.max()) + 1)
    bound = float(np.abs(out).max() + np.abs(level).max() + np.abs(plans.hold_payment).max() + 1) * top_rate
    dt_ = np.float64 if bound < EXACT_FLOAT / 4 else np.int64
    out = out.astype(dt_)
    fees, apr, flat = plans.fees.astype(dt_), plans.apr_ppm.astype(dt_), plans.flat_fee.astype(dt_)
    h_apr, h_pay = plans.hold_apr_ppm.astype(dt_), plans.hold_payment.astype(dt_)
    lvl = np.broadcast_to(level, (n,)).astype(dt_)
    term, hold = plans.term, plans.hold
    any_flat, any_hold = bool(flat.any()), bool(hold.any())
    # Held months bearing interest must run month by month from the start.
    skip = np.where(frozen, hold, 0)
    max_term = int(term.max())
    pays = ints = None
    if record:
        pays = np.zeros((n, max_term), dtype=np.int64)
        ints = np.zeros((n, max_term), dtype=np.int64)
        for k in range(int(hold.max())):
            pays[:, k] = np.where(k < hold, plans.hold_payment, 0)
    result = out
    idx = None                      # rows still in the loop (None: all of them)
    den = plans.den
    c = [out, fees, apr, flat, lvl, term, hold, skip, h_apr, h_pay, den]
    for k in range(int(skip.min()), max_term - 1):
        c_out, c_fees, c_apr, c_flat, c_lvl, c_term, c_hold, c_skip, c_hapr, c_hpay, c_den = c
        if not record and k % 4 == 0:
            keep = c_term - 1 > k
            if keep.sum() < 0.75 * len(keep):
                if idx is None:
                    result = out.copy()
                    idx = np.arange(n)
                result[idx[~keep]] = c_out[~keep]
                idx = idx[keep]
                c = [a[keep] for a in c]
                c_out, c_fees, c_apr, c_flat, c_lvl, c_term, c_hold, c_skip, c_hapr, c_hpay, c_den = c
                if not len(idx):
                    break
        live = (c_term - 1 > k) & (k >= c_skip)
        if any_hold:
            held = k < c_hold
            rate = np.where(held, c_hapr, c_apr)
            pay = np.where(held, c_hpay, c_lvl)
            fee = np.where(held, 0, c_flat) if any_flat else 0
        else:
            rate, pay, fee = c_apr, c_lvl, (c_flat if any_flat else 0)
        interest = round_div(np.maximum(c_out - c_fees, 0) * rate, c_den, rounding)
        if any_flat:
            interest = interest + fee
        c_out = np.where(live, c_out + interest - pay, c_out)
        c[0] = c_out
        if pays is not None and ints is not None:
            pays[:, k] = np.where(live & (k >= hold), level, pays[:, k])
            ints[:, k] = np.where(live, interest, 0)
    c_out = c[0]
    if idx is None:
        result = c_out
    else:
        result[idx] = c_out
    interest = round_div(np.maximum(result - fees, 0) * apr, den, rounding) + flat
    # Outstanding only falls while the level exceeds the interest, so a plan
    # overpaid before its last month is at or below zero here: report that
    # (not the last month's flat fee on nothing) so the solver shortens it.
    final = np.where(term > hold, np.where(result > 0, result + interest, result), result)
    if final.dtype.kind == "f":
        # A candidate level below the interest compounds without bound: a huge last payment.
        final = np.clip(np.nan_to_num(final, nan=2.0**62, posinf=2.0**62), -(2.0**62), 2.0**62)
    final = final.astype(np.int64)
    if pays is not None and ints is not None:
        rows = np.arange(n)
        pays[rows, term - 1] = final
        ints[rows, term - 1] = np.where(term > hold, interest, 0).astype(np.int64)
        return final, pays, ints
    return final


def estimate_level(plans: Plans) -> np.ndarray:
    """Continuous level payment (float), the solver's starting point.

    Fees are paid last, so they weigh as a sum due near the end.
    """
    r = plans.apr_ppm / plans.den
    m = np.maximum(plans.term - plans.hold, 1)
    rh = plans.hold_apr_ppm / plans.den
    grown = plans.principal * finance.growth(rh, plans.hold)
    base = grown - plans.hold_payment * finance.growth(rh, plans.hold) * finance.annuity_factor(rh, plans.hold)
    fee_pv = plans.fees * finance.discount(r, m)
    return finance.payment(np.maximum(base, 0) + fee_pv, r, m) + plans.flat_fee


def _growth(plans: Plans) -> np.ndarray:
    """How much one more minor unit of level payment lowers the last payment."""
    r = plans.apr_ppm / plans.den
    m = np.maximum(plans.term - plans.hold - 1, 0)
    with np.errstate(all="ignore"):
        g = np.where(r > finance.TINY_RATE, np.expm1(m * np.log1p(r)) / np.where(r > 0, r, 1), m)
    return 1.0 + np.minimum(g, 1e300)


def solve(plans: Plans, rounding: str = "half_up", max_rounds: int = 40) -> Solved:
    """The smallest level payment whose rounded schedule ends at or below it.

    Each round checks ``level - 1`` and ``level`` for every plan at once and
    moves the unresolved ones by a Newton step. A plan whose level would pay
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
    plans = Plans(**{k: v.copy() for k, v in plans.__dict__.items()})
    level = np.maximum(np.ceil(estimate_level(plans)).astype(np.int64), 1)
    final = np.zeros(len(plans), dtype=np.int64)
    todo = np.arange(len(plans))          # plans not yet resolved; later rounds run only these
    for _ in range(max_rounds):
        sub = plans if len(todo) == len(plans) else Plans(*(v[todo] for v in plans.__dict__.values()))
        lvl = level[todo]
        m = len(todo)
        both = Plans(*(np.concatenate([v, v]) for v in sub.__dict__.values()))
        finals = _run(both, np.concatenate([lvl - 1, lvl]), rounding)
        f_lo, f_hi = finals[:m], finals[m:]
        ok_hi = f_hi <= lvl
        ok_lo = (f_lo <= lvl - 1) & (lvl > 1)
        done = ok_hi & ~ok_lo
        final[todo[done]] = f_hi[done]
        if done.all():
            break
        # Secant step on the measured drop of the last payment per unit of level
        # (exact where fees, which bear no interest, dominate); the analytic
        # growth factor where rounding hides the drop.
        measured = (f_lo - f_hi).astype(float)
        slope = np.where(measured >= 2, measured, _growth(sub)) + 1.0
        with np.errstate(all="ignore"):
            up = np.clip(np.nan_to_num(np.ceil((f_hi - lvl) / slope), nan=1.0), 1, 2.0**52).astype(np.int64)
            down = np.clip(np.nan_to_num(np.floor(((lvl - 1) - f_lo) / slope), nan=1.0), 1, 2.0**52).astype(np.int64)
        moved = np.maximum(np.where(ok_lo, lvl - down, lvl + up), 1)
        keep = ~done
        level[todo[keep]] = moved[keep]
        todo = todo[keep]
    else:
        raise ArithmeticError("level payment search did not converge")
    short = (final <= 0) & (plans.term > plans.hold + 1)
    if short.any():
        # The level clears the plan early: drop the empty months and re-solve those.
        idx = np.flatnonzero(short)
        sub = Plans(*(v[idx] for v in plans.__dict__.values()))
        # Jump straight to the months the level needs (a continuous estimate),
        # never more than one month less than now; re-solving finishes the job.
        r = sub.apr_ppm / sub.den
        pay = (level[idx] - sub.flat_fee).astype(float)
        base = (sub.principal - sub.hold * sub.hold_payment).astype(float)
        with np.errstate(all="ignore"):
            need = sub.hold + finance.periods(np.maximum(base, 0), r, pay) + sub.fees / np.maximum(pay, 1)
        need = np.where(np.isfinite(need), np.ceil(need), sub.term - 1)
        sub.term = np.clip(need, sub.hold + 1, sub.term - 1).astype(np.int64)
        again = solve(sub, rounding, max_rounds)
        level[idx], final[idx] = again.level, again.final
        plans.term[idx] = again.term
    return Solved(level=level, final=final, term=plans.term)


def schedule_arrays(plans: Plans, solved: Solved, rounding: str = "half_up"):
    """Month-by-month payment, interest, principal, fees and balance arrays.

    Rows are plans, columns months (up to the longest term; months past a
    plan's term are zero). Every row's payments add up to ``solved.total``
    and its balance ends at zero.
    """
    p = Plans(**{k: v.copy() for k, v in plans.__dict__.items()})
    p.term = solved.term
    _, pays, ints = _run(p, solved.level, rounding, record=True)
    out = (p.principal + p.fees)[:, None]
    paid_off = np.cumsum(pays - ints, axis=1)
    balance = out - paid_off
    fees_left = np.minimum(balance, p.fees[:, None])
    fees_before = np.concatenate([p.fees[:, None], fees_left[:, :-1]], axis=1)
    fee_part = fees_before - fees_left
    principal_part = pays - ints - fee_part
    return pays, ints, principal_part, fee_part, balance


def present_value(plans: Plans, solved: Solved, rate) -> np.ndarray:
    """Present value of each plan's payments at a monthly ``rate`` (float)."""
    h, n = plans.hold, solved.term
    level = solved.level * (finance.annuity_factor(rate, n - 1) - finance.annuity_factor(rate, h))
    return (plans.hold_payment * finance.annuity_factor(rate, h) + level
            + solved.final * finance.discount(rate, n))


def disclosed_rate(plans: Plans, solved: Solved, rounding: str = "half_up", rounds: int = 30,
                   block: int = 20_000) -> np.ndarray:
    """Monthly internal rate of return of each plan's cost of credit, on its principal.

    The cash flows are the payments less the part of each that repays the
    carried fees (fees bear no interest and are not credit extended), so an
    amortising plan discloses its nominal rate and a flat-fee plan the rate
    its fees really cost. Newton's method on the exact schedule, ``block``
    plans at a time; a plan that costs nothing has rate zero. The second
    example agrees with numpy-financial's ``irr`` of the same flows.

    >>> p = Plans.build(principal=[1_000_000, 500_000], fees=[0, 25_000], apr_ppm=[120_000, 0],
    ...                 flat_fee=[0, 3_000], term=[36, 24])
    >>> [round(float(x) * 12, 4) for x in disclosed_rate(p, solve(p))]
    [0.12, 0.1382]
    """
    # A plan whose only cost is interest at one rate discloses that rate: no schedule needed.
    # Flat fees and held months (a rate or payment of their own) are what moves the IRR.
    out = plans.apr_ppm / plans.den
    hard = np.flatnonzero((plans.flat_fee > 0) | (plans.hold > 0))
    if len(hard) == 0:
        return out
    out[hard] = _irr(plans.take(hard), solved.take(hard), rounding, rounds, block)
    return out


def _irr(plans: Plans, solved: Solved, rounding: str, rounds: int, block: int) -> np.ndarray:
    """Newton's method on the exact schedules, ``block`` plans at a time (see :func:`disclosed_rate`)."""
    n = len(plans)
    out = np.zeros(n)
    for lo in range(0, n, block):
        sl = slice(lo, min(lo + block, n))
        p, sv = plans.take(sl), solved.take(sl)
        pays, ints, _, fee_part, _ = schedule_arrays(p, sv, rounding)
        flows = (pays - fee_part).astype(float)
        amount = p.principal.astype(float)
        months = np.arange(1, flows.shape[1] + 1, dtype=float)
        costs = flows.sum(axis=1) > amount + 0.5
        r = np.maximum(p.apr_ppm / p.den + 2 * p.flat_fee / np.maximum(p.principal, 1), 1e-4)
        with np.errstate(all="ignore"):
            for _ in range(rounds):
                disc = (1.0 + r[:, None]) ** -months
                f = (flows * disc).sum(axis=1) - amount
                slope = -(flows * months * disc / (1.0 + r[:, None])).sum(axis=1)
                step = f / np.where(slope < 0, slope, -1.0)
                r = np.clip(r - step, 0.0, 1.0)
                if not (np.abs(step) > 1e-12).any():
                    break
        out[sl] = np.where(costs & np.isfinite(r), r, 0.0)
    return out
