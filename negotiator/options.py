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
from .kinds import BESIDE, KINDS, LADDER, ORDER, Kind
from .money import RATE_SCALE, rate_to_ppm
from .plans import MONTHLY_DEN, Plans, Solved, disclosed_rate, present_value, solve
from .policy import TIERS, Policy

RUNGS = LADDER
BEYOND = 3
_NONE = np.zeros(0, dtype=np.int64)      # not worked out yet
__all__ = ["ORDER", "TIERS", "RUNGS", "BEYOND", "OptionSet", "Context", "build", "complete", "acceptable"]


@dataclass
class OptionSet:
    """One option kind for every account (arrays of length n)."""

    type: str
    offered: np.ndarray
    decline: np.ndarray                  # reason code (object) where not offered, else None
    plans: Plans
    regular: np.ndarray                  # regular contractual payment paid on top (catch-up)
    fees_waived: np.ndarray
    principal_forgiven: np.ndarray
    kind: Kind
    solved: Solved = field(default_factory=lambda: Solved(_NONE, _NONE, _NONE))   # set by solve_sets
    extra: dict[str, np.ndarray] = field(default_factory=dict)   # the kind's own working figures
    # filled by _finish
    monthly_payment: np.ndarray = field(default_factory=lambda: _NONE)
    max_payment: np.ndarray = field(default_factory=lambda: _NONE)
    total: np.ndarray = field(default_factory=lambda: _NONE)
    effective_apr: np.ndarray = field(default_factory=lambda: _NONE)   # annualised rate disclosed, float
    value: np.ndarray = field(default_factory=lambda: _NONE)           # concession value at PV, minor units
    tier: np.ndarray = field(default_factory=lambda: _NONE)            # 0 none, 1 agent, 2 supervisor, 3 beyond
    affordable: np.ndarray = field(default_factory=lambda: _NONE)
    npv: np.ndarray = field(default_factory=lambda: _NONE)             # lender NPV, minor units (float)
    plan_apr: np.ndarray = field(default_factory=lambda: _NONE)        # nominal rate, ppm (a catch-up: the account's)
    total_interest: np.ndarray = field(default_factory=lambda: _NONE)  # interest paid (flat fees excluded)
    total_fees: np.ndarray = field(default_factory=lambda: _NONE)      # plan fees charged (flat-fee pricing)

    @property
    def within_policy(self) -> np.ndarray:
        return self.tier < BEYOND

    def take(self, idx) -> OptionSet:
        """The accounts at ``idx`` only (arrays copied)."""
        def cut(a):
            return np.array(a[idx]) if isinstance(a, np.ndarray) else a
        out = OptionSet(self.type, cut(self.offered), cut(self.decline), self.plans.take(idx), cut(self.regular),
                        cut(self.fees_waived), cut(self.principal_forgiven), self.kind, self.solved.take(idx),
                        {k: cut(v) for k, v in self.extra.items()})
        for name in _FINISHED:
            setattr(out, name, cut(getattr(self, name)))
        return out


_FINISHED = ("monthly_payment", "max_payment", "total", "effective_apr", "value", "tier", "affordable", "npv",
             "plan_apr", "total_interest", "total_fees")


class Context:
    """Arrays and policy figures shared by every kind."""

    def __init__(self, acc: Accounts, assessment: Assessment, policy: Policy, channel: str,
                 fixed: dict | None = None):
        #: What a what-if fixes instead of the engine choosing it: ``term`` (months) or ``lump`` (minor units).
        self.fixed = fixed or {}
        self.assessment = assessment
        self.acc, self.policy, self.channel = acc, policy, channel
        self.n = len(acc)
        # Payments a year: one frequency per context (a quote is one account; the batch is monthly).
        self.ppy = int(acc.ppy[0]) if self.n else 12
        if self.n and not bool((acc.ppy == self.ppy).all()):
            raise ValueError("accounts of one context share one payment frequency")
        self.den = self.ppy * RATE_SCALE
        #: The policy's discount rate for one period.
        self.d = float((1 + policy.discount_monthly) ** (12 / self.ppy) - 1)
        # What a plan may take each period, from the monthly budget, rounded down.
        self.A = assessment.now * 12 // self.ppy              # what a plan starting now may take
        self.A_after = assessment.affordable * 12 // self.ppy  # what it may take once a declared hardship ends
        self.unit = acc.unit
        self.owed = acc.balance + acc.fees
        self.rounding = policy.rounding
        inst = policy.options.instalment
        self.cap_total = policy.max_term_months
        if channel == "portal":
            self.cap_total = min(self.cap_total, policy.portal.max_term_months)
        self.max_term = self.periods(min(inst.max_months, self.cap_total))
        self.min_term = min(self.periods(inst.min_months), self.max_term)
        self.cap_total = self.periods(self.cap_total)
        self.flat = inst.pricing == "flat_fee"
        cap = inst.apr_cap
        self.base_apr = acc.apr_ppm if cap is None else np.minimum(acc.apr_ppm, rate_to_ppm(cap))
        self.flat_ppm = rate_to_ppm(inst.flat_fee_rate) if self.flat else 0
        self.amounts_holiday = policy.amount_array("holiday_payment", acc)
        self.tier_limits = policy.tier_limits(acc)

    def periods(self, months: int) -> int:
        """A span of months as a number of payments at this context's frequency (whole payments, down).

        60 months are 260 weekly or 130 fortnightly payments.
        """
        return months * self.ppy // 12

    def take(self, idx: np.ndarray) -> Context:
        """The same context for the accounts at ``idx`` only: its per-account arrays sliced, not worked out again."""
        out = object.__new__(Context)
        for k, v in self.__dict__.items():
            out.__dict__[k] = v[idx] if isinstance(v, np.ndarray) and v.ndim and len(v) == self.n else v
        out.acc, out.assessment, out.n = self.acc.take(idx), self.assessment.take(idx), len(idx)
        return out


