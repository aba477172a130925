"""The engine's front door: decide between options and render a quote.

:func:`decide` applies the ladder (stop at the first affordable rung), the
channel's rules (a portal sees only options that need no approval, within
its bounds) and picks the recommended option, on whole arrays: the batch job
calls it on a million accounts, :func:`quote` on one. :func:`quote` then
renders one account as the wire response of BRIEF section 4.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from . import explain
from .accounts import Accounts, check, from_records
from .affordability import Assessment, assess
from .dates import due_dates, first_payment_date
from .errors import FieldError, ValidationError, flatten_messages
from .money import format_minor, format_rate, to_minor
from .options import BEYOND, ORDER, TIERS, OptionSet, acceptable, build
from .plans import Plans, Solved, schedule_arrays
from .policy import Policy, PolicyRegistry
from .schemas import QuoteRequestSchema

_QUOTE_SCHEMA = QuoteRequestSchema()


@dataclass
class Decision:
    """What each account is shown: per option type, visible and why not; the pick."""

    visible: dict[str, np.ndarray]
    decline: dict[str, np.ndarray]
    recommended: np.ndarray        # index into ORDER, -1 when nothing is affordable
    nearest: np.ndarray            # index into ORDER of the closest plan, -1 when none
    shortfall: np.ndarray          # minor units the nearest plan needs beyond affordable


def decide(acc: Accounts, sets: dict[str, OptionSet], affordable: np.ndarray, policy: Policy,
           channel: str) -> Decision:
    """Channel rules and recommendation for every account at once.

    The ladder itself is climbed in :func:`negotiator.options.build`, which
    declines the rungs above the first acceptable one.
    """
    n = len(acc)
    decline = {t: s.decline.copy() for t, s in sets.items()}
    good = {t: acceptable(s, channel) for t, s in sets.items()}
    if channel == "portal":
        too_high = acc.balance + acc.fees > (to_minor(policy.portal.max_balance, 2) * acc.unit // 100)
        for t, s in sets.items():
            d = decline[t]
            d[(d == None) & (s.tier > 0)] = "requires_agent"  # noqa: E711
            d[too_high] = "portal_debt_too_high"
            if not policy.portal.enabled:
                d[:] = "portal_disabled"
    visible = {t: decline[t] == None for t in sets}  # noqa: E711
    types = [t for t in ORDER if t in sets]
    if types:
        score = np.stack([np.where(visible[t] & good[t], np.round(sets[t].npv), -np.inf) for t in types])
        best = np.argmax(score, axis=0)
        has = np.isfinite(score.max(axis=0))
        never = np.iinfo(np.int64).max
        gap = np.stack([np.where(visible[t], sets[t].max_payment - affordable, never) for t in types])
        near = np.argmin(gap, axis=0)
        has_near = gap.min(axis=0) < never
        order_idx = np.array([ORDER.index(t) for t in types])
        recommended = np.where(has, order_idx[best], -1)
        nearest = np.where(~has & has_near, order_idx[near], -1)
        shortfall = np.where(nearest >= 0, np.maximum(gap.min(axis=0), 0), 0)
    else:
        recommended = nearest = np.full(n, -1)
        shortfall = np.zeros(n, dtype=np.int64)
    return Decision(visible, decline, recommended, nearest, shortfall)


# --------------------------------------------------------------------------- single quotes

def load_request(body: object, schema=_QUOTE_SCHEMA) -> dict:
    """Validate a request body's shape; every bad field is reported at once."""
    from marshmallow import ValidationError as MmError
    if not isinstance(body, dict):
        raise ValidationError([FieldError("(body)", "Must be a JSON object.")])
    try:
        return schema.load(body)
    except MmError as exc:
        raise ValidationError([FieldError(f, m) for f, m in flatten_messages(exc.messages)]) from None


