"""Option kinds: each kind's one home.

A kind knows how its plan is built for every account at once, how it is
adjusted to fit the affordable payment, what it concedes against the
contract, when it is affordable, and how it is explained. Code elsewhere
never asks which kind it holds; it calls these hooks. The ladder is an
ordered list of kinds (:data:`LADDER`); :data:`BESIDE` are offered beside it
when the borrower's situation calls for them.

Concessions are valued against the contract: a plan's *contract twin* is the
same plan priced at the account's own rate (or, for flat-fee pricing, the
policy's standard instalment fee), held months bearing the contract rate.
The interest forgone is the present value, at the policy's discount rate, of
the difference between the twin's payments and the plan's; fees waived and
principal forgiven count at face value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from . import finance
from .money import RATE_SCALE, rate_to_ppm
from .plans import MONTHLY_DEN, Plans, estimate_level

if TYPE_CHECKING:
    from .options import Context, OptionSet

Reason = tuple[str, dict]


def _ceil_div(a, b):
    return -(-a // b)


def months_from(n_star, lo, hi) -> np.ndarray:
    """Whole months from a fractional count, within ``[lo, hi]``."""
    m = np.where(np.isfinite(n_star), np.ceil(np.minimum(n_star, 1e6) - 1e-9), hi)
    return np.clip(m, lo, np.maximum(hi, lo)).astype(np.int64)


def amortising_months(principal, fees, apr_ppm, flat_fee, afford, den: int = MONTHLY_DEN) -> np.ndarray:
    """Fractional periods (months by default) a payment of ``afford`` needs: principal first, then fees."""
    r = apr_ppm / den
    pay = afford - flat_fee
    with np.errstate(divide="ignore", invalid="ignore"):
        n = finance.periods(principal, r, pay) + np.where(pay > 0, fees / np.where(pay > 0, pay, 1), np.inf)
    return np.where(pay > 0, n, np.inf)


def flat_fee(principal, flat_ppm) -> np.ndarray:
    """The monthly fee of flat-fee pricing on ``principal``."""
    return principal * flat_ppm // RATE_SCALE


class Kind:
    """One option kind. Subclasses override the hooks they need."""

    name: ClassVar[str]
    #: Brings the account current by re-ageing it: the policy's re-age rules apply.
    reages: ClassVar[bool] = False
    #: May be offered during a moratorium (breathing space).
    in_moratorium: ClassVar[bool] = False
    #: The plan covers part of the debt while the contract runs on for the rest (a catch-up).
    contract_runs_on: ClassVar[bool] = False
    #: The plan ends at a review with a balance still owed (a token payment arrangement).
    leaves_balance: ClassVar[bool] = False
    #: The held first payment comes from the declared lump sum, not the monthly budget.
    held_from_lump: ClassVar[bool] = False
    #: Weekly and fortnightly payments are offered (otherwise the kind is monthly only).
    any_frequency: ClassVar[bool] = False
    #: Offered only when a hardship is declared.
    needs_hardship: ClassVar[bool] = False

    # -- where the policy offers it
    def window(self, ctx: Context) -> np.ndarray:
        """Decline code per account (None where offered) from the policy's rules for this kind."""
        opt = ctx.policy.option(self.name)
        acc = ctx.acc
        decline = np.full(ctx.n, None, dtype=object)
        prod_ok = np.where(acc.is_loan, "loan" in opt.products, "credit_card" in opt.products)
        dpd_ok = (acc.dpd >= opt.min_dpd) & (acc.dpd <= opt.max_dpd)
        if self.reages and ctx.policy.reage is not None:
            _reage_declines(ctx, decline)
        if not self.in_moratorium:
            decline[acc.in_moratorium] = "moratorium_in_force"
        decline[~dpd_ok] = "dpd_out_of_range"
        decline[~prod_ok] = "product_not_eligible"
        if ctx.ppy != 12 and not self.any_frequency:
            decline[:] = "monthly_only"
        if not opt.enabled:
            decline[:] = "option_disabled"
        if self.needs_hardship:
            decline[(decline == None) & (acc.hardship_months == 0)] = "no_hardship_declared"  # noqa: E711
        return decline

    def build(self, ctx: Context) -> OptionSet:
        raise NotImplementedError

    # -- fit
    def longest(self, ctx: Context, s: OptionSet) -> np.ndarray | None:
        """The longest term this kind may take for each account (None: the term is not what fits)."""
        return None

    def fit(self, ctx: Context, s: OptionSet, over: np.ndarray) -> np.ndarray:
        """One step more concession where rounding left a plan above affordable; the rows changed."""
        hi = self.longest(ctx, s)
        if hi is None:
            return np.zeros(ctx.n, dtype=bool)
        rows = over & (s.plans.term < hi)
        s.plans.term = np.where(rows, s.plans.term + 1, s.plans.term)
        return rows

    # -- value
    def contract_twin(self, ctx: Context, s: OptionSet) -> Plans:
        """The same plan at the contract's price (the measure of interest forgone)."""
        twin = s.plans.copy()
        if ctx.flat:
            twin.apr_ppm = np.zeros(ctx.n, dtype=np.int64)
            twin.flat_fee = flat_fee(twin.principal, ctx.flat_ppm)
        else:
            twin.apr_ppm = ctx.acc.apr_ppm.copy()
        twin.hold_apr_ppm = np.where(twin.hold > 0, ctx.acc.apr_ppm, 0)
        return twin

    def forgone(self, ctx: Context, s: OptionSet) -> np.ndarray:
        """Interest forgone against the contract, at present value (minor units, float)."""
        twin = self.contract_twin(ctx, s)
        d = ctx.d
        n, h = s.solved.term, s.plans.hold
        gap = np.maximum(estimate_level(twin) - estimate_level(s.plans), 0)
        return gap * (finance.annuity_factor(d, n) - finance.annuity_factor(d, h))

    def in_bounds(self, ctx: Context, s: OptionSet) -> np.ndarray:
        """Whether the plan keeps the kind's own limits (a what-if may fix a term or amount outside them)."""
        hi = self.longest(ctx, s)
        return np.ones(ctx.n, dtype=bool) if hi is None else s.solved.term <= hi

    def min_tier(self, ctx: Context, s: OptionSet) -> np.ndarray:
        return np.full(ctx.n, ctx.policy.option(self.name).min_tier, dtype=np.int64)

    def mandatory(self, ctx: Context, s: OptionSet) -> np.ndarray:
        """Accounts where the law, not the lender, grants this plan's concession: no approval applies."""
        return np.zeros(ctx.n, dtype=bool)

    def affordable(self, ctx: Context, s: OptionSet) -> np.ndarray:
        return s.max_payment <= ctx.A

    # -- words
    def explain(self, r, s: OptionSet, i: int) -> list[Reason]:
        return []

    def contract_suffices(self, s: OptionSet) -> np.ndarray:
        """Accounts this kind found need no plan at all: the contract as it stands fits."""
        return np.zeros(len(s.offered), dtype=bool)

    def balance_left(self, s: OptionSet, i: int) -> int:
        """What is still owed when the plan ends (only kinds that leave a balance)."""
        return 0

    def concessions(self, r, s: OptionSet, i: int) -> list[dict]:
        """What the plan gives, for a what-if answer."""
        out = []
        if s.fees_waived[i]:
            out.append({"type": "fee_waiver", "amount": r.amt(s.fees_waived[i])})
        if s.principal_forgiven[i]:
            out.append({"type": "settlement", "principal_forgiven": r.amt(s.principal_forgiven[i])})
        return out