def solve_sets(sets: list[OptionSet], rounding: str, rows: dict[str, np.ndarray] | None = None) -> None:
    """Solve the offered rows of every set in one stacked call, in place."""
    parts, where = [], []
    for s in sets:
        idx = np.flatnonzero(s.offered) if rows is None else rows[s.type]
        if len(idx):
            parts.append(s.plans.take(idx))
            where.append((s, idx))
        if len(s.solved.level) != len(s.offered):
            s.solved = Solved(level=np.zeros(len(s.offered), np.int64), final=np.zeros(len(s.offered), np.int64),
                              term=s.plans.term.copy())
    if not parts:
        return
    solved = solve(Plans.concat(parts), rounding)
    start = 0
    for s, idx in where:
        end = start + len(idx)
        s.solved.level[idx] = solved.level[start:end]
        s.solved.final[idx] = solved.final[start:end]
        s.solved.term[idx] = solved.term[start:end]
        start = end


def _finish(ctx: Context, s: OptionSet) -> None:
    """Totals, concession value, approval tier, affordability, NPV: the same for every kind."""
    acc, pol = ctx.acc, ctx.policy
    p, sv = s.plans, s.solved
    n = sv.term
    if s.type == "term_extension":
        # A tiny balance can be cleared sooner than the level implies: then it is no extension.
        same = s.offered & (n <= acc.remaining_term)
        s.decline[same] = "no_extension_needed"
        s.offered = s.offered & ~same
    s.monthly_payment = sv.level + s.regular
    # The most any month asks of the monthly budget (a held payment from the lump sum is not).
    held = 0 if s.kind.held_from_lump else np.where(p.hold > 0, p.hold_payment, 0)
    s.max_payment = np.maximum(s.monthly_payment, held)
    s.max_payment = np.where(n == p.hold + 1, np.maximum(sv.final + s.regular, held), s.max_payment)
    s.total = sv.total(p) + s.regular * n
    s.total_fees = p.flat_fee * np.maximum(n - p.hold, 0)
    s.total_interest = s.total - (p.principal + p.fees) - s.regular * n - s.total_fees
    s.plan_apr = acc.apr_ppm.copy() if s.type == "catch_up" else p.apr_ppm.copy()
    d = ctx.d
    s.value = np.round(s.kind.forgone(ctx, s)).astype(np.int64) + s.fees_waived + s.principal_forgiven
    tier = np.full(ctx.n, BEYOND, dtype=np.int64)
    for t in reversed(range(3)):
        lim = pol.approval.tiers()[t]
        ok = (s.value <= ctx.tier_limits[:, t]) & (s.value * RATE_SCALE <= ctx.owed * lim.max_share_ppm)
        tier = np.where(ok, t, tier)
    tier = np.where(tier < BEYOND, np.maximum(tier, s.kind.min_tier(ctx, s)), tier)
    tier = np.where(s.kind.mandatory(ctx, s), 0, tier)
    # No plan, held months included, may run past the policy's longest term
    # or outside what its kind allows (a what-if can ask for either).
    s.tier = np.where((n > ctx.cap_total) | ~s.kind.in_bounds(ctx, s), BEYOND, tier)
    s.affordable = s.kind.affordable(ctx, s)
    s.npv = present_value(p, sv, d)
    if s.type == "catch_up":
        r_acct = acc.apr_ppm / MONTHLY_DEN
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

    The disclosed annualised rate is worked out for offered rows only.
    """
    solve_sets(sets, ctx.rounding)
    for _ in range(3 if adjust else 0):
        rows = {}
        for s in sets:
            over = s.offered & (s.solved.level + s.regular > ctx.A)
            rows[s.type] = np.flatnonzero(s.kind.fit(ctx, s, over))
        if not any(len(r) for r in rows.values()):
            break
        solve_sets(sets, ctx.rounding, rows)
    for s in sets:
        _finish(ctx, s)
    disclose(ctx, sets)


def disclose(ctx: Context, sets: list[OptionSet]) -> None:
    """The annualised rate of every offered plan, by the policy's method, in one stacked call.

    A catch-up leaves the contract running: it discloses the account's rate.
    """
    picks = [(s, np.flatnonzero(s.offered)) for s in sets]
    picks = [(s, idx) for s, idx in picks if len(idx)]
    for s in sets:
        s.effective_apr = np.zeros(ctx.n)
    if not picks:
        return
    plans = Plans.concat([s.plans.take(i) for s, i in picks])
    solved = Solved.concat([s.solved.take(i) for s, i in picks])
    monthly = disclosed_rate(plans, solved, ctx.rounding)
    start = 0
    for s, idx in picks:
        m = monthly[start:start + len(idx)]
        if s.type == "catch_up":
            m = ctx.acc.apr_ppm[idx] / MONTHLY_DEN
            s.effective_apr[idx] = annualise(m, ctx.policy.apr_method)
        else:
            s.effective_apr[idx] = annualise(m, ctx.policy.apr_method, ctx.ppy)
        start += len(idx)


def annualise(periodic, method: str, ppy: int = 12) -> np.ndarray:
    """A rate per period (``ppy`` periods a year) as the annual rate the policy discloses.

    ``nominal``: the periodic rate times the periods in a year (Regulation Z's
    actuarial APR, China's IRR-based 年化利率); ``compound``: (1 + i) ** ppy - 1
    (CONC App 1.1).

    >>> float(annualise(0.299 / 12, "nominal")), round(float(annualise(0.299 / 12, "compound")), 4)
    (0.299, 0.3436)
    >>> round(float(annualise(0.299 / 52, "compound", 52)), 4)
    0.3474
    """
    m = np.asarray(periodic, dtype=float)
    return np.expm1(ppy * np.log1p(m)) if method == "compound" else m * ppy


def acceptable(s: OptionSet, channel: str) -> np.ndarray:
    """Offered, affordable, within policy, and (on a portal) needing no approval."""
    ok = s.offered & s.affordable & s.within_policy
    return ok & (s.tier == 0) if channel == "portal" else ok


def _declined(kind: str, n: int) -> OptionSet:
    """A set whose every account a lower rung already served."""
    z = np.zeros(n, dtype=np.int64)
    s = OptionSet(kind, np.zeros(n, dtype=bool), np.full(n, "lesser_concession_affordable", dtype=object),
                  Plans.build(z, term=1), z, z, z, KINDS[kind], Solved(z, z, z + 1))
    s.monthly_payment = s.max_payment = s.total = s.value = s.tier = s.plan_apr = s.total_interest = z
    s.total_fees = z
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
                    Plans(*(grow(v) for v in part.plans.columns())), grow(part.regular),
                    grow(part.fees_waived), grow(part.principal_forgiven), part.kind,
                    Solved(*(grow(getattr(part.solved, k)) for k in ("level", "final", "term"))),
                    {k: grow(v) for k, v in part.extra.items()})
    for name in _FINISHED:
        setattr(out, name, grow(getattr(part, name)))
    served = np.ones(n, dtype=bool)
    served[rows] = False
    out.decline[served] = "lesser_concession_affordable"
    return out


def build(acc: Accounts, assessment: Assessment, policy: Policy, channel: str = "agent",
          types: tuple[str, ...] | None = None, stack_below: int = 256,
          fixed: dict | None = None) -> dict[str, OptionSet]:
    """Every requested option kind (default: those the policy enables) for every account, solved and assessed.

    Rungs above an account's first acceptable rung are declined with
    ``lesser_concession_affordable``. ``stack_below`` only chooses how the
    work is scheduled (rungs above the first stacked in one pass, or rung by
    rung); the answers are the same either way.
    """
    if types is None:
        types = tuple(t for t in ORDER if policy.option(t).enabled)
    ctx = Context(acc, assessment, policy, channel, fixed)
    sets: dict[str, OptionSet] = {}
    beside = [KINDS[t].build(ctx) for t in BESIDE if t in types]
    done = np.zeros(ctx.n, dtype=bool)
    rungs = [t for t in LADDER if t in types]
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
        built = [KINDS[t].build(sub) for t in group]
        complete(sub, built + (pending if sub is ctx else []), adjust=not ctx.fixed)
        if pending and sub is not ctx:
            complete(ctx, pending, adjust=not ctx.fixed)
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
            done |= acceptable(s, ctx.channel) | s.kind.contract_suffices(s)
    if "settlement" in sets:
        s = sets["settlement"]
        served = done & ~payoff
        s.decline[served] = "lesser_concession_affordable"
        s.offered = s.offered & ~served
    if pending:
        complete(ctx, pending, adjust=not ctx.fixed)
    for s in beside:
        sets[s.type] = s
    return {t: sets[t] for t in ORDER if t in sets}
