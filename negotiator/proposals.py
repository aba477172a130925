"""What-if: the plan a borrower's proposal implies, and the policy's answer.

A proposal is one of: a monthly payment, a term in months, or a lump sum.

- A monthly payment runs the same ladder as a quote, with the proposed
  payment as the ceiling: the first rung whose plan fits it is the plan it
  implies, with that rung's concessions. When no rung fits, the plan at the
  standard price shows what the payment would really take, and the counter
  offer is the in-policy plan with the smallest payment.
- A term prices the whole balance over that many months at the standard
  price; outside the policy's terms the counter-offer is the nearest term.
- A lump sum is a settlement: within the discount cap it is accepted (with
  the approval its write-off needs); otherwise the counter-offer is the
  smallest settlement the policy allows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .accounts import MAX_TERM
from .affordability import Assessment, assess
from .engine import Renderer, load_request, prepare, quote_id
from .errors import FieldError, ValidationError
from .money import format_rate, rate_to_ppm
from .options import BEYOND, TIERS, Context, OptionSet, _amortising_months, _flat_fee, build, complete
from .plans import Plans
from .policy import PolicyRegistry
from .schemas import ProposalRequestSchema

_SCHEMA = ProposalRequestSchema()
PAYMENT_RUNGS = ("catch_up", "term_extension", "instalment", "interest_reduction", "fee_waiver")


def propose(body: object, registry: PolicyRegistry, channel: str = "agent", today: dt.date | None = None) -> dict:
    """The what-if answer for one request body (as parsed from JSON)."""
    req = load_request(body, _SCHEMA)
    prop = req["proposal"]
    given = [k for k in ("monthly_payment", "term_months", "lump_sum") if prop.get(k) is not None]
    if len(given) != 1:
        raise ValidationError([FieldError("proposal", "Give exactly one of monthly_payment, term_months, lump_sum.")])
    policy, as_of, acc = prepare(req, registry, today)
    kind = given[0]
    value = prop[kind]
    if kind != "term_months":
        from .accounts import _minor
        errors: list = []
        value = _minor(value, int(acc.digits[0]), f"proposal.{kind}", errors, 0)
        if errors:
            raise ValidationError([FieldError(f, m) for _, f, m in errors])
        if kind == "monthly_payment" and value <= 0:
            raise ValidationError([FieldError("proposal.monthly_payment", "Must be more than zero.")])
    elif value < 1:
        raise ValidationError([FieldError("proposal.term_months", "Must be at least 1.")])
    real = assess(acc, policy, channel)
    r = Renderer(acc, real, policy, channel, req["locale"], as_of)
    answer = {"monthly_payment": _by_payment, "term_months": _by_term, "lump_sum": _by_lump}[kind](
        acc, real, policy, channel, value)
    plan, counter, reasons = answer
    out = {
        "quote_id": quote_id(req, policy, channel, as_of),
        "policy": {"name": policy.name, "version": policy.version},
        "as_of": as_of.isoformat(),
        "currency": r.cur,
        "channel": channel,
        "affordability": r.affordability(),
        "proposal": {kind: value if kind == "term_months" else r.amt(value)},
    }
    visible_tier = 0 if channel == "portal" else 2
    if plan is not None:
        within = bool(plan.within_policy[0]) and int(plan.tier[0]) <= visible_tier
        out["plan"] = _render(r, plan, req["schedules"] != "none")
        out["concessions"] = _concessions(r, plan)
        out["within_policy"] = within
        out["affordable"] = bool(plan.affordable[0])
        out["approval"] = out["plan"]["approval"]
    else:
        out.update(plan=None, concessions=[], within_policy=False, affordable=False, approval=None)
    if counter is not None and counter.type != "settlement":
        reasons = [*reasons, ("counter_offer", {"payment": r.money(counter.monthly_payment[0]),
                                                "months": int(counter.solved.term[0])})]
    out["reasons"] = [x for x in (r.reason(code, **params) for code, params in reasons) if x]
    out["counter_offer"] = _render(r, counter, req["schedules"] != "none") if counter is not None else None
    if out["within_policy"]:
        out["reasons"].insert(0, r.reason("proposal_within_policy"))
    return out


def _render(r: Renderer, s: OptionSet, schedule: bool) -> dict:
    opt = r.option(s, False)
    if schedule:
        opt["schedule"] = r.schedule(s)
    return opt


def _concessions(r: Renderer, s: OptionSet) -> list[dict]:
    acc = r.acc
    out = []
    if s.type == "term_extension":
        out.append({"type": "term_extension", "months_added": int(s.solved.term[0] - acc.remaining_term[0])})
    if s.type in ("instalment", "interest_reduction", "fee_waiver"):
        out.append({"type": "instalment", "term_months": int(s.solved.term[0])})
    if "rate" in s.extra and s.extra["rate"][0] < s.extra["base_rate"][0]:
        scale = 12 if r.policy.options.instalment.pricing == "flat_fee" else 1
        out.append({"type": "interest_reduction", "from_apr": format_rate(s.extra["base_rate"][0] * scale),
                    "apr": format_rate(s.extra["rate"][0] * scale)})
    if s.fees_waived[0]:
        out.append({"type": "fee_waiver", "amount": r.amt(s.fees_waived[0])})
    if s.principal_forgiven[0]:
        out.append({"type": "settlement", "principal_forgiven": r.amt(s.principal_forgiven[0])})
    return out


def _ceiling(real: Assessment, ceiling: int) -> Assessment:
    """The real assessment with the affordable payment replaced by the proposal."""
    return Assessment(real.disposable, np.array([ceiling], dtype=np.int64), real.flags, real.expense_flags)


def _reassess(sets: dict[str, OptionSet], affordable: int) -> None:
    for s in sets.values():
        s.affordable = s.max_payment <= affordable


def _by_payment(acc, real, policy, channel, pay):
    limit = 0 if channel == "portal" else 2
    sets = build(acc, _ceiling(real, pay), policy, channel, PAYMENT_RUNGS)
    fits = [s for s in sets.values() if s.offered[0] and s.affordable[0] and int(s.tier[0]) <= limit]
    _reassess(sets, int(real.affordable[0]))
    if fits:
        return fits[0], None, []
    ctx = Context(acc, real, policy, channel)
    in_policy = [s for s in sets.values() if s.offered[0] and int(s.tier[0]) <= limit]
    counter = min(in_policy, key=lambda s: int(s.max_payment[0])) if in_policy else None
    # What the payment really takes at the standard price, uncapped by policy.
    flat_fee = _flat_fee(acc.balance, ctx.flat_ppm)
    apr = np.zeros(1, dtype=np.int64) if ctx.flat else ctx.base_apr
    months = _amortising_months(acc.balance, acc.fees, apr, flat_fee, np.array([pay]))
    if not np.isfinite(months[0]) or months[0] > MAX_TERM:
        return None, counter, [("proposal_never_repays", {})]
    term = int(np.ceil(months[0] - 1e-9))
    plan = _custom(ctx, "instalment", Plans.build(principal=acc.balance, fees=acc.fees, apr_ppm=apr,
                                                    flat_fee=flat_fee, term=term))
    plan.tier[:] = BEYOND
    return plan, counter, [("proposal_term_too_long", {"months": term, "max_months": ctx.max_term})]


def _by_term(acc, real, policy, channel, term):
    ctx = Context(acc, real, policy, channel)
    flat_fee = _flat_fee(acc.balance, ctx.flat_ppm)
    apr = np.zeros(1, dtype=np.int64) if ctx.flat else ctx.base_apr
    kind = "term_extension" if acc.is_loan[0] and term > acc.remaining_term[0] else "instalment"

    def at(months: int) -> OptionSet:
        s = _custom(ctx, kind, Plans.build(principal=acc.balance, fees=acc.fees, apr_ppm=apr, flat_fee=flat_fee,
                                           term=months))
        return s

    plan = at(term)
    if term > ctx.max_term:
        plan.tier[:] = BEYOND
        return plan, at(ctx.max_term), [("proposal_term_too_long", {"months": term, "max_months": ctx.max_term})]
    if term < ctx.min_term:
        plan.tier[:] = BEYOND
        return plan, at(ctx.min_term), [("proposal_term_too_short", {"min_months": ctx.min_term})]
    return plan, None, []


def _by_lump(acc, real, policy, channel, lump):
    ctx = Context(acc, real, policy, channel)
    opt = policy.options.settlement
    owed = int(ctx.owed[0])
    offered, _ = ctx.window("settlement")
    pay = min(lump, owed)
    forgiven = owed - pay
    plan = _settlement(ctx, pay, forgiven)
    if forgiven == 0:
        plan.tier[:] = 0   # paying in full concedes nothing
        return plan, None, [("proposal_full_payment", {})]
    max_forgiven = owed * rate_to_ppm(opt.max_discount) // 1_000_000
    floor_amount = owed - max_forgiven
    if not offered[0]:
        plan.tier[:] = BEYOND
        return plan, None, [("proposal_settlement_not_available", {})]
    if forgiven > max_forgiven:
        plan.tier[:] = BEYOND
        counter = _settlement(ctx, floor_amount, max_forgiven)
        return plan, counter, [("proposal_discount_too_high", {"amount": f"{ctx.acc.currency[0]} "
                                                                         f"{_fmt(ctx, pay)}"}),
                               ("counter_offer_settlement", {"amount": f"{ctx.acc.currency[0]} "
                                                                       f"{_fmt(ctx, floor_amount)}"})]
    return plan, None, []


def _fmt(ctx: Context, minor: int) -> str:
    from .money import format_minor
    return format_minor(minor, int(ctx.acc.digits[0]))


def _settlement(ctx: Context, amount: int, forgiven: int) -> OptionSet:
    fees_w = min(int(ctx.acc.fees[0]), forgiven)
    s = _custom(ctx, "settlement", Plans.build(principal=[amount], term=1), fees_w, forgiven - fees_w,
                extra={"discount": np.array([forgiven * 1_000_000 // max(int(ctx.owed[0]), 1)]),
                       "lump_funded": np.array([ctx.acc.lump_sum[0] >= amount]),
                       "amount": np.array([amount])})
    return s


def _custom(ctx: Context, kind: str, plans: Plans, fees_waived: int = 0, forgiven: int = 0,
            extra: dict | None = None) -> OptionSet:
    """One plan the borrower proposed, solved and assessed by the same code as quotes."""
    s = OptionSet(kind, np.ones(1, dtype=bool), np.full(1, None, dtype=object), plans,
                  np.zeros(1, dtype=np.int64), np.array([fees_waived]), np.array([forgiven]),
                  extra=extra or {"from_term": ctx.acc.remaining_term.copy()})
    complete(ctx, [s], adjust=False)
    return s


__all__ = ["propose", "TIERS"]