def _reage_declines(ctx: Context, decline: np.ndarray) -> None:
    """FFIEC 2000: at most once in 12 months and twice in 5 years, 3 payments, 9 months open.

    The policy governs open-end credit (cards); a closed-end loan's extensions
    and deferrals are not re-ages under it.
    """
    rules = ctx.policy.reage
    if rules is None:
        return
    acc = ctx.acc
    open_end = ~acc.is_loan
    unknown = (acc.age_months < 0) | (acc.consecutive < 0) | (acc.reages_12m < 0)
    recent = (acc.reages_12m >= rules.max_per_12_months) | (acc.reages_5y >= rules.max_per_5_years)
    for bad, code in ((recent, "reaged_recently"),
                      (acc.consecutive < rules.min_consecutive_payments, "insufficient_payments"),
                      (acc.age_months < rules.min_account_age_months, "account_too_new"),
                      (unknown, "history_required")):
        decline[bad & open_end] = code


def _zero(n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.int64)


def _set(ctx, kind, decline, plans, regular=None, waived=None, forgiven=None, **extra):
    from .options import OptionSet
    z = _zero(ctx.n)
    return OptionSet(kind.name, decline == None, decline, plans,  # noqa: E711
                     z.copy() if regular is None else regular, z.copy() if waived is None else waived,
                     z.copy() if forgiven is None else forgiven, kind, extra=extra)


# --------------------------------------------------------------------------- the rungs

