"""What-if: the plan a borrower's proposal implies, and a negotiator's answer.

A proposal is one of: a monthly payment, a term in months, or a lump sum.
Each is worked out by the same :func:`negotiator.engine.options.build` and
:func:`negotiator.engine.quote.decide` as a quote, so every cap, tier and channel
rule applies to the implied plan and the counter-offer alike.

- A monthly payment runs the ladder with the proposal as the ceiling; the
  implied plan is the visible plan that fits it with the least concession.
  What the borrower can afford is a floor: a proposal below it that needs a
  concession the borrower's capacity does not is answered with a
  counter-offer at capacity (the least concession at what they can pay);
  a proposal above it is warned about.
- A term prices the whole balance over that many months (a term extension
  for a loan when it is longer than the remaining term).
- A lump sum is a settlement in one payment.

Where the implied plan is outside policy, unaffordable or not open to the
caller's channel, the counter-offer is the quote's own choice at capacity.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from negotiator.core.errors import FieldError, ValidationError
from negotiator.core.limits import MAX_TERM
from negotiator.core.money import MONTHLY_DEN, RATE_SCALE, rate_to_ppm
from negotiator.engine.accounts import _minor
from negotiator.engine.affordability import Assessment, assess
from negotiator.engine.decide import Decision, decide
from negotiator.engine.options import BEYOND, OptionSet, acceptable, build
from negotiator.engine.quote import prepare, quote, quote_id
from negotiator.engine.render import Renderer
from negotiator.kinds import LADDER, ORDER
from negotiator.kinds.dispatch import affordable as affordable_one
from negotiator.kinds.kernel import amortising_months
from negotiator.policy import TIERS, PolicyRegistry
from negotiator.wire.messages import ERRORS, errors_in
from negotiator.wire.schemas import ProposalRequestSchema, load_request

_SCHEMA = ProposalRequestSchema()
PAYMENT_RUNGS = tuple(t for t in ORDER if t != "settlement")


def _enabled(policy, kinds) -> tuple[str, ...]:
    return tuple(t for t in kinds if policy.option(t).enabled)


def propose(body: object, registry: PolicyRegistry, channel: str = "agent", today: dt.date | None = None) -> dict:
    """The what-if answer for one request body (as parsed from JSON)."""
    with errors_in(body):   # a zh-CN request is refused in Chinese (issue 18)
        req = load_request(body, _SCHEMA)
        prop = req["proposal"]
        given = [k for k in ("monthly_payment", "term_months", "lump_sum") if prop.get(k) is not None]
        if len(given) != 1:
            raise ValidationError([FieldError("proposal", ERRORS["one_proposal"]["en"])])
        policy, as_of, acc = prepare(req, registry, today, channel)
        kind = given[0]
        value = prop[kind]
        if kind != "term_months":
            errors: list = []
            value = _minor(value, int(acc.digits[0]), f"proposal.{kind}", errors, 0)
            if errors:
                raise ValidationError([FieldError(f, m) for _, f, m in errors])
            if value <= 0:
                raise ValidationError([FieldError(f"proposal.{kind}", ERRORS["zero"]["en"])])
        elif value < 1:
            raise ValidationError([FieldError("proposal.term_months", ERRORS["at_least_one"]["en"])])
    real = assess(acc, policy, channel)
    r = Renderer(acc, real, policy, channel, req["locale"], as_of)
    best, best_d = _capacity(acc, real, policy, channel)
    plan, reasons, *own = {"monthly_payment": _by_payment, "term_months": _by_term, "lump_sum": _by_lump}[kind](
        acc, real, policy, channel, value, r)
    if own:
        best = own[0]     # a lump sum is countered with a lump sum
    capacity = int(real.affordable[0])
    visible = plan is not None and _visible(plan, channel)
    within = plan is not None and bool(plan.within_policy[0]) and visible
    affordable = plan is not None and bool(plan.affordable[0])
    needless = (plan is not None and best is not None and kind == "monthly_payment" and value < capacity
                and int(plan.value[0]) > int(best.value[0]))
    if plan is not None and kind == "monthly_payment" and value > capacity:
        reasons.append(("proposal_above_capacity", {"payment": r.money(value), "affordable": r.money(capacity)}))
    if needless:
        reasons.append(("proposal_below_capacity", {"payment": r.money(value), "affordable": r.money(capacity)}))
    accepted = within and affordable and not needless
    counter = None
    if not accepted and best is not None and (plan is None or best.type != plan.type
                                              or int(best.monthly_payment[0]) != int(plan.monthly_payment[0])):
        counter = best
        reasons.append(_counter_reason(r, counter))
    elif not accepted and plan is not None and not visible and channel == "portal":
        reasons.append(("proposal_not_available_online", {}))
    if not accepted and counter is None and not reasons:
        reasons.append(("no_option_available", {}))
    out = {
        "quote_id": quote_id(req, policy, channel, as_of),
        "policy": {"name": policy.name, "version": policy.version},
        "as_of": as_of.isoformat(),
        "currency": r.cur,
        "channel": channel,
        "affordability": r.affordability(best_d),
        "proposal": {kind: value if kind == "term_months" else r.amt(value)},
    }
    schedule = req["schedules"] != "none"
    if plan is not None and (visible or channel != "portal"):
        out["plan"] = _render(r, plan, schedule)
        out["concessions"] = plan.kind.concessions(r, plan, 0)
        out["within_policy"] = within
        out["affordable"] = affordable
        out["approval"] = out["plan"]["approval"]
    else:
        out.update(plan=None, concessions=[], within_policy=False, affordable=False, approval=None)
    out["acceptable"] = accepted
    out["reasons"] = [x for x in (r.reason(code, **params) for code, params in reasons) if x]
    if accepted:
        out["reasons"].insert(0, r.reason("proposal_within_policy"))
    elif not out["reasons"]:
        out["reasons"].append(r.reason("proposal_not_available_online"))
    out["counter_offer"] = _render(r, counter, schedule) if counter is not None else None
    if r.signposts(best_d) and (entries := r.advice()):
        out["advice"] = entries     # where to turn for help (issue 18), as a quote gives it
    return out


def reissue(req: dict, registry: PolicyRegistry, channel: str) -> dict:
    """A stored request run again as issued: a proposal's through :func:`propose`, a quote's through ``quote``.

    The store re-runs a request to rebuild a schedule it did not keep; the
    answer is the same one, the request carrying its own ``as_of``.
    """
    return (propose if "proposal" in req else quote)(req, registry, channel=channel)


def _visible(s: OptionSet, channel: str) -> bool:
    return channel != "portal" or int(s.tier[0]) == 0


def _render(r: Renderer, s: OptionSet, schedule: bool) -> dict:
    opt = r.option(s, False)
    if schedule:
        opt["schedule"] = r.schedule(s)
    return opt


def _counter_reason(r: Renderer, s: OptionSet) -> tuple[str, dict]:
    if s.type == "settlement":
        return ("counter_offer_settlement", {"amount": r.money(s.total[0])})
    return ("counter_offer", {"payment": r.money(s.monthly_payment[0]), "months": int(s.solved.term[0])})


def _least(sets: dict[str, OptionSet], d: Decision, channel: str) -> OptionSet | None:
    """The visible, acceptable option with the least concession (ties: ladder order)."""
    good = [s for t, s in sets.items() if d.visible[t][0] and acceptable(s, channel)[0]]
    if not good:
        return None
    return min(good, key=lambda s: (int(s.value[0]), ORDER.index(s.type)))


def _capacity(acc, real: Assessment, policy, channel) -> tuple[OptionSet | None, Decision]:
    """What the quote itself would choose at the borrower's real capacity: the least concession that fits."""
    sets = build(acc, real, policy, channel)
    d = decide(acc, sets, real.now, policy, channel)
    return _least(sets, d, channel), d