def prepare(req: dict, registry: PolicyRegistry, today: dt.date | None = None):
    """Policy, as-of date and one-row arrays for a loaded request; all rule breaches at once."""
    policy = registry.get(req["policy"])
    as_of = req.get("as_of") or today or dt.date.today()
    acc, errors = from_records([req], as_of)
    unparsed = {f for _, f, _ in errors}
    errors += [e for e in check(acc, policy) if e[1] not in unparsed]
    if errors:
        seen, unique = set(), []
        for _, f, m in errors:
            if (f, m) not in seen:
                seen.add((f, m))
                unique.append(FieldError(f, m))
        raise ValidationError(unique)
    return policy, as_of, acc


def quote_id(req: dict, policy: Policy, channel: str, as_of: dt.date) -> str:
    """A deterministic id: the same request, as-of date, policy version and channel give the same id."""
    canon = json.dumps({"r": req, "d": as_of.isoformat(), "p": [policy.name, policy.version], "c": channel},
                       sort_keys=True, default=str, separators=(",", ":"))
    return "q_" + hashlib.sha256(canon.encode()).hexdigest()[:20]


def quote(body: object, registry: PolicyRegistry, channel: str = "agent",
          today: dt.date | None = None) -> dict:
    """A full quote for one request body (as parsed from JSON), in the wire shape.

    Raises :class:`ValidationError` (every bad field) or
    :class:`UnknownPolicyError`; never returns NaN or infinity.
    """
    req = load_request(body)
    policy, as_of, acc = prepare(req, registry, today)
    types = tuple(t for t in ORDER if t in set(req.get("options") or ORDER))
    assessment = assess(acc, policy, channel)
    sets = build(acc, assessment, policy, channel, types)
    decision = decide(acc, sets, assessment.affordable, policy, channel)
    r = Renderer(acc, assessment, policy, channel, req["locale"], as_of)
    return r.quote(quote_id(req, policy, channel, as_of), sets, decision, req["schedules"])