class CatchUp(Kind):
    """The arrears spread over a few months on top of the regular payment; no concession."""

    name = "catch_up"
    contract_runs_on = True

    def build(self, ctx):
        acc = ctx.acc
        decline = self.window(ctx)
        decline[(decline == None) & (acc.arrears == 0)] = "no_arrears"  # noqa: E711
        room = ctx.A - acc.contractual
        with np.errstate(divide="ignore", invalid="ignore"):
            n_star = np.where(room > 0, acc.arrears / np.where(room > 0, room, 1), np.inf)
        hi = min(ctx.policy.options.catch_up.max_months, ctx.cap_total)
        plans = Plans.build(principal=acc.arrears, term=months_from(n_star, 1, hi))
        return _set(ctx, self, decline, plans, regular=acc.contractual.copy())

    def longest(self, ctx, s):
        return np.full(ctx.n, min(ctx.policy.options.catch_up.max_months, ctx.cap_total))

    def forgone(self, ctx, s):
        return np.zeros(ctx.n)

    def explain(self, r, s, i):
        acc = r.acc
        return [("arrears_spread", {"arrears": r.money(acc.arrears[i]), "months": int(s.solved.term[i]),
                                    "regular": r.money(acc.contractual[i])})]


class TermExtension(Kind):
    """A loan's remaining term lengthened, at the contract rate."""

    name = "term_extension"

    def build(self, ctx):
        acc = ctx.acc
        opt = ctx.policy.options.term_extension
        decline = self.window(ctx)
        lo = acc.remaining_term + 1
        hi = np.minimum(np.minimum(acc.remaining_term + opt.max_extra_months, opt.max_total_months), ctx.cap_total)
        decline[(decline == None) & (hi < lo)] = "term_at_maximum"  # noqa: E711
        n_star = amortising_months(acc.balance, acc.fees, acc.apr_ppm, 0, ctx.A)
        term = months_from(n_star, lo, hi) if "term" not in ctx.fixed else np.full(ctx.n, ctx.fixed["term"])
        plans = Plans.build(principal=acc.balance, fees=acc.fees, apr_ppm=acc.apr_ppm, term=term)
        return _set(ctx, self, decline, plans, hi=np.maximum(hi, lo))

    def longest(self, ctx, s):
        return s.extra["hi"]

    def contract_suffices(self, s):
        return s.decline == "no_extension_needed"

    def explain(self, r, s, i):
        return [("term_extended", {"from_months": int(r.acc.remaining_term[i]), "months": int(s.solved.term[i])})]

    def concessions(self, r, s, i):
        return [{"type": "term_extension", "months_added": int(s.solved.term[i] - r.acc.remaining_term[i])}]


class Instalment(Kind):
    """The whole balance re-aged over the shortest affordable term at the plan price."""

    name = "instalment"
    reages = True
    any_frequency = True

    def build(self, ctx):
        acc = ctx.acc
        decline = self.window(ctx)
        fee = flat_fee(acc.balance, ctx.flat_ppm)
        apr = _zero(ctx.n) if ctx.flat else ctx.base_apr
        n_star = amortising_months(acc.balance, acc.fees, apr, fee, ctx.A, ctx.den)
        term = months_from(n_star, ctx.min_term, ctx.max_term)
        if "term" in ctx.fixed:
            term = np.full(ctx.n, ctx.fixed["term"])
        plans = Plans.build(principal=acc.balance, fees=acc.fees, apr_ppm=apr, flat_fee=fee, term=term, ppy=ctx.ppy)
        return _set(ctx, self, decline, plans)

    def longest(self, ctx, s):
        return np.full(ctx.n, ctx.max_term)

    def in_bounds(self, ctx, s):
        return super().in_bounds(ctx, s) & (s.plans.term >= ctx.min_term)

    def explain(self, r, s, i):
        out = [("balance_reaged", {"amount": r.money(r.acc.balance[i] + r.acc.fees[i]),
                                   "months": r.months_of(s, i)})]
        if s.plans.apr_ppm[i] < r.acc.apr_ppm[i] and not s.plans.flat_fee[i]:
            out.append(("rate_reduced", {"from_apr": _pct_ppm(r.acc.apr_ppm[i]), "apr": _pct_ppm(s.plans.apr_ppm[i])}))
        return out

    def concessions(self, r, s, i):
        out = [{"type": "instalment", "term_months": r.months_of(s, i)}]
        if s.plans.apr_ppm[i] < r.acc.apr_ppm[i] and not s.plans.flat_fee[i]:
            out.append({"type": "interest_reduction", "from_apr": _rate(r.acc.apr_ppm[i]),
                        "apr": _rate(s.plans.apr_ppm[i])})
        return out + super().concessions(r, s, i)


