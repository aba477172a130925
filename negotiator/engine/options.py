"""Repayment options for whole arrays of accounts: the ladder of concessions, as option sets.

Rungs, least concession first: catch-up (spread the arrears), term extension
(loans), instalment (re-age the whole balance), interest reduction, fee
waiver, interest-free instalment, settlement. The hardship plans sit beside
the ladder. Every rung includes the largest concession of the rungs below it
(a fee waiver is priced at the floor rate over the longest term).

The rules are written once, per account, in :mod:`negotiator.engine.ladder` and
each kind's module under :mod:`negotiator.kinds`:
:func:`build` gathers the policy's figures (once per policy, channel,
frequency and what-if) and each account's, runs the ladder over every
account (plain Python for a quote, compiled by numba for a portfolio; see
:mod:`negotiator.engine.compiled`) and returns one :class:`OptionSet` per kind,
arrays over the accounts, for the decision, rendering and the batch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from negotiator.core.money import RATE_SCALE, rate_to_ppm
from negotiator.engine import compiled
from negotiator.engine.accounts import Accounts
from negotiator.engine.affordability import Assessment
from negotiator.engine.plans import Plans, Solved
from negotiator.kernels import MODES
from negotiator.kinds import KINDS, LADDER, ORDER, Kind, decline_codes
from negotiator.kinds import dispatch as D
from negotiator.kinds import kernel as L
from negotiator.kinds.base import ppm as _ppm
from negotiator.policy import TIERS, Policy

RUNGS = LADDER
BEYOND = L.BEYOND
_NONE = np.zeros(0, dtype=np.int64)      # not worked out yet
_FEW = 8                                 # up to this many accounts, per-account Python beats whole-array set-up
__all__ = ["ORDER", "TIERS", "RUNGS", "BEYOND", "OptionSet", "Context", "build", "acceptable"]


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
    solved: Solved = field(default_factory=lambda: Solved(_NONE, _NONE, _NONE))
    extra: dict[str, np.ndarray] = field(default_factory=dict)   # the kind's own working figures
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
    longest: np.ndarray = field(default_factory=lambda: _NONE)         # the kind's longest term, -1: not a bound
    all_in_apr: np.ndarray = field(default_factory=lambda: _NONE)      # all-in annualised cost, float
    fees_capped: np.ndarray = field(default_factory=lambda: _NONE)     # carried charges waived by the all-in cap

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
             "plan_apr", "total_interest", "total_fees", "longest", "all_in_apr", "fees_capped")


class Context:
    """The policy's figures for one channel and frequency, and the per-account figures every kind reads."""

    def __init__(self, acc: Accounts, assessment: Assessment, policy: Policy, channel: str,
                 fixed: dict | None = None):
        #: What a what-if fixes instead of the engine choosing it: ``term`` (months) or ``lump`` (minor units);
        #: ``what_if`` alone marks a what-if that fixes neither (a proposed payment): its plan is worked out
        #: even where the contract as it stands would do.
        self.fixed = fixed or {}
        self.assessment = assessment
        self.acc, self.policy, self.channel = acc, policy, channel
        self.n = len(acc)
        # Payments a year: one frequency per context (a quote is one account; the batch is monthly).
        self.ppy = int(acc.ppy[0]) if self.n else 12
        if self.n > 1 and not bool((acc.ppy == self.ppy).all()):
            raise ValueError("accounts of one context share one payment frequency")
        self.den = self.ppy * RATE_SCALE
        #: The policy's discount rate for one period.
        self.d = float((1 + policy.discount_monthly) ** (12 / self.ppy) - 1)
        inst = policy.options.instalment
        cap_total = policy.max_term_months
        if channel == "portal":
            cap_total = min(cap_total, policy.portal.max_term_months)
        self.max_term = self.periods(min(inst.max_months, cap_total))
        self.min_term = min(self.periods(inst.min_months), self.max_term)
        self.cap_total = self.periods(cap_total)
        self.flat = inst.pricing == "flat_fee"
        self.flat_ppm = rate_to_ppm(inst.flat_fee_rate) if self.flat else 0

    @property
    def first_due(self) -> np.ndarray:
        """Each account's first due date, days from 1970-01-01: the one the borrower chose, else the policy's
        offset from the plans' start (``as_of``)."""
        acc = self.acc
        days = np.where(acc.first_due_days != 0, acc.first_due_days, self.policy.first_payment_offset_days)
        return acc.as_of_day + days

    @property
    def first_days(self) -> np.ndarray:
        """Each account's first period, from the plans' start to the first due date, in the policy's day count's
        days (:meth:`negotiator.policy.Policy.first_days`)."""
        start, first = self.acc.as_of_day, self.first_due
        if self.policy.day_count != "30/360":
            return first - start
        epoch = dt.date(1970, 1, 1)
        if self.n <= _FEW:      # a quote: its own pair, no sorting out of the pairs that repeat
            return np.array([self.policy.first_days(epoch + dt.timedelta(days=a), epoch + dt.timedelta(days=f))
                             for a, f in zip(start.tolist(), first.tolist())], dtype=np.int64)
        pairs, back = np.unique(np.stack([start, first], axis=1), axis=0, return_inverse=True)
        days = [self.policy.first_days(epoch + dt.timedelta(days=int(a)), epoch + dt.timedelta(days=int(f)))
                for a, f in pairs]
        return np.asarray(days, dtype=np.int64)[np.asarray(back).reshape(-1)]

    @property
    def A(self) -> np.ndarray:
        """What a plan starting now may take each period, from the monthly budget, rounded down."""
        return self.assessment.now * 12 // self.ppy

    @property
    def A_after(self) -> np.ndarray:
        """What a plan may take each period once a declared hardship ends."""
        return self.assessment.affordable * 12 // self.ppy

    def periods(self, months: int) -> int:
        """A span of months as a number of payments at this context's frequency (whole payments, down).

        60 months are 260 weekly or 130 fortnightly payments.
        """
        return months * self.ppy // 12


