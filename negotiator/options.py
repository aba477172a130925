"""Repayment options for whole arrays of accounts: the ladder of concessions.

Each option type is worked out for every account at once. Rungs, least
concession first: catch-up (spread the arrears), term extension (loans),
instalment (re-age the whole balance), interest reduction, fee waiver,
settlement. A payment holiday sits beside the ladder, offered when a
temporary hardship is reported. Every rung includes the largest concession
of the rungs below it (a fee waiver is priced at the floor rate over the
longest term). Plans are solved exactly by :mod:`negotiator.plans`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import finance
from .accounts import MAX_TERM, Accounts
from .affordability import Assessment
from .money import RATE_SCALE, rate_to_ppm, to_minor
from .plans import MONTHLY_DEN, Plans, Solved, effective_rate, estimate_level, present_value, solve
from .policy import Policy

RUNGS = ("catch_up", "term_extension", "instalment", "interest_reduction", "fee_waiver", "settlement")
#: Order for ties and display: least concession first, the holiday beside the re-age.
ORDER = ("catch_up", "term_extension", "instalment", "payment_holiday", "interest_reduction",
         "fee_waiver", "settlement")
TIERS = ("none", "agent", "supervisor")
BEYOND = 3


@dataclass
class OptionSet:
    """One option type for every account (arrays of length n)."""

    type: str
    offered: np.ndarray
    decline: np.ndarray                  # reason code (object) where not offered, else None
    plans: Plans
    regular: np.ndarray                  # regular contractual payment paid on top (catch-up)
    fees_waived: np.ndarray
    principal_forgiven: np.ndarray
    solved: Solved | None = None
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    # filled by _finish
    monthly_payment: np.ndarray | None = None
    max_payment: np.ndarray | None = None
    total: np.ndarray | None = None
    effective_apr: np.ndarray | None = None    # annual, float
    value: np.ndarray | None = None            # concession value at PV, minor units
    tier: np.ndarray | None = None             # 0 none, 1 agent, 2 supervisor, 3 beyond
    affordable: np.ndarray | None = None
    npv: np.ndarray | None = None              # lender NPV, minor units (float)
    plan_apr: np.ndarray | None = None         # disclosed nominal APR, ppm (a catch-up: the account's)
    total_interest: np.ndarray | None = None   # paid beyond principal, fees and regular payments

    @property
    def within_policy(self) -> np.ndarray:
        return self.tier < BEYOND


class Context:
    """Arrays and policy figures shared by every rung."""

    def __init__(self, acc: Accounts, assessment: Assessment, policy: Policy, channel: str):
        self.assessment = assessment
        self.acc, self.policy, self.channel = acc, policy, channel
        self.n = len(acc)
        self.A = assessment.affordable
        self.unit = acc.unit
        self.owed = acc.balance + acc.fees
        self.rounding = policy.rounding
        inst = policy.options.instalment
        self.max_term = inst.max_months
        if channel == "portal":
            self.max_term = min(self.max_term, policy.portal.max_term_months)
        self.min_term = min(inst.min_months, self.max_term)
        self.flat = inst.pricing == "flat_fee"
        cap = inst.apr_cap
        self.base_apr = acc.apr_ppm if cap is None else np.minimum(acc.apr_ppm, rate_to_ppm(cap))
        self.flat_ppm = rate_to_ppm(inst.flat_fee_rate) if self.flat else 0

    def take(self, idx: np.ndarray) -> Context:
        """The same context for the accounts at ``idx`` only."""
        return Context(self.acc.take(idx), self.assessment.take(idx), self.policy, self.channel)

    def window(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Whether the policy offers option ``name`` to each account, and why not."""
        opt = self.policy.option(name)
        acc = self.acc
        decline = np.full(self.n, None, dtype=object)
        prod_ok = np.where(acc.is_loan, "loan" in opt.products, "credit_card" in opt.products)
        dpd_ok = (acc.dpd >= opt.min_dpd) & (acc.dpd <= opt.max_dpd)
        decline[~dpd_ok] = "dpd_out_of_range"
        decline[~prod_ok] = "product_not_eligible"
        if not opt.enabled:
            decline[:] = "option_disabled"
        return decline == None, decline  # noqa: E711  (element-wise)


