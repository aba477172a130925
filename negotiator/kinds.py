"""Option kinds: each kind's flags and words.

A kind says what it is (its flags: whether it re-ages, may run during a
moratorium, is paid from a lump sum, any frequency...) and how its plan is
explained and listed as concessions. Its maths (how its plan is built for
an account, nudged to fit, valued, judged affordable) are written once, per
account, in :mod:`negotiator.ladder`, which reads these flags. Code
elsewhere never asks which kind it holds; it calls these hooks. The ladder
is an ordered list of kinds (:data:`LADDER`); :data:`BESIDE` are offered
beside it when the borrower's situation calls for them.

Concessions are valued against the contract: a plan's *contract twin* is the
same plan priced at the account's own rate (or, for flat-fee pricing, the
policy's standard instalment fee), held months bearing the contract rate.
The interest forgone is the present value, at the policy's discount rate, of
the difference between the twin's payments and the plan's; fees waived and
principal forgiven count at face value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from . import ladder

if TYPE_CHECKING:
    from .options import OptionSet

Reason = tuple[str, dict]


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

    #: Offered only when the budget during the hardship is below the usual one (a step-up).
    needs_recovery: ClassVar[bool] = False

    # -- words
    def explain(self, r, s: OptionSet, i: int) -> list[Reason]:
        return []

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


# --------------------------------------------------------------------------- the rungs

class CatchUp(Kind):
    """The arrears spread over a few months on top of the regular payment; no concession."""

    name = "catch_up"
    contract_runs_on = True

    def explain(self, r, s, i):
        acc = r.acc
        return [("arrears_spread", {"arrears": r.money(acc.arrears[i]), "months": int(s.solved.term[i]),
                                    "regular": r.money(acc.contractual[i])})]


class TermExtension(Kind):
    """A loan's remaining term lengthened, at the contract rate."""

    name = "term_extension"

    def explain(self, r, s, i):
        return [("term_extended", {"from_months": int(r.acc.remaining_term[i]), "months": int(s.solved.term[i])})]

    def concessions(self, r, s, i):
        return [{"type": "term_extension", "months_added": int(s.solved.term[i] - r.acc.remaining_term[i])}]


class Instalment(Kind):
    """The whole balance re-aged over the shortest affordable term at the plan price."""

    name = "instalment"
    reages = True
    any_frequency = True

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

    def explain(self, r, s, i):
        return self.explain_rate(r, s, i)


class FeeWaiver(_Priced):
    """The smallest waiver of fees, up to the cap, at the floor rate and the longest term."""

    name = "fee_waiver"

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
    needs_recovery = True

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
#: Display order: least concession first, the hardship plans beside the re-age (the kernels number kinds by it).
ORDER = ladder.ORDER
#: The ladder, least concession first.
LADDER = tuple(ORDER[k] for k in ladder.LADDER_IDS)
#: Offered beside the ladder when a hardship is declared.
BESIDE = tuple(ORDER[k] for k in ladder.BESIDE_IDS)
assert set(KINDS) == set(ORDER), "every kind has its kernels' number"