def _judge(sets: dict[str, OptionSet], real: Assessment, ctx_acc, policy) -> None:
    """Affordability against what the borrower can really pay, not the proposal."""
    from negotiator.engine.options import Context
    ctx = Context(ctx_acc, real, policy, "agent")
    a_now, a_after, lump = ctx.A.tolist(), ctx.A_after.tolist(), ctx_acc.lump_sum.tolist()
    hardship, moratorium = ctx_acc.hardship_months.tolist(), ctx_acc.in_moratorium.astype(int).tolist()
    for s in sets.values():
        k = ORDER.index(s.type)
        funded = s.extra["lump_funded"] if "lump_funded" in s.extra else np.zeros(len(lump), dtype=bool)
        s.affordable = np.array([
            affordable_one(k, int(s.monthly_payment[i]), int(s.max_payment[i]), int(s.solved.level[i]),
                           int(s.plans.hold_payment[i]), int(s.plans.hold[i]), lump[i], int(funded[i]),
                           a_now[i], a_after[i], hardship[i], moratorium[i]) != 0 for i in range(len(lump))],
                          dtype=bool)


#: A what-if that fixes neither term nor lump (a proposed payment): its plan is worked out even where the
#: contract as it stands would do (a quote then answers contract_fits).
WHAT_IF = {"what_if": True}


