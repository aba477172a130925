"""Wire rendering: one account's solved options as ``QuoteResponse`` of ``api_spec/openapi.yaml``.

Pure presentation: the decision is taken in :mod:`negotiator.engine.decide`, the
plans built by :mod:`negotiator.kinds`; this module formats them (amounts as
decimal strings, reasons in the borrower's language) and never changes a
figure. Each kind explains itself (:meth:`negotiator.kinds.Kind.explain`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from negotiator.core import formats
from negotiator.core.dates import add_months, due_dates, first_payment_date
from negotiator.core.money import RATE_SCALE, format_minor, format_rate
from negotiator.core.vocabulary import FEE_PARTS
from negotiator.engine import explain
from negotiator.engine.accounts import Accounts
from negotiator.engine.affordability import Assessment
from negotiator.engine.options import BEYOND, Context, OptionSet
from negotiator.engine.plans import Plans, Solved, schedule_arrays
from negotiator.kernels import MODES, rdiv
from negotiator.kinds import ORDER
from negotiator.kinds.kernel import CAP_SLACK
from negotiator.policy import TIERS, Policy

if TYPE_CHECKING:
    from negotiator.engine.decide import Decision

FREQUENCY_NAMES = {12: "monthly", 26: "fortnightly", 52: "weekly"}


class Renderer:
    """Turns row 0 of solved option arrays into the wire response."""

    def __init__(self, acc: Accounts, assessment: Assessment, policy: Policy, channel: str, locale: str,
                 as_of: dt.date):
        self.acc, self.a, self.policy, self.channel, self.locale = acc, assessment, policy, channel, locale
        self.as_of = as_of
        self.cur = str(acc.currency[0])
        self.digits = int(acc.digits[0])
        chosen = int(acc.first_due_days[0])
        self.first_due = (as_of + dt.timedelta(days=chosen) if chosen
                          else first_payment_date(as_of, policy.first_payment_offset_days))
        self.review = False     # the recommended plan is a break held until its review (decide.held_until_review)

    @cached_property
    def ctx(self) -> Context:
        """The options' context of this account (its terms in payments), made when a kind's words need it."""
        return Context(self.acc, self.a, self.policy, self.channel)

    @cached_property
    def first_due_iso(self) -> str:
        return self.first_due.isoformat()

    @cached_property
    def broken_floor(self) -> int:
        """The least approval a plan needs after the account's broken arrangements (0: none needed)."""
        return int(self.policy.broken_arrangements.floor(self.acc.broken_12m[:1])[0])

    def amt(self, minor) -> str:
        return format_minor(int(minor), self.digits)

    def money(self, minor) -> str:
        """An amount as the borrower reads it: "CN¥1,234.50", or "1,234.50 元" in Chinese (CLDR)."""
        return formats.money_minor(minor, self.digits, self.cur, self.locale)

    def months_of(self, s: OptionSet, i: int) -> int:
        """A plan's length in months (its payments, for weekly or fortnightly plans, rounded up to months)."""
        return -(-int(s.solved.term[i]) * 12 // int(s.plans.ppy[i]))

    def review_date(self, held: int) -> str:
        """When a plan's held months end and the borrower's situation is looked at again (ISO, the wire's)."""
        return add_months(self.first_due, held).isoformat()

    def review_day(self, held: int) -> str:
        """:meth:`review_date` as the borrower reads it ("3 January 2027", "2027年1月3日")."""
        return formats.date(add_months(self.first_due, held), self.locale)

    @property
    def nothing_to_spare(self) -> bool:
        """The borrower's budget has nothing to spare now (in deficit, or nothing left during a hardship)."""
        return int(self.a.now[0]) <= 0

    def reason(self, code: str, **params) -> dict | None:
        if self.channel == "portal" and code in explain.PORTAL_HIDDEN:
            return None
        if self.channel == "portal" and code in explain.PORTAL_WORDING:
            code = explain.PORTAL_WORDING[code]
        if self.channel == "portal" and code in explain.DEFICIT_WORDING and self.nothing_to_spare:
            # No shortfall is pressed on a borrower already in deficit (CONC 7.3.10R's spirit): the advice instead.
            code = explain.DEFICIT_WORDING[code]
        return explain.reason(code, self.locale, **params)

    # -- signposting
    def signposts(self, decision: Decision | None) -> bool:
        """Whether the answer points to help (the policy's ``advice``): a hardship is declared, the budget has
        nothing to spare, or no plan fits what the borrower can afford (issue 18)."""
        if self.policy.advice_in(self.locale) is None:
            return False
        if self.acc.hardship_months[0] > 0 or self.acc.in_moratorium[0] or self.nothing_to_spare:
            return True
        return decision is not None and int(decision.recommended[0]) < 0 and not _contract_fits(decision)

    def advice(self) -> list[dict]:
        """The policy's places to turn to, in the borrower's language (placeholders never shown)."""
        block = self.policy.advice_in(self.locale)
        return [dict(e) for e in block.entries] if block is not None else []

    def advice_flag(self) -> dict:
        """The sentence that introduces the advice: the policy's own, or the engine's words."""
        block = self.policy.advice_in(self.locale)
        if block is not None and block.intro:
            return {"code": "debt_advice", "message": block.intro}
        return explain.reason("debt_advice", self.locale)

    # -- affordability
    def affordability(self, decision: Decision | None = None) -> dict:
        a, acc, pol = self.a, self.acc, self.policy
        aff = pol.affordability
        flags = []
        params = {      # each flag's figures, worked out only for the flags raised
            "negative_surplus": lambda: {"amount": self.money(-a.disposable[0])},
            "no_surplus": dict,
            "capped_by_income": lambda: {"share": _pct(aff.max_payment_to_income)},
            "payment_to_income_high": lambda: {"amount": self.money(acc.contractual[0]),
                                               "share": _pct(aff.max_payment_to_income)},
            "below_minimum_payment": lambda: {"amount": self.money(a.affordable[0]),
                                              "minimum": self.money(pol.amounts(self.cur).min_payment)},
            "apr_above_flag_limit": lambda: {"apr": _pct(Decimal(int(acc.apr_ppm[0])).scaleb(-6)),
                                             "limit": _pct(pol.apr_flag_above or Decimal(0))},
        }
        for code, arr in a.flags.items():
            if arr[0]:
                flags.append(self.reason(code, **params[code]()))
        for cat, (above, below) in a.expense_flags.items():
            for arr, code in ((above, "expense_above_guideline"), (below, "expense_below_guideline")):
                if arr[0]:
                    flags.append(self.reason(code, category=cat, amount=self.money(acc.expense_lines[cat][0])))
        if self.acc.in_moratorium[0]:
            flags.append(self.reason("moratorium_in_force"))
        elif a.now[0] < a.affordable[0]:
            flags.append(self.reason("hardship_budget", amount=self.money(a.now[0]),
                                     months=int(acc.hardship_months[0])))
        if decision is None:
            pass
        elif decision.review is not None and decision.review[0]:
            flags.append(self.reason("held_until_review", months=int(acc.hardship_months[0])))
        elif decision.recommended[0] < 0 and _contract_fits(decision):
            flags.append(self.reason("contract_fits"))
        elif decision.recommended[0] < 0:
            if decision.nearest[0] >= 0 and decision.shortfall[0] > 0:
                flags.append(self.reason("no_affordable_option", shortfall=self.money(decision.shortfall[0])))
            else:
                flags.append(self.reason("no_option_available"))
        if self.signposts(decision):
            flags.append(self.advice_flag())
        out = {"disposable_income": self.amt(a.disposable[0]),
               "affordable_payment": self.amt(a.affordable[0]),
               "flags": [f for f in flags if f]}
        if a.now[0] != a.affordable[0]:
            out["affordable_during_hardship"] = self.amt(a.now[0])
        return out

    # -- options
    def option(self, s: OptionSet, recommended: bool) -> dict:
        p, sv = s.plans, s.solved
        n = int(sv.term[0])
        interest = int(s.total_interest[0])
        plan_fees = int(s.total_fees[0])
        eff = float(s.effective_apr[0])
        all_in = float(s.all_in_apr[0])
        waived = int(s.fees_waived[0]) + int(s.fees_capped[0])
        ppy = int(p.ppy[0])
        tier = int(s.tier[0])
        out = {
            "option_id": s.type,
            "type": s.type,
            "monthly_payment": self.amt(s.monthly_payment[0]),
            "term_months": self.months_of(s, 0),
            "apr": format_effective_rate(eff),
            "apr_method": self.policy.apr_method,
            "all_in_apr": format_effective_rate(all_in),
            "interest_rate": format_rate(int(s.plan_apr[0])),
            "first_payment_date": self.first_due_iso,
            "total_payable": self.amt(s.total[0]),
            "total_interest": self.amt(interest),
            "total_fees": self.amt(plan_fees),
            "fees_waived": self.amt(waived),
            "principal_forgiven": self.amt(s.principal_forgiven[0]),
            "affordable": bool(s.affordable[0]),
            "within_policy": tier < BEYOND,         # OptionSet.within_policy, for this one account
            "approval": TIERS[min(tier, 2)],
        }
        if waived and self.acc.fee_parts_known[0]:
            out["fees_waived_detail"] = self.fee_detail(waived)
        if ppy != 12:
            out["frequency"] = FREQUENCY_NAMES[ppy]
            out["number_of_payments"] = n
        if s.regular[0]:
            out["regular_payment"] = self.amt(s.regular[0])
        if s.kind.leaves_balance:
            out["balance_at_review"] = self.amt(s.kind.balance_left(s, 0))
            out["review_date"] = self.review_date(n)
        if p.hold[0]:
            out["holiday_months"] = int(p.hold[0])
            out["holiday_payment"] = self.amt(p.hold_payment[0])
            out["review_date"] = self.review_date(int(p.hold[0]))
        out.update(s.kind.terms(self, s, 0))
        if self.channel != "portal":
            out["lender_npv"] = self.amt(round(float(s.npv[0])))
            out["concession_value"] = self.amt(s.value[0])
        out["reasons"] = [r for r in self._reasons(s, recommended, eff, interest, plan_fees, all_in) if r]
        return out

    def fee_detail(self, waived: int, after: int = 0) -> dict[str, str]:
        """A waiver split over the account's fee parts, in the order the policy waives them; ``after``: the part
        of the waiver that comes after a first ``after`` already waived (the all-in cap's, after the kind's)."""
        order = list(self.policy.options.fee_waiver.parts)
        order += [p for p in FEE_PARTS if p not in order]
        out = {}
        for part in order:
            have = int(self.acc.fee_parts[0, FEE_PARTS.index(part)])
            skip = min(after, have)
            after -= skip
            take = min(waived, have - skip)
            if take:
                out[part] = self.amt(take)
            waived -= take
        return out

    def capped_charges(self, s: OptionSet) -> str:
        """The charges the all-in cap waived, by part where the account gave them, as a borrower reads them."""
        capped = int(s.fees_capped[0])
        if self.acc.fee_parts_known[0]:
            parts = self.fee_detail(capped, int(s.fees_waived[0]))
        else:
            parts = {"": self.amt(capped)}
        return explain.charges({k: explain.money(v, self.cur, self.locale) for k, v in parts.items()}, self.locale)

    def _reasons(self, s: OptionSet, recommended: bool, eff: float, interest: int, plan_fees: int, all_in: float):
        p = s.plans
        for code, params in s.kind.explain(self, s, 0):
            yield self.reason(code, **params)
        if p.flat_fee[0]:
            yield self.reason("flat_fee_pricing", fee=self.money(p.flat_fee[0]), apr=_rate_pct(eff),
                              fees=self.money(plan_fees))
        elif interest > 0:
            yield self.reason("annual_rate_disclosed", apr=_rate_pct(eff), interest=self.money(interest))
        if _rate_pct(all_in) != _rate_pct(eff):
            yield self.reason("all_in_rate_disclosed", apr=_rate_pct(all_in))
        limit = _pct(self.policy.max_apr)
        if s.fees_capped[0]:
            yield self.reason("charges_waived_to_cap", limit=limit, charges=self.capped_charges(s))
        if self.policy.max_apr_all_in and all_in > float(self.policy.max_apr) + CAP_SLACK:
            yield self.reason("all_in_above_cap", apr=_rate_pct(all_in), limit=limit)
        ppy = int(p.ppy[0])
        A = int(self.a.now[0]) * 12 // ppy
        if ppy != 12:
            yield self.reason(f"payments_{FREQUENCY_NAMES[ppy]}", count=int(s.solved.term[0]),
                              payment=self.money(s.monthly_payment[0]))
        suffix = "" if ppy == 12 else "_per_payment"
        if s.affordable[0]:
            yield self.reason("affordable" + suffix, payment=self.money(s.monthly_payment[0]),
                              affordable=self.money(A))
        else:
            yield self.reason("not_affordable" + suffix, payment=self.money(s.max_payment[0]),
                              affordable=self.money(A), shortfall=self.money(max(int(s.max_payment[0]) - A, 0)))
            hi = int(s.longest[0])
            if hi >= 0 and int(s.solved.term[0]) >= hi:
                yield self.reason("term_at_maximum", months=int(s.solved.term[0]))
        tier = int(s.tier[0])
        floor = self.broken_floor
        if 0 < floor == tier:
            yield self.reason(f"broken_arrangements_{TIERS[tier]}", count=int(self.acc.broken_12m[0]))
        if tier == BEYOND:
            for code, params in self.outside(s, 0):
                yield self.reason(code, **params)
        elif tier:
            yield self.reason(f"approval_{TIERS[tier]}")
        if recommended and self.review:
            yield self.reason("recommended_until_review", date=self.review_day(int(p.hold[0])))
        elif recommended:
            yield self.reason("recommended")

    def outside(self, s: OptionSet, i: int) -> list[tuple[str, dict]]:
        """Why a plan is outside the policy, each limit it breaks (:meth:`~negotiator.kinds.base.Kind.outside`
        for its term or discount; the policy's ``min_payment``; the approval tiers), as the ladder's
        :func:`~negotiator.engine.ladder.finish` judged it.

        ``beyond_authority`` only where the concession is above the supervisor's limits (issue 18: a plan
        refused only for its term said it was), or where nothing else explains it.
        """
        out = list(s.kind.outside(self, s, i))
        monthly, hold, n = int(s.monthly_payment[i]), int(s.plans.hold[i]), int(s.solved.term[i])
        minimum = self.policy.amounts(self.cur).min_payment
        if n > hold + 1 and not s.kind.any_amount and monthly * int(s.plans.ppy[i]) < minimum * 12:
            out.append(("below_policy_minimum", {"payment": self.money(monthly), "minimum": self.money(minimum)}))
        law = s.kind.in_moratorium and bool(self.acc.in_moratorium[i])   # the law's break: no lender's authority
        if (not law and self._above_authority(int(s.value[i]), int(self.acc.balance[i] + self.acc.fees[i]))) \
                or not out:
            out.append(("beyond_authority", {}))
        return out

    def _above_authority(self, value: int, owed: int) -> bool:
        """A concession of ``value`` above the supervisor's limits (:func:`~negotiator.engine.ladder.tier_of`)."""
        top = self.policy.approval.supervisor
        limit = self.policy.amounts(self.cur).tier_max[2]
        return value > limit or value > owed or value * RATE_SCALE > owed * top.max_share_ppm

    def decline_params(self, code: str) -> dict:
        """The figures a decline reason's message names (the policy's re-age rules, the longest term)."""
        rules = self.policy.reage
        if code == "account_too_new" and rules is not None:
            return {"months": rules.min_account_age_months}
        if code == "insufficient_payments" and rules is not None:
            return {"count": rules.min_consecutive_payments}
        if code == "term_at_maximum":
            return {"months": min(self.policy.options.term_extension.max_total_months, self.ctx.cap_total)}
        return {}

    def decline(self, t: str, code: str) -> dict:
        return {"type": t, "reasons": [r for r in [self.reason(code, **self.decline_params(code))] if r]}

    def schedule(self, s: OptionSet) -> list[dict]:
        return schedule_lines(s, 0, self.first_due, self.digits, self.policy.rounding, self.acc)

    def quote(self, qid: str, sets: dict[str, OptionSet], decision: Decision, schedules: str) -> dict:
        options, declined = [], []
        rec = int(decision.recommended[0])
        rec_id = ORDER[rec] if rec >= 0 else None
        self.review = decision.review is not None and bool(decision.review[0])
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
                d = self.decline(t, decision.decline[t][0])
                if d["reasons"]:
                    declined.append(d)
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
        if self.signposts(decision) and (entries := self.advice()):
            out["advice"] = entries
        return out


def _contract_fits(decision: Decision) -> bool:
    """No plan is needed: the account's contract is affordable as it stands (its rungs declined for it)."""
    return any(d[0] in ("no_extension_needed", "contract_affordable") for d in decision.decline.values())


def schedule_lines(s: OptionSet, row: int, first_due: dt.date, digits: int, rounding: str,
                   acc: Accounts | None = None) -> list[dict]:
    """The full schedule of one option of one account, every amount exact.

    ``interest`` is interest only; a flat-fee plan's monthly fee is its own
    column, ``plan_fee``. A catch-up's lines repay the arrears
    (``arrears_after``) while the contract runs on: its ``balance_after`` is
    what the whole account still owes, the contract's interest included.
    """
    cut = slice(row, row + 1)       # views: the schedule only reads them
    p = Plans(*(v[cut] for v in s.plans.columns()))
    sv = Solved(s.solved.level[cut], s.solved.final[cut], s.solved.term[cut])
    # Python ints from here on: one conversion per column, not one per amount.
    pays, ints, prin, fees, bal = (a[0].tolist() for a in schedule_arrays(p, sv, rounding))
    n = int(sv.term[0])
    regular = int(s.regular[row])
    flat, hold, ppy = int(p.flat_fee[0]), int(p.hold[0]), int(p.ppy[0])
    fmt = format_minor
    lines = []
    rest_p = rest_f = apr = 0
    runs_on = s.kind.contract_runs_on and acc is not None
    left = int(s.kind.balance_left(s, row)) if s.kind.leaves_balance else 0
    if acc is not None and runs_on:
        rest_p = int(acc.balance[row] - acc.arrears[row])
        rest_f = int(acc.fees[row])
        apr = int(acc.apr_ppm[row])
    den, mode = ppy * RATE_SCALE, MODES[rounding]
    regular_text = fmt(regular, digits)
    for k, due in enumerate(due_dates(first_due, n, ppy)):
        fee_k = flat if (flat and k >= hold) else 0
        line = {"number": k + 1, "due_date": due.isoformat(), "payment": fmt(pays[k] + regular, digits),
                "interest": fmt(ints[k] - fee_k, digits), "principal": fmt(prin[k], digits),
                "fees": fmt(fees[k], digits), "balance_after": fmt(bal[k] + left, digits)}
        if flat:
            line["plan_fee"] = fmt(fee_k, digits)
        if regular:
            line["regular_payment"] = regular_text
        if runs_on:
            # The contract runs on: interest on the rest, the regular payment to it, fees last.
            i = rdiv(rest_p * apr, den, mode)   # the contract's rate a period
            spare = regular - i
            to_p = min(max(spare, 0), rest_p)
            rest_p = rest_p - to_p + max(-spare, 0)
            rest_f -= min(max(spare - to_p, 0), rest_f)
            line["arrears_after"] = line["balance_after"]
            line["balance_after"] = fmt(bal[k] + rest_p + rest_f, digits)
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