class Renderer:
    """Turns row 0 of solved option arrays into the wire response."""

    def __init__(self, acc: Accounts, assessment: Assessment, policy: Policy, channel: str, locale: str,
                 as_of: dt.date):
        self.acc, self.a, self.policy, self.channel, self.locale = acc, assessment, policy, channel, locale
        self.as_of = as_of
        self.cur = str(acc.currency[0])
        self.digits = int(acc.digits[0])
        self.first_due = first_payment_date(as_of, policy.first_payment_offset_days)

    def amt(self, minor) -> str:
        return format_minor(int(minor), self.digits)

    def money(self, minor) -> str:
        return f"{self.cur} {self.amt(minor)}"

    def reason(self, code: str, **params) -> dict | None:
        if self.channel == "portal" and code in explain.PORTAL_HIDDEN:
            return None
        return explain.reason(code, self.locale, **params)

    # -- affordability
    def affordability(self, decision: Decision | None = None) -> dict:
        a, acc, pol = self.a, self.acc, self.policy
        aff = pol.affordability
        flags = []
        params = {
            "negative_surplus": {"amount": self.money(-a.disposable[0])},
            "no_surplus": {},
            "capped_by_income": {"share": _pct(aff.max_payment_to_income)},
            "payment_to_income_high": {"amount": self.money(acc.contractual[0]),
                                       "share": _pct(aff.max_payment_to_income)},
            "below_minimum_payment": {"amount": self.money(a.affordable[0]),
                                      "minimum": f"{self.cur} {pol.min_payment}"},
        }
        for code, arr in a.flags.items():
            if arr[0]:
                flags.append(self.reason(code, **params[code]))
        for cat, (above, below) in a.expense_flags.items():
            for arr, code in ((above, "expense_above_guideline"), (below, "expense_below_guideline")):
                if arr[0]:
                    flags.append(self.reason(code, category=cat, amount=self.money(acc.expense_lines[cat][0])))
        if decision is not None and decision.recommended[0] < 0:
            flags.append(self.reason("no_affordable_option", shortfall=self.money(decision.shortfall[0])))
        return {"disposable_income": self.amt(a.disposable[0]),
                "affordable_payment": self.amt(a.affordable[0]),
                "flags": [f for f in flags if f]}

    # -- options
    def option(self, s: OptionSet, recommended: bool) -> dict:
        p, sv = s.plans, s.solved
        n = int(sv.term[0])
        total = int(s.total[0])
        interest = int(s.total_interest[0])
        plan_apr = int(s.plan_apr[0])
        eff = float(s.effective_apr[0])
        out = {
            "option_id": s.type,
            "type": s.type,
            "monthly_payment": self.amt(s.monthly_payment[0]),
            "term_months": n,
            "apr": format_rate(plan_apr),
            "effective_apr": format_effective_rate(eff),
            "first_payment_date": self.first_due.isoformat(),
            "total_payable": self.amt(total),
            "total_interest": self.amt(interest),
            "fees_waived": self.amt(s.fees_waived[0]),
            "principal_forgiven": self.amt(s.principal_forgiven[0]),
            "affordable": bool(s.affordable[0]),
            "within_policy": bool(s.within_policy[0]),
            "approval": TIERS[min(int(s.tier[0]), 2)],
        }
        if s.regular[0]:
            out["regular_payment"] = self.amt(s.regular[0])
        if p.hold[0]:
            out["holiday_months"] = int(p.hold[0])
            out["holiday_payment"] = self.amt(p.hold_payment[0])
        if self.channel != "portal":
            out["lender_npv"] = self.amt(round(float(s.npv[0])))
            out["concession_value"] = self.amt(s.value[0])
        out["reasons"] = [r for r in self._reasons(s, recommended, eff, interest) if r]
        return out

    def _reasons(self, s: OptionSet, recommended: bool, eff: float, interest: int):
        p, sv, acc, pol = s.plans, s.solved, self.acc, self.policy
        n = int(sv.term[0])
        t = s.type
        if t == "catch_up":
            yield self.reason("arrears_spread", arrears=self.money(acc.arrears[0]), months=n,
                              regular=self.money(acc.contractual[0]))
        elif t == "term_extension":
            yield self.reason("term_extended", from_months=int(acc.remaining_term[0]), months=n)
        elif t == "instalment":
            yield self.reason("balance_reaged", amount=self.money(acc.balance[0] + acc.fees[0]), months=n)
        elif t in ("interest_reduction", "fee_waiver"):
            if s.extra["rate"][0] < s.extra["base_rate"][0]:
                scale = 12 if pol.options.instalment.pricing == "flat_fee" else 1
                yield self.reason("rate_reduced", from_apr=_pct_ppm(s.extra["base_rate"][0] * scale),
                                  apr=_pct_ppm(s.extra["rate"][0] * scale))
            if t == "fee_waiver":
                yield self.reason("fees_waived", amount=self.money(s.fees_waived[0]))
        elif t == "settlement":
            forgiven = s.fees_waived[0] + s.principal_forgiven[0]
            if forgiven:
                yield self.reason("settlement_discount", amount=self.money(s.extra["amount"][0]),
                                  forgiven=self.money(forgiven))
            else:
                yield self.reason("paid_in_full", amount=self.money(s.extra["amount"][0]))
            if s.extra["lump_funded"][0]:
                yield self.reason("funded_by_lump_sum", amount=self.money(acc.lump_sum[0]))
        elif t == "payment_holiday":
            yield self.reason("payment_holiday", months=int(p.hold[0]), payment=self.money(p.hold_payment[0]),
                              after=self.money(sv.level[0]))
            if s.extra["capped"][0]:
                yield self.reason("hardship_capped", months=int(p.hold[0]))
        if p.flat_fee[0]:
            yield self.reason("flat_fee_pricing", fee=self.money(p.flat_fee[0]), apr=_rate_pct(eff))
        if interest > 0:
            yield self.reason("annual_rate_disclosed", apr=_rate_pct(eff), interest=self.money(interest))
        A = int(self.a.affordable[0])
        if s.affordable[0]:
            yield self.reason("affordable", payment=self.money(s.max_payment[0]), affordable=self.money(A))
        else:
            yield self.reason("not_affordable", payment=self.money(s.max_payment[0]), affordable=self.money(A),
                              shortfall=self.money(s.max_payment[0] - A))
            if t in ("instalment", "interest_reduction", "fee_waiver") and n >= pol.options.instalment.max_months:
                yield self.reason("term_at_maximum", months=n)
        tier = int(s.tier[0])
        if tier == BEYOND:
            yield self.reason("beyond_authority")
        elif tier:
            yield self.reason(f"approval_{TIERS[tier]}")
        if recommended:
            yield self.reason("recommended")

    def decline(self, t: str, code: str) -> dict:
        params = {}
        rules = self.policy.reage
        if code == "account_too_new":
            params = {"months": rules.min_account_age_months}
        elif code == "insufficient_payments":
            params = {"count": rules.min_consecutive_payments}
        elif code == "term_at_maximum":
            params = {"months": self.policy.options.term_extension.max_total_months}
        return {"type": t, "reasons": [explain.reason(code, self.locale, **params)]}

    def schedule(self, s: OptionSet) -> list[dict]:
        return schedule_lines(s, 0, self.first_due, self.digits, self.policy.rounding)

    def quote(self, qid: str, sets: dict[str, OptionSet], decision: Decision, schedules: str) -> dict:
        options, declined = [], []
        rec = int(decision.recommended[0])
        rec_id = ORDER[rec] if rec >= 0 else None
        for t in ORDER:
            if t not in sets:
                continue
            s = sets[t]
            if decision.visible[t][0]:
                opt = self.option(s, t == rec_id)
                if schedules == "all" or (schedules == "recommended" and t == rec_id):
                    opt["schedule"] = self.schedule(s)
                options.append(opt)
            elif not (self.channel == "portal" and decision.decline[t][0] in explain.PORTAL_HIDDEN):
                declined.append(self.decline(t, decision.decline[t][0]))
        near = int(decision.nearest[0])
        out = {
            "quote_id": qid,
            "policy": {"name": self.policy.name, "version": self.policy.version},
            "as_of": self.as_of.isoformat(),
            "currency": self.cur,
            "channel": self.channel,
            "affordability": self.affordability(decision),
            "options": options,
            "recommended_option_id": rec_id,
            "nearest_option_id": ORDER[near] if near >= 0 else None,
            "declined": declined,
        }
        return out