class _Priced(Kind):
    """Kinds that cut the plan's price: the rate grid and its explanation."""

    reages = True
    any_frequency = True

    def grid(self, ctx) -> tuple[np.ndarray, int, int]:
        """(base, floor, step) of the plan's price in ppm: APR, or the monthly flat-fee rate."""
        opt = ctx.policy.options.interest_reduction
        if ctx.flat:
            base = np.full(ctx.n, ctx.flat_ppm, dtype=np.int64)
            return base, rate_to_ppm(opt.apr_floor) // 12, max(rate_to_ppm(opt.step) // 12, 1)
        return ctx.base_apr.copy(), rate_to_ppm(opt.apr_floor), rate_to_ppm(opt.step)

    def price(self, ctx, principal, rate_ppm):
        """(apr_ppm, flat_fee) of a plan priced at ``rate_ppm`` under the policy's pricing."""
        if ctx.flat:
            return _zero(ctx.n), flat_fee(principal, rate_ppm)
        return rate_ppm, _zero(ctx.n)

    def longest(self, ctx, s):
        return np.full(ctx.n, ctx.max_term)

    def explain_rate(self, r, s, i) -> list[Reason]:
        rate = s.extra["rate"][i]
        if r.ctx.flat:
            if rate < r.ctx.flat_ppm:
                return [("fee_rate_reduced", {"from_rate": _pct_ppm(r.ctx.flat_ppm), "rate": _pct_ppm(rate)})]
            return []
        if rate < r.acc.apr_ppm[i]:
            return [("rate_reduced", {"from_apr": _pct_ppm(r.acc.apr_ppm[i]), "apr": _pct_ppm(rate)})]
        return []

    def concessions(self, r, s, i):
        out = [{"type": "instalment", "term_months": r.months_of(s, i)}]
        contract = r.acc.apr_ppm[i] if not r.ctx.flat else r.ctx.flat_ppm * 12
        rate = s.extra["rate"][i] * (12 if r.ctx.flat else 1)
        if rate < contract:
            out.append({"type": "interest_reduction", "from_apr": _rate(contract), "apr": _rate(rate)})
        return out + super().concessions(r, s, i)


class InterestReduction(_Priced):
    """The smallest rate cut, in the policy's steps, down to its floor, at the longest term."""

    name = "interest_reduction"

    def build(self, ctx):
        acc = ctx.acc
        decline = self.window(ctx)
        base, floor, step = self.grid(ctx)
        decline[(decline == None) & (base <= floor)] = "rate_at_floor"  # noqa: E711
        m = ctx.max_term
        P, F, A = acc.balance.astype(float), acc.fees.astype(float), ctx.A.astype(float)
        if ctx.flat:
            with np.errstate(divide="ignore", invalid="ignore"):
                need = np.where(P > 0, (A - (P + F) / m) / np.where(P > 0, P, 1), -1.0) * RATE_SCALE
        else:
            r0 = finance.solve_rate(P + F, A, m)
            r1 = finance.solve_rate(P + F * finance.discount(np.nan_to_num(r0), m), A, m)
            need = r1 * ctx.den
        need = np.where(np.isfinite(need), np.floor(need), -1).astype(np.int64)
        cut = np.maximum(_ceil_div(base - np.minimum(need, base - 1), step), 1) * step
        rate = np.maximum(base - cut, floor)
        apr, fee = self.price(ctx, acc.balance, rate)
        plans = Plans.build(principal=acc.balance, fees=acc.fees, apr_ppm=apr, flat_fee=fee, term=m, ppy=ctx.ppy)
        return _set(ctx, self, decline, plans, rate=rate)

    def fit(self, ctx, s, over):
        _, floor, step = self.grid(ctx)
        rows = over & (s.extra["rate"] > floor)
        s.extra["rate"] = np.where(rows, np.maximum(s.extra["rate"] - step, floor), s.extra["rate"])
        apr, fee = self.price(ctx, ctx.acc.balance, s.extra["rate"])
        p = s.plans
        p.apr_ppm, p.flat_fee = np.where(rows, apr, p.apr_ppm), np.where(rows, fee, p.flat_fee)
        return rows

    def explain(self, r, s, i):
        return self.explain_rate(r, s, i)