def _ceil_div(a, b):
    return -(-a // b)


def _months(n_star, lo, hi):
    """Whole months from a fractional count, within ``[lo, hi]``."""
    m = np.where(np.isfinite(n_star), np.ceil(np.minimum(n_star, 1e6) - 1e-9), hi)
    return np.clip(m, lo, hi).astype(np.int64)


def _amortising_months(principal, fees, apr_ppm, flat_fee, afford):
    """Fractional months a payment of ``afford`` needs: principal first, then fees."""
    r = apr_ppm / MONTHLY_DEN
    pay = afford - flat_fee
    with np.errstate(divide="ignore", invalid="ignore"):
        n = finance.periods(principal, r, pay) + np.where(pay > 0, fees / np.where(pay > 0, pay, 1), np.inf)
    return np.where(pay > 0, n, np.inf)


def _flat_fee(principal, flat_ppm):
    return principal * flat_ppm // RATE_SCALE


def catch_up(ctx: Context) -> OptionSet:
    acc = ctx.acc
    offered, decline = ctx.window("catch_up")
    decline[offered & (acc.arrears == 0)] = "no_arrears"
    offered = decline == None  # noqa: E711
    room = ctx.A - acc.contractual
    with np.errstate(divide="ignore", invalid="ignore"):
        n_star = np.where(room > 0, acc.arrears / np.where(room > 0, room, 1), np.inf)
    term = _months(n_star, 1, ctx.policy.options.catch_up.max_months)
    plans = Plans.build(principal=acc.arrears, term=term)
    zero = np.zeros(ctx.n, dtype=np.int64)
    return OptionSet("catch_up", offered, decline, plans, acc.contractual.copy(), zero, zero.copy())


def term_extension(ctx: Context) -> OptionSet:
    acc = ctx.acc
    opt = ctx.policy.options.term_extension
    offered, decline = ctx.window("term_extension")
    lo = acc.remaining_term + 1
    hi = np.minimum(acc.remaining_term + opt.max_extra_months, opt.max_total_months)
    if ctx.channel == "portal":
        hi = np.minimum(hi, ctx.policy.portal.max_term_months)
    decline[offered & (hi < lo)] = "term_at_maximum"
    offered = decline == None  # noqa: E711
    n_star = _amortising_months(acc.balance, acc.fees, acc.apr_ppm, 0, ctx.A)
    term = np.clip(np.where(np.isfinite(n_star), np.ceil(np.minimum(n_star, 1e6) - 1e-9), hi),
                   lo, np.maximum(hi, lo)).astype(np.int64)
    plans = Plans.build(principal=acc.balance, fees=acc.fees, apr_ppm=acc.apr_ppm, term=term)
    zero = np.zeros(ctx.n, dtype=np.int64)
    return OptionSet("term_extension", offered, decline, plans, zero, zero.copy(), zero.copy(),
                     extra={"hi": np.maximum(hi, lo), "from_term": acc.remaining_term.copy()})


def _reage_declines(ctx: Context, offered, decline):
    rules = ctx.policy.reage
    acc = ctx.acc
    unknown = (acc.age_months < 0) | (acc.consecutive < 0) | (acc.reages_12m < 0)
    recent = (acc.reages_12m >= rules.max_per_12_months) | (acc.reages_5y >= rules.max_per_5_years)
    for bad, code in ((recent, "reaged_recently"),
                      (acc.consecutive < rules.min_consecutive_payments, "insufficient_payments"),
                      (acc.age_months < rules.min_account_age_months, "account_too_new"),
                      (unknown, "history_required")):
        decline[offered & bad] = code


def instalment(ctx: Context) -> OptionSet:
    acc = ctx.acc
    offered, decline = ctx.window("instalment")
    if ctx.policy.options.instalment.requires_reage_rules:
        _reage_declines(ctx, offered, decline)
        offered = decline == None  # noqa: E711
    flat_fee = _flat_fee(acc.balance, ctx.flat_ppm)
    apr = np.zeros(ctx.n, dtype=np.int64) if ctx.flat else ctx.base_apr
    n_star = _amortising_months(acc.balance, acc.fees, apr, flat_fee, ctx.A)
    term = _months(n_star, ctx.min_term, ctx.max_term)
    plans = Plans.build(principal=acc.balance, fees=acc.fees, apr_ppm=apr, flat_fee=flat_fee, term=term)
    zero = np.zeros(ctx.n, dtype=np.int64)
    return OptionSet("instalment", offered, decline, plans, zero, zero.copy(), zero.copy())


def _rate_grid(ctx: Context):
    """(base, floor, step) of the plan's price in ppm: APR, or the monthly flat-fee rate."""
    opt = ctx.policy.options.interest_reduction
    if ctx.flat:
        base = np.full(ctx.n, ctx.flat_ppm, dtype=np.int64)
        return base, rate_to_ppm(opt.apr_floor) // 12, max(rate_to_ppm(opt.step) // 12, 1)
    return ctx.base_apr.copy(), rate_to_ppm(opt.apr_floor), rate_to_ppm(opt.step)


def _price(ctx: Context, principal, rate_ppm):
    """(apr_ppm, flat_fee) of a plan priced at ``rate_ppm`` under the policy's pricing."""
    if ctx.flat:
        return np.zeros(ctx.n, dtype=np.int64), _flat_fee(principal, rate_ppm)
    return rate_ppm, np.zeros(ctx.n, dtype=np.int64)


def interest_reduction(ctx: Context) -> OptionSet:
    acc = ctx.acc
    offered, decline = ctx.window("interest_reduction")
    base, floor, step = _rate_grid(ctx)
    decline[offered & (base <= floor)] = "rate_at_floor"
    offered = decline == None  # noqa: E711
    m = ctx.max_term
    P, F, A = acc.balance.astype(float), acc.fees.astype(float), ctx.A.astype(float)
    if ctx.flat:
        with np.errstate(divide="ignore", invalid="ignore"):
            need = np.where(P > 0, (A - (P + F) / m) / np.where(P > 0, P, 1), -1.0) * RATE_SCALE
    else:
        r0 = finance.solve_rate(P + F, A, m)
        r1 = finance.solve_rate(P + F * finance.discount(np.nan_to_num(r0), m), A, m)
        need = r1 * MONTHLY_DEN
    need = np.where(np.isfinite(need), np.floor(need), -1).astype(np.int64)
    cut = np.maximum(_ceil_div(base - np.minimum(need, base - 1), step), 1) * step
    rate = np.maximum(base - cut, floor)
    apr, flat_fee = _price(ctx, acc.balance, rate)
    plans = Plans.build(principal=acc.balance, fees=acc.fees, apr_ppm=apr, flat_fee=flat_fee, term=m)
    zero = np.zeros(ctx.n, dtype=np.int64)
    return OptionSet("interest_reduction", offered, decline, plans, zero, zero.copy(), zero.copy(),
                     extra={"rate": rate, "base_rate": base})


def fee_waiver(ctx: Context) -> OptionSet:
    acc = ctx.acc
    offered, decline = ctx.window("fee_waiver")
    decline[offered & (acc.fees == 0)] = "no_fees"
    offered = decline == None  # noqa: E711
    base, floor, _ = _rate_grid(ctx)
    rate = base if not ctx.policy.options.interest_reduction.enabled else np.minimum(base, floor)
    apr, flat_fee = _price(ctx, acc.balance, rate)
    m = ctx.max_term
    cap = acc.fees * rate_to_ppm(ctx.policy.options.fee_waiver.max_share) // RATE_SCALE
    P, F, A = acc.balance.astype(float), acc.fees.astype(float), ctx.A.astype(float)
    r = apr / MONTHLY_DEN
    keep = (A - flat_fee - finance.payment(P, r, m)) * finance.annuity_factor(r, m) / finance.discount(r, m)
    waive = np.clip(np.ceil(F - np.maximum(keep, 0)), 1, np.maximum(cap, 1)).astype(np.int64)
    waive = np.minimum(waive, cap)
    plans = Plans.build(principal=acc.balance, fees=acc.fees - waive, apr_ppm=apr, flat_fee=flat_fee, term=m)
    zero = np.zeros(ctx.n, dtype=np.int64)
    return OptionSet("fee_waiver", offered, decline, plans, zero, waive, zero.copy(),
                     extra={"cap": cap, "rate": rate, "base_rate": base})


def settlement(ctx: Context) -> OptionSet:
    acc = ctx.acc
    opt = ctx.policy.options.settlement
    offered, decline = ctx.window("settlement")
    owed, A, lump = ctx.owed, ctx.A, acc.lump_sum
    # Paying everything owed from the lump sum concedes nothing: allowed at any stage.
    if opt.enabled:
        decline[lump >= owed] = None
        offered = decline == None  # noqa: E711
    N = opt.max_payments
    best = np.maximum(lump, A * N)
    need = np.where(best >= owed, 0, _ceil_div((owed - best) * RATE_SCALE, np.maximum(owed, 1)))
    step = rate_to_ppm(opt.step)
    lo, hi = rate_to_ppm(opt.min_discount), rate_to_ppm(opt.max_discount)
    disc = np.clip(_ceil_div(need, step) * step, lo, hi)
    forgiven = owed * disc // RATE_SCALE
    amount = owed - forgiven
    lump_funded = lump >= amount
    k = np.where(lump_funded, 1, np.where(A > 0, _ceil_div(amount, np.maximum(A, 1)), N))
    k = np.clip(k, 1, N)
    plans = Plans.build(principal=amount, term=k)
    fees_w = np.minimum(acc.fees, forgiven)
    zero = np.zeros(ctx.n, dtype=np.int64)
    return OptionSet("settlement", offered, decline, plans, zero, fees_w, forgiven - fees_w,
                     extra={"discount": disc, "lump_funded": lump_funded, "amount": amount})


def payment_holiday(ctx: Context) -> OptionSet:
    acc = ctx.acc
    opt = ctx.policy.options.payment_holiday
    offered, decline = ctx.window("payment_holiday")
    decline[offered & (acc.hardship_months == 0)] = "no_hardship_declared"
    offered = decline == None  # noqa: E711
    h = np.minimum(acc.hardship_months, opt.max_months)
    R = to_minor(opt.payment, 2) * ctx.unit // 100
    R = np.minimum(R, np.maximum(acc.balance // np.maximum(h, 1) // 2, 0))
    flat_fee = _flat_fee(acc.balance, ctx.flat_ppm)
    apr = np.zeros(ctx.n, dtype=np.int64) if ctx.flat else ctx.base_apr
    after_hi = opt.max_months_after
    if ctx.channel == "portal":
        after_hi = max(min(after_hi, ctx.policy.portal.max_term_months - opt.max_months), 1)
    n_star = _amortising_months(acc.balance - h * R, acc.fees, apr, flat_fee, ctx.A)
    m = _months(n_star, 1, after_hi)
    plans = Plans.build(principal=acc.balance, fees=acc.fees, apr_ppm=apr, flat_fee=flat_fee,
                        term=h + m, hold=h, hold_payment=R)
    zero = np.zeros(ctx.n, dtype=np.int64)
    return OptionSet("payment_holiday", offered, decline, plans, zero, zero.copy(), zero.copy(),
                     extra={"capped": acc.hardship_months > opt.max_months, "after_hi": np.full(ctx.n, after_hi)})


BUILDERS = {"catch_up": catch_up, "term_extension": term_extension, "instalment": instalment,
            "interest_reduction": interest_reduction, "fee_waiver": fee_waiver, "settlement": settlement,
            "payment_holiday": payment_holiday}


def _subset(plans: Plans, idx) -> Plans:
    return Plans(*(v[idx] for v in plans.__dict__.values()))


def solve_sets(sets: list[OptionSet], rounding: str, rows: dict[str, np.ndarray] | None = None) -> None:
    """Solve the offered rows of every set in one stacked call, in place."""
    parts, where = [], []
    for s in sets:
        idx = np.flatnonzero(s.offered) if rows is None else rows[s.type]
        if len(idx):
            parts.append(_subset(s.plans, idx))
            where.append((s, idx))
        if s.solved is None:
            s.solved = Solved(level=np.zeros(len(s.offered), np.int64), final=np.zeros(len(s.offered), np.int64),
                              term=s.plans.term.copy())
    if not parts:
        return
    stacked = Plans(*(np.concatenate(cols) for cols in zip(*(p.__dict__.values() for p in parts))))
    solved = solve(stacked, rounding)
    start = 0
    for s, idx in where:
        end = start + len(idx)
        s.solved.level[idx] = solved.level[start:end]
        s.solved.final[idx] = solved.final[start:end]
        s.solved.term[idx] = solved.term[start:end]
        start = end


def _adjust(ctx: Context, s: OptionSet) -> np.ndarray:
    """One step more concession where rounding left a plan a little above affordable.

    Returns the rows changed (to be solved again).
    """
    over = s.offered & (s.solved.level + s.regular > ctx.A)
    p = s.plans
    if s.type in ("catch_up", "term_extension", "instalment", "payment_holiday"):
        # One month more, up to the longest term the option allows.
        if s.type == "catch_up":
            hi = ctx.policy.options.catch_up.max_months
        elif s.type == "term_extension":
            hi = s.extra["hi"]
        elif s.type == "instalment":
            hi = ctx.max_term
        else:
            hi = p.hold + s.extra["after_hi"]
        rows = over & (p.term < hi)
        p.term = np.where(rows, p.term + 1, p.term)
    elif s.type == "interest_reduction":
        _, floor, step = _rate_grid(ctx)
        rows = over & (s.extra["rate"] > floor)
        s.extra["rate"] = np.where(rows, np.maximum(s.extra["rate"] - step, floor), s.extra["rate"])
        apr, flat = _price(ctx, ctx.acc.balance, s.extra["rate"])
        p.apr_ppm, p.flat_fee = np.where(rows, apr, p.apr_ppm), np.where(rows, flat, p.flat_fee)
    elif s.type == "fee_waiver":
        cap = s.extra["cap"]
        rows = over & (s.fees_waived < cap)
        more = np.minimum(s.fees_waived + (s.solved.level - ctx.A) * p.term, cap)
        s.fees_waived = np.where(rows, more, s.fees_waived)
        p.fees = ctx.acc.fees - s.fees_waived
    else:
        rows = np.zeros(ctx.n, dtype=bool)
    return np.flatnonzero(rows)


def _finish(ctx: Context, s: OptionSet) -> None:
    """Totals, effective rate, concession value, approval tier, affordability, NPV."""
    acc, pol = ctx.acc, ctx.policy
    p, sv = s.plans, s.solved
    n = sv.term
    if s.type == "term_extension":
        # A tiny balance can be cleared sooner than the level implies: then it is no extension.
        same = s.offered & (n <= acc.remaining_term)
        s.decline[same] = "no_extension_needed"
        s.offered = s.offered & ~same
    s.monthly_payment = sv.level + s.regular
    s.max_payment = np.maximum(s.monthly_payment, np.where(p.hold > 0, p.hold_payment, 0))
    s.max_payment = np.where(n == p.hold + 1, np.maximum(sv.final + s.regular, p.hold_payment), s.max_payment)
    s.total = sv.total(p) + s.regular * n
    s.total_interest = s.total - (p.principal + p.fees) - s.regular * n
    # A catch-up leaves the contract running: its rate is the account's.
    s.plan_apr = acc.apr_ppm.copy() if s.type == "catch_up" else p.apr_ppm.copy()
    r_acct = acc.apr_ppm / MONTHLY_DEN
    d = pol.discount_monthly
    forgone = np.zeros(ctx.n)
    if "rate" in s.extra:
        # Interest forgone: the plan at the policy's base price less the plan as cut, at PV.
        base = Plans(**{k: v.copy() for k, v in p.__dict__.items()})
        base.apr_ppm, base.flat_fee = _price(ctx, acc.balance, s.extra["base_rate"])
        gap = estimate_level(base) - estimate_level(p)
        forgone = np.maximum(gap, 0) * finance.annuity_factor(d, n)
    if s.type == "settlement":
        # Paid in instalments without interest, a settlement also forgoes the interest.
        k = sv.term
        flat_pay = p.principal / np.maximum(k, 1)
        forgone = np.where(k > 1, np.maximum(finance.payment(p.principal, r_acct, k) - flat_pay, 0)
                           * finance.annuity_factor(d, k), 0.0)
    if s.type == "payment_holiday":
        frozen = p.principal * (ctx.base_apr / MONTHLY_DEN) * p.hold + p.flat_fee * p.hold
        forgone = frozen * finance.discount(d, p.hold)
    s.value = np.round(forgone).astype(np.int64) + s.fees_waived + s.principal_forgiven
    tier = np.full(ctx.n, BEYOND, dtype=np.int64)
    for t in reversed(range(3)):
        lim = getattr(pol.approval, TIERS[t])
        ok = (s.value <= to_minor(lim.max_concession, 2) * ctx.unit // 100) & \
             (s.value * RATE_SCALE <= ctx.owed * rate_to_ppm(lim.max_share))
        tier = np.where(ok, t, tier)
    s.tier = np.where(tier < BEYOND, np.maximum(tier, TIERS.index(pol.option(s.type).min_approval)), tier)
    s.affordable = s.max_payment <= ctx.A
    if s.type == "settlement":
        s.affordable |= s.extra["lump_funded"]
    s.npv = present_value(p, sv, d)
    if s.type == "catch_up":
        g = (1 + r_acct) ** n
        with np.errstate(divide="ignore", invalid="ignore"):
            paid = np.where(r_acct > 0, acc.contractual * (g - 1) / np.where(r_acct > 0, r_acct, 1),
                            acc.contractual * n)
        rest = np.maximum((acc.balance - acc.arrears + acc.fees) * g - paid, 0)
        # The account is then current and the rest runs on under the contract:
        # value it as that stream (its remaining term for a loan; for a card,
        # as long as the contractual payment takes), not at face value.
        months = np.where(acc.is_loan, np.maximum(acc.remaining_term - n, 1),
                          np.clip(finance.periods(rest, r_acct, acc.contractual), 1, MAX_TERM))
        stream = finance.payment(rest, r_acct, months) * finance.annuity_factor(d, months)
        s.npv = s.npv + acc.contractual * finance.annuity_factor(d, n) + stream * finance.discount(d, n)


def complete(ctx: Context, sets: list[OptionSet], adjust: bool = True) -> None:
    """Solve, nudge where rounding overshoots, and assess every set, in place.

    The disclosed effective rate is worked out for offered rows only.
    """
    solve_sets(sets, ctx.rounding)
    for _ in range(3 if adjust else 0):
        rows = {s.type: _adjust(ctx, s) for s in sets}
        if not any(len(r) for r in rows.values()):
            break
        solve_sets(sets, ctx.rounding, rows)
    for s in sets:
        _finish(ctx, s)
    picks = [(s, np.flatnonzero(s.offered)) for s in sets]
    picks = [(s, idx) for s, idx in picks if len(idx)]
    for s in sets:
        s.effective_apr = np.zeros(ctx.n)
    if picks:
        # One stacked call for the disclosed rate of every offered plan.
        plans = Plans(*(np.concatenate(cols) for cols in zip(*(_subset(s.plans, i).__dict__.values()
                                                              for s, i in picks))))
        solved = Solved(*(np.concatenate([getattr(s.solved, k)[i] for s, i in picks])
                          for k in ("level", "final", "term")))
        eff = effective_rate(plans, solved) * 12
        start = 0
        for s, idx in picks:
            s.effective_apr[idx] = eff[start:start + len(idx)]
            start += len(idx)


def acceptable(s: OptionSet, channel: str) -> np.ndarray:
    """Offered, affordable, within policy, and (on a portal) needing no approval."""
    ok = s.offered & s.affordable & s.within_policy
    return ok & (s.tier == 0) if channel == "portal" else ok


def _declined(kind: str, n: int) -> OptionSet:
    """A set whose every account a lower rung already served."""
    z = np.zeros(n, dtype=np.int64)
    s = OptionSet(kind, np.zeros(n, dtype=bool), np.full(n, "lesser_concession_affordable", dtype=object),
                  Plans(z, z, z, z, z + 1, z, z, z), z, z, z, Solved(z, z, z + 1))
    s.monthly_payment = s.max_payment = s.total = s.value = s.tier = s.plan_apr = s.total_interest = z
    s.effective_apr = s.npv = np.zeros(n)
    s.affordable = np.zeros(n, dtype=bool)
    return s


def _expand(part: OptionSet, rows: np.ndarray, n: int) -> OptionSet:
    """A set worked out for ``rows`` only, as a set over all ``n`` accounts.

    The other accounts are declined: a lower rung already served them.
    """
    def grow(a):
        if not isinstance(a, np.ndarray):
            return a
        full = np.full(n, None, dtype=object) if a.dtype == object else np.zeros(n, dtype=a.dtype)
        full[rows] = a
        return full

    out = OptionSet(part.type, grow(part.offered), grow(part.decline),
                    Plans(*(grow(v) for v in part.plans.__dict__.values())), grow(part.regular),
                    grow(part.fees_waived), grow(part.principal_forgiven),
                    Solved(*(grow(getattr(part.solved, k)) for k in ("level", "final", "term"))),
                    {k: grow(v) for k, v in part.extra.items()})
    for name in ("monthly_payment", "max_payment", "total", "effective_apr", "value", "tier", "affordable", "npv",
                 "plan_apr", "total_interest"):
        setattr(out, name, grow(getattr(part, name)))
    served = np.ones(n, dtype=bool)
    served[rows] = False
    out.decline[served] = "lesser_concession_affordable"
    return out


def build(acc: Accounts, assessment: Assessment, policy: Policy, channel: str = "agent",
          types: tuple[str, ...] = ORDER, stack_below: int = 256) -> dict[str, OptionSet]:
    """Every requested option type for every account, solved and assessed.

    Rungs above an account's first acceptable rung are declined with
    ``lesser_concession_affordable``. ``stack_below`` only chooses how the
    work is scheduled (rungs above the first stacked in one pass, or rung by
    rung); the answers are the same either way.
    """
    ctx = Context(acc, assessment, policy, channel)
    sets: dict[str, OptionSet] = {}
    beside = [BUILDERS[t](ctx) for t in ORDER if t in types and t not in RUNGS]
    done = np.zeros(ctx.n, dtype=bool)
    rungs = [t for t in RUNGS if t in types]
    # Climb the ladder: the first rung for everyone, then the rest only for
    # the accounts no lower rung has served. With few accounts numpy's cost
    # is per call, so the remaining rungs are solved in one stacked pass;
    # with many, rung by rung. Either way the answers are the same.
    # A settlement is worked out with the first rung: where the lump sum pays
    # everything (no discount) it concedes nothing and serves the account as
    # the bottom rung would; otherwise it stays the top rung.
    payoff_possible = bool((acc.lump_sum >= ctx.owed).any())
    first = rungs[:1] + [t for t in rungs[1:] if t == "settlement" and payoff_possible]
    rest = [t for t in rungs if t not in first]
    groups = [first, rest] if ctx.n <= stack_below else [first, *([t] for t in rest)]
    pending = list(beside)     # solved together with the first group
    payoff = np.zeros(ctx.n, dtype=bool)
    for group in groups:
        if not group:
            continue
        active = np.flatnonzero(~done)
        if not len(active):
            for t in group:
                sets[t] = _declined(t, ctx.n)
            continue
        sub = ctx if len(active) == ctx.n else ctx.take(active)
        built = [BUILDERS[t](sub) for t in group]
        complete(sub, built + (pending if sub is ctx else []))
        if pending and sub is not ctx:
            complete(ctx, pending)
        pending = []
        for part in built:
            s = part if sub is ctx else _expand(part, active, ctx.n)
            sets[s.type] = s
            if s.type == "settlement":
                payoff = acceptable(s, ctx.channel) & (s.value == 0) & s.extra["lump_funded"]
                done |= payoff
                continue
            s.decline[done] = "lesser_concession_affordable"
            s.offered = s.offered & ~done
            done |= acceptable(s, ctx.channel)
    if "settlement" in sets:
        s = sets["settlement"]
        served = done & ~payoff
        s.decline[served] = "lesser_concession_affordable"
        s.offered = s.offered & ~served
    if pending:
        complete(ctx, pending)
    for s in beside:
        sets[s.type] = s
    return {t: sets[t] for t in ORDER if t in sets}