def schedule_lines(s: OptionSet, row: int, first_due: dt.date, digits: int, rounding: str) -> list[dict]:
    """The full schedule of one option of one account, every amount exact."""
    p = Plans(*(v[row:row + 1] for v in s.plans.__dict__.values()))
    sv = Solved(s.solved.level[row:row + 1], s.solved.final[row:row + 1], s.solved.term[row:row + 1])
    pays, ints, prin, fees, bal = (a[0] for a in schedule_arrays(p, sv, rounding))
    n = int(sv.term[0])
    regular = int(s.regular[row])
    fmt = format_minor
    lines = []
    for k, due in enumerate(due_dates(first_due, n)):
        line = {"number": k + 1, "due_date": due.isoformat(), "payment": fmt(int(pays[k]) + regular, digits),
                "interest": fmt(int(ints[k]), digits), "principal": fmt(int(prin[k]), digits),
                "fees": fmt(int(fees[k]), digits), "balance_after": fmt(int(bal[k]), digits)}
        if regular:
            line["regular_payment"] = fmt(regular, digits)
        lines.append(line)
    return lines


def format_effective_rate(x: float) -> str:
    """A float rate as a decimal string with six places at most (never NaN).

    >>> format_effective_rate(0.1724761), format_effective_rate(float("nan")), format_effective_rate(0.0)
    ('0.172476', '0', '0')
    """
    if not np.isfinite(x):
        x = 0.0
    return format(Decimal(repr(round(x, 6))).normalize(), "f")


def _rate_pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def _pct(d: Decimal) -> str:
    return f"{(d * 100).normalize():f}%"


def _pct_ppm(ppm) -> str:
    return f"{int(ppm) / 10_000:.2f}%"


__all__ = ["quote", "decide", "prepare", "load_request", "Decision", "format_effective_rate"]