class FeeWaiver(_Priced):
    """The smallest waiver of fees, up to the cap, at the floor rate and the longest term."""

    name = "fee_waiver"

    def build(self, ctx):
        acc = ctx.acc
        decline = self.window(ctx)
        decline[(decline == None) & (acc.fees == 0)] = "no_fees"  # noqa: E711
        base, floor, _ = self.grid(ctx)
        rate = base if not ctx.policy.options.interest_reduction.enabled else np.minimum(base, floor)
        apr, fee = self.price(ctx, acc.balance, rate)
        m = ctx.max_term
        waivable = acc.fees_of(tuple(ctx.policy.options.fee_waiver.parts))
        cap = waivable * rate_to_ppm(ctx.policy.options.fee_waiver.max_share) // RATE_SCALE
        decline[(decline == None) & (cap == 0)] = "no_fees"  # noqa: E711
        P, F, A = acc.balance.astype(float), acc.fees.astype(float), ctx.A.astype(float)
        r = apr / ctx.den
        keep = (A - fee - finance.payment(P, r, m)) * finance.annuity_factor(r, m) / finance.discount(r, m)
        waive = np.clip(np.ceil(F - np.maximum(keep, 0)), 1, np.maximum(cap, 1)).astype(np.int64)
        waive = np.minimum(waive, cap)
        plans = Plans.build(principal=acc.balance, fees=acc.fees - waive, apr_ppm=apr, flat_fee=fee, term=m,
                            ppy=ctx.ppy)
        return _set(ctx, self, decline, plans, waived=waive, cap=cap, rate=rate)

    def fit(self, ctx, s, over):
        cap = s.extra["cap"]
        rows = over & (s.fees_waived < cap)
        more = np.minimum(s.fees_waived + (s.solved.level - ctx.A) * s.plans.term, cap)
        s.fees_waived = np.where(rows, more, s.fees_waived)
        s.plans.fees = ctx.acc.fees - s.fees_waived
        return rows

    def explain(self, r, s, i):
        return [*self.explain_rate(r, s, i), ("fees_waived", {"amount": r.money(s.fees_waived[i])})]


class InterestFreeInstalment(Kind):
    """停息挂账: interest and penalties stopped, the balance split into up to 60 instalments.

    CBRC 2011 art. 70's personalised instalment plan as borrowers ask for it:
    no interest or fee on the agreed balance, penalties waived (policy
    ``waive_fees``), often after a down payment (首付, ``down_payment_share``
    of what is owed, from the declared lump sum) and on proof of hardship
    (``requires_hardship``).
    """

    name = "interest_free_instalment"
    reages = True
    held_from_lump = True

    def build(self, ctx):
        acc = ctx.acc
        opt = ctx.policy.options.interest_free_instalment
        decline = self.window(ctx)
        if opt.requires_hardship:
            decline[(decline == None) & (acc.hardship_months == 0)] = "hardship_required"  # noqa: E711
        waive = acc.fees_of(("penalty_interest", "late_fees")) if opt.waive_fees else _zero(ctx.n)
        owed = acc.balance + acc.fees - waive
        down = _ceil_div(owed * rate_to_ppm(opt.down_payment_share), RATE_SCALE)
        decline[(decline == None) & (down > acc.lump_sum)] = "down_payment_required"  # noqa: E711
        hold = (down > 0).astype(np.int64)
        hi = min(opt.max_months, ctx.cap_total)
        lo = min(opt.min_months, hi)
        rest = owed - down
        with np.errstate(divide="ignore", invalid="ignore"):
            n_star = np.where(ctx.A > 0, rest / np.where(ctx.A > 0, ctx.A, 1), np.inf)
        term = hold + months_from(n_star, lo, hi - hold)
        plans = Plans.build(principal=acc.balance, fees=acc.fees - waive, term=term, hold=hold, hold_payment=down)
        return _set(ctx, self, decline, plans, waived=waive, hi=np.full(ctx.n, hi), down=down)

    def longest(self, ctx, s):
        return s.extra["hi"]

    def affordable(self, ctx, s):
        # The down payment comes from the lump sum, not the monthly budget.
        return s.monthly_payment <= ctx.A

    def explain(self, r, s, i):
        out = [("interest_free_instalment", {"amount": r.money(s.plans.principal[i] + s.plans.fees[i]),
                                             "months": int(s.solved.term[i] - s.plans.hold[i])})]
        if s.extra["down"][i]:
            out.append(("down_payment", {"amount": r.money(s.extra["down"][i])}))
        if s.fees_waived[i]:
            out.append(("fees_waived", {"amount": r.money(s.fees_waived[i])}))
        return out

    def concessions(self, r, s, i):
        return [{"type": "interest_free_instalment", "term_months": int(s.solved.term[i]), "apr": "0"},
                *super().concessions(r, s, i)]