def _by_payment(acc, real, policy, channel, pay, r):
    sets = build(acc, real.with_ceiling(np.array([pay], dtype=np.int64)), policy, channel,
                 _enabled(policy, PAYMENT_RUNGS), fixed=WHAT_IF)
    d = decide(acc, sets, np.array([pay]), policy, channel)
    plan = _least(sets, d, channel)
    _judge(sets, real, acc, policy)
    if plan is not None:
        return plan, []
    # Nothing in policy fits: what the payment really takes at the plan price, uncapped.
    base = build(acc, real, policy, channel, ("instalment",), fixed=WHAT_IF)["instalment"].plans
    months = amortising_months(float(acc.balance[0]), int(acc.fees[0]), int(base.apr_ppm[0]), int(base.flat_fee[0]),
                               pay, MONTHLY_DEN)
    if not np.isfinite(months) or months > MAX_TERM:
        return None, [("proposal_never_repays", {})]
    term = int(np.ceil(months - 1e-9))
    fixed = build(acc, real, policy, channel, ("instalment",), fixed={"term": term})["instalment"]
    fixed.tier[:] = BEYOND
    return fixed, [("proposal_term_too_long", {"months": term, "max_months": r.ctx.max_term})]


def _by_term(acc, real, policy, channel, term, r):
    kind = "term_extension" if acc.is_loan[0] and term > acc.remaining_term[0] else "instalment"
    sets = build(acc, real, policy, channel, (kind,), fixed={"term": term})
    plan = sets[kind]
    reasons: list = []
    if not plan.offered[0]:
        code = plan.decline[0]
        return None, [(code, r.decline_params(code))] if code else []
    if not plan.within_policy[0]:
        ctx = r.ctx
        if term > ctx.max_term:
            reasons.append(("proposal_term_longer", {"months": term, "max_months": ctx.max_term}))
        elif term < ctx.min_term:
            reasons.append(("proposal_term_too_short", {"min_months": ctx.min_term}))
    if not plan.affordable[0]:
        reasons.append(("proposal_above_capacity", {"payment": r.money(plan.max_payment[0]),
                                                    "affordable": r.money(real.affordable[0])}))
    return plan, reasons


def _by_lump(acc, real, policy, channel, lump, r):
    owed = int(acc.balance[0] + acc.fees[0])
    sets = build(acc, real, policy, channel, ("settlement",), fixed={"lump": min(lump, owed)})
    plan = sets["settlement"]
    if not plan.offered[0]:
        return None, [("proposal_settlement_not_available", {})]
    # The borrower says they can pay it: judged as a quote judges a lump sum.
    plan.affordable[:] = True
    if lump >= owed:
        return plan, [("proposal_full_payment", {})]
    if not plan.within_policy[0]:
        # The smallest settlement open to the caller, if any.
        floor = owed - owed * rate_to_ppm(policy.options.settlement.max_discount) // RATE_SCALE
        counter = build(acc, real, policy, channel, ("settlement",), fixed={"lump": floor})["settlement"]
        # Affordable only from money the borrower has: what they declared, or the lump they offered.
        have = max(int(acc.lump_sum[0]), lump)
        counter.affordable[:] = int(counter.max_payment[0]) <= have
        ok = counter.offered[0] and counter.within_policy[0] and _visible(counter, channel)
        return plan, [("proposal_discount_too_high", {"amount": r.money(lump)})], counter if ok else None
    return plan, []


__all__ = ["propose", "TIERS", "LADDER"]