def acceptable(s: OptionSet, channel: str) -> np.ndarray:
    """Offered, affordable, within policy, and (on a portal) needing no approval: :func:`ladder.acceptable`."""
    return acceptable_sets([s], channel)[0]


def acceptable_sets(sets: list[OptionSet], channel: str) -> list[np.ndarray]:
    """:func:`acceptable` of several option sets, in one run of the kernel over all of them."""
    if not sets:
        return []
    offered, affordable, tier = (np.concatenate([getattr(s, k) for s in sets]) for k in ("offered", "affordable",
                                                                                         "tier"))
    n = len(offered)
    ok = compiled.run("acceptable_many", n, [offered, affordable, tier, channel == "portal"], [(n, np.bool_)])[0]
    out, start = [], 0
    for s in sets:
        out.append(ok[start:start + len(s.offered)])
        start += len(s.offered)
    return out


# --------------------------------------------------------------------------- the kernels' inputs

_PARAMS: dict[tuple, tuple] = {}
_DECLINE_CODES = {name: np.array(decline_codes(kind), dtype=object) for name, kind in KINDS.items()}


def params(ctx: Context, wanted: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(P, PF, KP)``: the policy's figures as the ladder kernels read them (see :mod:`negotiator.engine.ladder`).

    Built once per policy, channel, frequency, what-if and set of kinds, then cached.
    """
    pol = ctx.policy
    key = (id(pol), ctx.channel, ctx.ppy, ctx.fixed.get("term", -1), ctx.fixed.get("lump", -1), bool(ctx.fixed),
           wanted)
    hit = _PARAMS.get(key)
    if hit is not None and hit[0] is pol:
        return hit[1]
    o = pol.options
    reage = pol.reage
    tiers = pol.approval.tiers()
    P = [0] * L.NP
    values = {
        L.P_PPY: ctx.ppy, L.P_DEN: ctx.den, L.P_CAP_TOTAL: ctx.cap_total, L.P_MAX_TERM: ctx.max_term,
        L.P_MIN_TERM: ctx.min_term, L.P_FLAT: int(ctx.flat), L.P_FLAT_PPM: ctx.flat_ppm,
        L.P_MODE: MODES[pol.rounding], L.P_PORTAL: int(ctx.channel == "portal"),
        L.P_ADJUST: int("term" not in ctx.fixed and "lump" not in ctx.fixed), L.P_WHAT_IF: int(bool(ctx.fixed)),
        L.P_FIXED_TERM: int(ctx.fixed.get("term", -1)),
        L.P_FIXED_LUMP: int(ctx.fixed.get("lump", -1)), L.P_REAGE: int(reage is not None),
        L.P_REAGE_AGE: reage.min_account_age_months if reage else 0,
        L.P_REAGE_PAYMENTS: reage.min_consecutive_payments if reage else 0,
        L.P_REAGE_12M: reage.max_per_12_months if reage else 0, L.P_REAGE_5Y: reage.max_per_5_years if reage else 0,
        L.P_SHARE0: tiers[0].max_share_ppm, L.P_SHARE1: tiers[1].max_share_ppm, L.P_SHARE2: tiers[2].max_share_ppm,
        L.P_COMPOUND: int(pol.apr_method == "compound"),
        L.P_IR_FLOOR: _ppm(o.interest_reduction.apr_floor), L.P_IR_STEP: _ppm(o.interest_reduction.step),
        L.P_IR_ENABLED: int(o.interest_reduction.enabled),
        L.P_YEAR: pol.year_days, L.P_ALL_IN_CAP: pol.max_apr_ppm if pol.max_apr_all_in else -1,
    }
    for i, v in values.items():
        P[i] = int(v)
    PF = [ctx.d, pol.discount_monthly]
    KP = [0] * (len(ORDER) * D.NK)
    for k, name in enumerate(ORDER):
        rule, kind = pol.option(name), KINDS[name]
        row = {L.K_ENABLED: rule.enabled, L.K_CARD: "credit_card" in rule.products, L.K_LOAN: "loan" in rule.products,
               L.K_MIN_DPD: rule.min_dpd, L.K_MAX_DPD: rule.max_dpd, L.K_MIN_TIER: rule.min_tier,
               L.K_REAGES: kind.reages, L.K_IN_MORATORIUM: kind.in_moratorium, L.K_ANY_FREQUENCY: kind.any_frequency,
               L.K_NEEDS_HARDSHIP: kind.needs_hardship, L.K_SLOT: wanted.index(name) if name in wanted else -1,
               L.K_FROM_LUMP: kind.held_from_lump, L.K_RECOVERY: kind.needs_recovery,
               L.K_ANY_AMOUNT: kind.any_amount}
        for j, v in row.items():
            KP[k * D.NK + j] = int(v)
        for j, v in enumerate(kind.params(rule)):
            KP[k * D.NK + L.K_OWN + j] = int(v)
    out = (np.array(P, dtype=np.int64), np.array(PF, dtype=np.float64), np.array(KP, dtype=np.int64))
    if len(_PARAMS) > 256:
        _PARAMS.clear()
    _PARAMS[key] = (pol, out)
    return out


def accounts_matrix(ctx: Context) -> np.ndarray:
    """Every account's figures as the ladder kernels read them: an ``(n, NX)`` int64 array."""
    acc, pol = ctx.acc, ctx.policy
    X = np.empty((ctx.n, L.NX), dtype=np.int64)
    cap = pol.options.instalment.apr_cap
    cols = {
        L.X_BALANCE: acc.balance, L.X_ARREARS: acc.arrears, L.X_FEES: acc.fees, L.X_CONTRACTUAL: acc.contractual,
        L.X_APR: acc.apr_ppm, L.X_DPD: acc.dpd, L.X_LOAN: acc.is_loan, L.X_REMAINING: acc.remaining_term,
        L.X_LUMP: acc.lump_sum, L.X_HARDSHIP: acc.hardship_months, L.X_AGE: acc.age_months,
        L.X_CONSECUTIVE: acc.consecutive, L.X_REAGES_12M: acc.reages_12m, L.X_REAGES_5Y: acc.reages_5y,
        L.X_MORATORIUM: acc.in_moratorium, L.X_A: ctx.A, L.X_A_AFTER: ctx.A_after,
        L.X_BASE_APR: acc.apr_ppm if cap is None else np.minimum(acc.apr_ppm, rate_to_ppm(cap)),
        L.X_WAIVABLE: acc.fees_of(tuple(pol.options.fee_waiver.parts)),
        L.X_A_MONTH: ctx.assessment.now,
        L.X_IFI_WAIVE: (acc.fees_of(("penalty_interest", "late_fees"))
                        if pol.options.interest_free_instalment.waive_fees else 0),
        L.X_ODD: ctx.first_days, L.X_START: acc.as_of_day, L.X_FIRST: ctx.first_due,
    }
    for c, v in cols.items():
        X[:, c] = v
    for cur, rows in acc.currency_groups():
        amounts = pol.amounts(cur)
        where = slice(None) if rows is None else rows
        X[where, L.X_HOLIDAY] = amounts.holiday_payment
        X[where, L.X_MIN_PAY] = amounts.min_payment
        X[where, L.X_TOKEN] = amounts.token_payment
        X[where, L.X_TIER0], X[where, L.X_TIER1], X[where, L.X_TIER2] = amounts.tier_max
    return X


class _Row:
    """A field of an option set made from the kind's rows of the ladder's outputs when it is first read.

    :func:`build`'s option sets hold the kernel's output block of their kind (``_oi``, ``_of``) and make each
    column (a view of its row) on first use: a quote reads a handful of the fields of the kinds it declines.
    A field set directly (a set made by :class:`OptionSet` itself, or changed by :func:`after_broken`) is an
    instance attribute and never reaches this.
    """

    def __init__(self, make):
        self.make = make

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = self.make(obj)
        obj.__dict__[self.name] = value
        return value


def _plans(s) -> Plans:
    r = s._oi
    return Plans(r[L.O_PRINCIPAL], r[L.O_FEES], r[L.O_APR], r[L.O_FLAT], r[L.O_TERM], r[L.O_HOLD], r[L.O_HOLD_PAY],
                 r[L.O_HOLD_APR], r[L.O_PPY], r[L.O_ODD], r[L.O_YEAR])


_ROWS = {
    "decline": lambda s: _DECLINE_CODES[s.type][s._oi[L.O_DECLINE]], "plans": _plans,
    "regular": lambda s: s._oi[L.O_REGULAR], "fees_waived": lambda s: s._oi[L.O_WAIVED],
    "principal_forgiven": lambda s: s._oi[L.O_FORGIVEN],
    "solved": lambda s: Solved(s._oi[L.O_LEVEL], s._oi[L.O_FINAL], s._oi[L.O_STERM]),
    "extra": lambda s: s.kind.extra(s._oi),
    "monthly_payment": lambda s: s._oi[L.O_MONTHLY], "max_payment": lambda s: s._oi[L.O_MAX_PAY],
    "total": lambda s: s._oi[L.O_TOTAL], "effective_apr": lambda s: s._of[L.F_EFF_APR],
    "value": lambda s: s._oi[L.O_VALUE], "tier": lambda s: s._oi[L.O_TIER], "npv": lambda s: s._of[L.F_NPV],
    "plan_apr": lambda s: s._oi[L.O_PLAN_APR], "total_interest": lambda s: s._oi[L.O_INTEREST],
    "total_fees": lambda s: s._oi[L.O_PLAN_FEES], "longest": lambda s: s._oi[L.O_LONGEST],
    "all_in_apr": lambda s: s._of[L.F_ALL_IN], "fees_capped": lambda s: s._oi[L.O_CAPPED],
}
for _name, _make in _ROWS.items():
    _lazy = _Row(_make)
    _lazy.__set_name__(OptionSet, _name)
    setattr(OptionSet, _name, _lazy)


def _option_set(name: str, oi: np.ndarray, of: np.ndarray, offered: np.ndarray, affordable: np.ndarray) -> OptionSet:
    """Kind ``name``'s outputs (``(NO, n)`` ints and ``(NF, n)`` floats, one row per field) as an option set.

    ``offered`` and ``affordable`` are its rows of those flags (worked out for every kind at once); the other
    fields are made when first read (:class:`_Row`).
    """
    s = object.__new__(OptionSet)
    s.__dict__.update(type=name, offered=offered, kind=KINDS[name], affordable=affordable, _oi=oi, _of=of)
    return s


def build(acc: Accounts, assessment: Assessment, policy: Policy, channel: str = "agent",
          types: tuple[str, ...] | None = None, fixed: dict | None = None) -> dict[str, OptionSet]:
    """Every requested option kind (default: those the policy enables) for every account, solved and assessed.

    Rungs above an account's first acceptable rung are declined with
    ``lesser_concession_affordable`` (:func:`negotiator.engine.ladder.ladder_one`).
    """
    if types is None:
        types = tuple(t for t in ORDER if policy.option(t).enabled)
    wanted = tuple(t for t in ORDER if t in types)
    ctx = Context(acc, assessment, policy, channel, fixed)
    P, PF, KP = params(ctx, wanted)
    n = ctx.n
    X = accounts_matrix(ctx)
    slots = len(wanted)
    OI, OF = compiled.run("ladder_many", n, [P, PF, KP, X.ravel(), n],
                          [(slots * D.NO * n, np.int64), (slots * L.NF * n, np.float64)])
    OI, OF = OI.reshape(slots, D.NO, n), OF.reshape(slots, L.NF, n)
    # Each field of each kind is a row of these arrays: the option sets' columns are views of them.
    offered, affordable = OI[:, L.O_OFFERED] != 0, OI[:, L.O_AFFORDABLE] != 0
    sets = {t: _option_set(t, OI[j], OF[j], offered[j], affordable[j]) for j, t in enumerate(wanted)}
    floor = policy.broken_arrangements.floor(acc.broken_12m)
    if floor.any():
        for s in sets.values():
            after_broken(s, floor)
    return sets


def after_broken(s: OptionSet, floor: np.ndarray) -> None:
    """Arrangements broken in the last 12 months raise the approval every plan needs to ``floor``, or (above
    :data:`BEYOND`) leave none to offer: the policy's ``broken_arrangements`` limits, the lender's own (issue 18).

    Every kind is raised alike, so the ladder's choice of rung stands: on the agent channel a rung within policy
    stays so; on the portal every plan then needs an agent.
    """
    none = floor > BEYOND        # no plan at all: the one reason for every kind, whatever else it had
    s.offered = s.offered & ~none
    s.decline = s.decline.copy()
    s.decline[none] = "broken_arrangements"
    within = s.tier < BEYOND
    s.tier = np.where(within, np.maximum(s.tier, np.minimum(floor, BEYOND - 1)), s.tier)