class Settlement(Kind):
    """A lump sum, or a lump sum and up to N instalments, accepted in full satisfaction, at a discount."""

    name = "settlement"
    held_from_lump = True

    def build(self, ctx):
        acc = ctx.acc
        opt = ctx.policy.options.settlement
        decline = self.window(ctx)
        owed, A, lump = ctx.owed, ctx.A, acc.lump_sum
        if "lump" in ctx.fixed:
            # The borrower's own offer: this sum, in one payment.
            lump = np.full(ctx.n, ctx.fixed["lump"])
        # Paying everything owed from the lump sum concedes nothing: allowed at any stage.
        if opt.enabled:
            decline[(lump >= owed) & ~acc.in_moratorium] = None
        N = opt.max_payments
        # The lump sum first, then instalments: what the borrower can put together.
        best = np.where(lump > 0, lump + A * (N - 1), A * N)
        need = np.where(best >= owed, 0, _ceil_div((owed - best) * RATE_SCALE, np.maximum(owed, 1)))
        step = rate_to_ppm(opt.step)
        lo, hi = rate_to_ppm(opt.min_discount), rate_to_ppm(opt.max_discount)
        disc = np.clip(_ceil_div(need, step) * step, lo, hi)
        forgiven = owed * disc // RATE_SCALE
        if "lump" in ctx.fixed:
            forgiven = np.maximum(owed - lump, 0)
            disc = _ceil_div(forgiven * RATE_SCALE, np.maximum(owed, 1))
        amount = owed - forgiven
        lump_funded = lump >= amount
        down = np.where(lump_funded, 0, lump)
        hold = (down > 0).astype(np.int64)
        rest = amount - down
        k = np.where(lump_funded, 1, hold + np.where(A > 0, _ceil_div(rest, np.maximum(A, 1)), N))
        k = np.clip(k, hold + 1, N)
        plans = Plans.build(principal=amount, term=k, hold=hold, hold_payment=down)
        fees_w = np.minimum(acc.fees, forgiven)
        return _set(ctx, self, decline, plans, waived=fees_w, forgiven=forgiven - fees_w,
                    discount=disc, lump_funded=lump_funded, amount=amount)

    def in_bounds(self, ctx, s):
        return s.extra["discount"] <= rate_to_ppm(ctx.policy.options.settlement.max_discount)

    def min_tier(self, ctx, s):
        # Paying everything owed at once concedes nothing: no approval.
        payoff = s.extra["lump_funded"] & (s.principal_forgiven + s.fees_waived == 0)
        return np.where(payoff, 0, super().min_tier(ctx, s))

    def contract_twin(self, ctx, s):
        # Paid over time the contract would have charged its rate on the amount.
        twin = super().contract_twin(ctx, s)
        twin.apr_ppm = ctx.acc.apr_ppm.copy()
        twin.flat_fee = _zero(ctx.n)
        return twin

    def affordable(self, ctx, s):
        return (s.monthly_payment <= ctx.A) & ((s.plans.hold == 0) | (s.plans.hold_payment <= ctx.acc.lump_sum)) \
            | s.extra["lump_funded"]

    def explain(self, r, s, i):
        forgiven = s.fees_waived[i] + s.principal_forgiven[i]
        amount = s.extra["amount"][i]
        out: list[Reason] = []
        if forgiven:
            out.append(("settlement_discount", {"amount": r.money(amount), "forgiven": r.money(forgiven)}))
        else:
            out.append(("paid_in_full", {"amount": r.money(amount)}))
        if s.extra["lump_funded"][i]:
            out.append(("funded_by_lump_sum", {"amount": r.money(r.acc.lump_sum[i])}))
        elif s.plans.hold[i]:
            out.append(("settlement_lump_then_instalments", {
                "lump": r.money(s.plans.hold_payment[i]), "months": int(s.solved.term[i] - 1),
                "payment": r.money(s.solved.level[i])}))
        return out


# --------------------------------------------------------------------------- beside the ladder

class PaymentHoliday(Kind):
    """Reduced or no payments for the hardship months, interest frozen, then a plan that clears the debt.

    In a breathing space or other moratorium: no payment at all and nothing
    charged for the moratorium months (the law's, not a concession to
    approve). Held months are judged against what the borrower can pay
    during the hardship; the plan after against the usual budget.
    """

    name = "payment_holiday"
    reages = True
    in_moratorium = True
    needs_hardship = True

    def build(self, ctx):
        acc = ctx.acc
        opt = ctx.policy.options.payment_holiday
        decline = self.window(ctx)
        mor = acc.in_moratorium
        if ctx.policy.reage is not None:
            # A moratorium is the law's: no re-age rule stands in its way.
            decline[mor & np.isin(decline, ["reaged_recently", "insufficient_payments", "account_too_new",
                                            "history_required"])] = None
        h = np.where(mor, np.maximum(acc.hardship_months, opt.moratorium_months), np.minimum(acc.hardship_months,
                                                                                            opt.max_months))
        h = np.minimum(h, ctx.cap_total - 1)
        R = np.where(mor, 0, np.minimum(ctx.amounts_holiday, ctx.A))
        R = np.minimum(R, np.maximum(acc.balance // np.maximum(h, 1) // 2, 0))
        fee = flat_fee(acc.balance, ctx.flat_ppm)
        apr = _zero(ctx.n) if ctx.flat else ctx.base_apr
        after_hi = np.minimum(opt.max_months_after, ctx.cap_total - h)
        n_star = amortising_months(acc.balance - h * R, acc.fees, apr, fee, ctx.A_after)
        m = months_from(n_star, 1, np.maximum(after_hi, 1))
        plans = Plans.build(principal=acc.balance, fees=acc.fees, apr_ppm=apr, flat_fee=fee,
                            term=h + m, hold=h, hold_payment=R)
        return _set(ctx, self, decline, plans, capped=(acc.hardship_months > h) & ~mor,
                    hi=h + np.maximum(after_hi, 1))

    def longest(self, ctx, s):
        return s.extra["hi"]

    def fit(self, ctx, s, over):
        over = s.offered & (s.solved.level > ctx.A_after)
        return super().fit(ctx, s, over)

    def mandatory(self, ctx, s):
        return ctx.acc.in_moratorium.copy()

    def affordable(self, ctx, s):
        return (s.plans.hold_payment <= ctx.A) & (s.solved.level <= ctx.A_after)

    def explain(self, r, s, i):
        p = s.plans
        out: list[Reason] = []
        if r.acc.in_moratorium[i]:
            out.append(("moratorium", {"months": int(p.hold[i]), "after": r.money(s.solved.level[i])}))
        else:
            out.append(("payment_holiday", {"months": int(p.hold[i]), "payment": r.money(p.hold_payment[i]),
                                            "after": r.money(s.solved.level[i])}))
        out.append(("review_date", {"date": r.review_date(int(p.hold[i]))}))
        if s.extra["capped"][i]:
            out.append(("hardship_capped", {"months": int(p.hold[i])}))
        return out

    def concessions(self, r, s, i):
        return [{"type": "payment_holiday", "months": int(s.plans.hold[i])}, *super().concessions(r, s, i)]


class StepUp(Kind):
    """Low payments while income recovers, then level: interest at the contract rate throughout.

    The low payment is what the borrower can pay during the hardship, never
    below the month's interest (no negative amortisation); no concession.
    """

    name = "step_up"
    reages = True
    needs_hardship = True
    #: Offered only when the budget during the hardship is below the usual one.
    needs_recovery: ClassVar[bool] = True

    def hold_rate(self, ctx) -> np.ndarray:
        return ctx.acc.apr_ppm

    def hold_months(self, ctx) -> np.ndarray:
        return np.minimum(ctx.acc.hardship_months, ctx.policy.option(self.name).max_months)

    def build(self, ctx):
        acc = ctx.acc
        decline = self.window(ctx)
        h = np.minimum(self.hold_months(ctx), ctx.cap_total - 1)
        rate = self.hold_rate(ctx)
        interest = _ceil_div(acc.balance * rate, MONTHLY_DEN)
        # Never so much in the low months that they would clear the plan.
        R = np.minimum(ctx.A, acc.balance // (h + 1))
        if self.needs_recovery:
            decline[(decline == None) & (ctx.A_after <= ctx.A)] = "no_step_needed"  # noqa: E711
        decline[(decline == None) & (interest + (rate == 0) > R)] = "payment_below_interest"  # noqa: E711
        # What is left after the low months (paid into interest, then principal).
        left = acc.balance * finance.growth(rate / MONTHLY_DEN, h) - R * finance.growth(
            rate / MONTHLY_DEN, h) * finance.annuity_factor(rate / MONTHLY_DEN, h)
        after_hi = np.maximum(ctx.cap_total - h, 1)
        n_star = amortising_months(np.maximum(left, 0), acc.fees, acc.apr_ppm, 0, ctx.A_after)
        m = months_from(n_star, 1, after_hi)
        plans = Plans.build(principal=acc.balance, fees=acc.fees, apr_ppm=acc.apr_ppm, term=h + m, hold=h,
                            hold_payment=R, hold_apr_ppm=rate)
        return _set(ctx, self, decline, plans, hi=h + after_hi)

    def longest(self, ctx, s):
        return s.extra["hi"]

    def fit(self, ctx, s, over):
        over = s.offered & (s.solved.level > ctx.A_after)
        return super().fit(ctx, s, over)

    def affordable(self, ctx, s):
        return (s.plans.hold_payment <= ctx.A) & (s.solved.level <= ctx.A_after)

    def explain(self, r, s, i):
        p = s.plans
        return [("step_up", {"months": int(p.hold[i]), "payment": r.money(p.hold_payment[i]),
                             "after": r.money(s.solved.level[i])}),
                ("review_date", {"date": r.review_date(int(p.hold[i]))})]

    def concessions(self, r, s, i):
        return [{"type": self.name, "months": int(s.plans.hold[i])}, *super().concessions(r, s, i)]


class HardshipProgramme(StepUp):
    """US temporary hardship programme: a reduced rate for up to 12 months, then the contract rate.

    OCC 2003-1: temporary hardship programmes generally last no longer than
    12 months and return to the contract terms when they end.
    """

    name = "hardship_programme"
    needs_recovery = False

    def hold_rate(self, ctx):
        return np.minimum(ctx.acc.apr_ppm, rate_to_ppm(ctx.policy.options.hardship_programme.apr))

    def explain(self, r, s, i):
        p = s.plans
        return [("hardship_programme", {"months": int(p.hold[i]), "apr": _pct_ppm(p.hold_apr_ppm[i]),
                                        "payment": r.money(p.hold_payment[i]),
                                        "contract_apr": _pct_ppm(r.acc.apr_ppm[i]),
                                        "after": r.money(s.solved.level[i])}),
                ("review_date", {"date": r.review_date(int(p.hold[i]))})]


class TokenPayment(Kind):
    """A token payment with a review date, interest and charges frozen (CONC 7.3.4, 7.3.5).

    Offered when what the borrower can pay now is below the smallest real
    plan: a small payment each month until the review, the debt still owed
    then. It neither clears nor re-ages the account.
    """

    name = "token_payment"
    leaves_balance = True

    def build(self, ctx):
        acc = ctx.acc
        opt = ctx.policy.options.token_payment
        decline = self.window(ctx)
        # Only when what the borrower can pay now would not clear the debt within the longest
        # term even without interest: otherwise a real plan is the answer.
        decline[(decline == None) & (ctx.A * ctx.max_term >= ctx.owed)] = "payment_affordable"  # noqa: E711
        token = np.maximum(ctx.policy.amount_array("token_payment", acc), 1)
        m = min(opt.review_months, ctx.cap_total)
        paid = np.minimum(token * m, ctx.owed - 1)
        decline[(decline == None) & (paid <= 0)] = "payment_affordable"  # noqa: E711
        term = np.clip(_ceil_div(np.maximum(paid, 1), token), 1, m)
        plans = Plans.build(principal=np.maximum(paid, 1), term=term)
        return _set(ctx, self, decline, plans, rest=ctx.owed - np.maximum(paid, 1))

    def forgone(self, ctx, s):
        # The contract's interest on the balance, frozen until the review.
        r = ctx.acc.apr_ppm / MONTHLY_DEN
        return ctx.acc.balance * r * finance.annuity_factor(ctx.policy.discount_monthly, s.solved.term)

    def balance_left(self, s, i) -> int:
        return int(s.extra["rest"][i])

    def explain(self, r, s, i):
        return [("token_payment", {"payment": r.money(s.solved.level[i]), "months": int(s.solved.term[i]),
                                   "left": r.money(s.extra["rest"][i])}),
                ("review_date", {"date": r.review_date(int(s.solved.term[i]))})]

    def concessions(self, r, s, i):
        return [{"type": self.name, "months": int(s.solved.term[i])}]


def _pct_ppm(ppm) -> str:
    return f"{int(ppm) / 10_000:.2f}%"


def _rate(ppm) -> str:
    from .money import format_rate
    return format_rate(int(ppm))


KINDS: dict[str, Kind] = {k.name: k for k in (
    CatchUp(), TermExtension(), Instalment(), PaymentHoliday(), StepUp(), HardshipProgramme(), TokenPayment(),
    InterestReduction(), FeeWaiver(), InterestFreeInstalment(), Settlement())}
#: The ladder, least concession first.
LADDER = ("catch_up", "term_extension", "instalment", "interest_reduction", "fee_waiver",
          "interest_free_instalment", "settlement")
#: Offered beside the ladder when a hardship is declared.
BESIDE = ("payment_holiday", "step_up", "hardship_programme", "token_payment")
#: Display order: least concession first, the hardship plans beside the re-age.
ORDER = ("catch_up", "term_extension", "instalment", "payment_holiday", "step_up", "hardship_programme",
         "token_payment", "interest_reduction", "fee_waiver", "interest_free_instalment", "settlement")
