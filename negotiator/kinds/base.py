"""What an option kind declares: its flags, its policy keys, its figures, its words.

One module under :mod:`negotiator.kinds` per option ``type`` of the
contract holds a :class:`Kind` subclass and the kind's kernels (a ``build``
and any hooks of :mod:`negotiator.kinds.kernel` it overrides). The registry
(:mod:`negotiator.kinds`) derives everything else from them: the display
order and the ladder, the policy's schema of options, the re-ageing set the
store counts, the slot layouts and the kernels' dispatch.

Concessions are valued against the contract: a plan's *contract twin* is the
same plan priced at the account's own rate (or, for flat-fee pricing, the
policy's standard instalment fee), held months bearing the contract rate.
The interest forgone is the present value, at the policy's discount rate, of
the difference between the twin's payments and the plan's; fees waived and
principal forgiven count at face value.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from negotiator.core import i18n
from negotiator.core.money import format_rate, rate_to_ppm
from negotiator.core.vocabulary import LOCALES
from negotiator.kinds.kernel import O_OWN

if TYPE_CHECKING:
    import numpy as np

Reason = tuple[str, dict]

PRODUCTS = ("credit_card", "loan")
TIERS = ("none", "agent", "supervisor")


# --------------------------------------------------------------------------- policy keys

def rate_field(**kw) -> fields.Decimal:
    """A rate as a decimal fraction in [0, 1]."""
    return fields.Decimal(validate=validate.Range(min=Decimal(0), max=Decimal(1)), **kw)


def amount_field(**kw) -> fields.Decimal:
    """An amount in the policy's ``amounts_currency``, not negative."""
    return fields.Decimal(validate=validate.Range(min=Decimal(0)), **kw)


def months_field(lo: int = 1, hi: int = 600, **kw) -> fields.Integer:
    """A number of months in ``[lo, hi]``."""
    return fields.Integer(validate=validate.Range(min=lo, max=hi), **kw)


class Strict(Schema):
    """A policy section: unknown keys are refused."""

    class Meta:
        unknown = RAISE


class OptionSchema(Strict):
    """The keys every option kind's section of a policy has."""

    enabled = fields.Boolean(load_default=True)
    products = fields.List(fields.String(validate=validate.OneOf(PRODUCTS)), load_default=list(PRODUCTS))
    min_dpd = fields.Integer(load_default=0, validate=validate.Range(min=0))
    max_dpd = fields.Integer(load_default=179, validate=validate.Range(min=0))
    min_approval = fields.String(load_default="none", validate=validate.OneOf(TIERS))

    @validates_schema
    def _dpd_window(self, data, **_):
        if data.get("min_dpd", 0) > data.get("max_dpd", 179):
            raise ValidationError("min_dpd is above max_dpd", "min_dpd")


def ppm(rate) -> int:
    """A policy rate (a Decimal fraction, or None) in parts per million."""
    return rate_to_ppm(rate) if rate is not None else 0


# --------------------------------------------------------------------------- the kind

class Kind:
    """One option kind. Subclasses set the flags and override the hooks they need."""

    name: ClassVar[str]
    #: Position in the display order (least concession first, the hardship plans beside the re-age).
    rank: ClassVar[int]
    #: Position on the ladder (least concession first), or None: offered beside it.
    rung: ClassVar[int | None] = None
    #: Brings the account current by re-ageing it: the policy's re-age rules apply, and a booked plan counts.
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
    #: Where the lump sum pays everything owed, worked out with the first rung: paying in full concedes nothing.
    pays_off: ClassVar[bool] = False
    #: Its payments may be below the policy's ``min_payment`` (a token payment arrangement's are, by design).
    any_amount: ClassVar[bool] = False

    #: The kind's section of a policy (``options.<name>``).
    schema: ClassVar[type[Schema]] = OptionSchema
    #: The kind's own decline reasons, numbered from ``kernel.D_OWN`` in its kernels.
    declines: ClassVar[tuple[str, ...]] = ()
    #: The kind's own output figures, numbered from ``kernel.O_OWN``: name -> as a flag (bool) or a number.
    figures: ClassVar[dict[str, bool]] = {}
    #: The codes of its explanations' and own declines' messages (the ``reason`` context of the catalogs).
    messages: ClassVar[tuple[str, ...]] = ()

    @property
    def names(self) -> dict[str, str]:
        """Its name as a borrower reads it, per locale (the ``kind`` context of the catalogs)."""
        return {lang: i18n.text("kind", self.name, lang) for lang in LOCALES}

    def params(self, rule: Any) -> tuple[int, ...]:
        """The kind's own policy figures, as integers, in the order its kernels read them (``own_figure``)."""
        return ()

    def extra(self, oi: np.ndarray) -> dict[str, np.ndarray]:
        """The kind's own working figures from its outputs (``oi``: one row per field), for its words."""
        return {name: (oi[O_OWN + j] != 0 if flag else oi[O_OWN + j]) for j, (name, flag) in enumerate(
            self.figures.items())}

    # -- words
    def explain(self, r, s, i: int) -> list[Reason]:
        return []

    def outside(self, r, s, i: int) -> list[Reason]:
        """Why the plan is outside the policy for its own terms, as reasons (none: its terms are within them).

        The default is the term: longer than the kind's longest, or than the policy's ``max_term_months``
        (the kernels' :func:`~negotiator.kinds.kernel.default_inside` and the ladder's cap). A plan refused
        for its term says so, not that its concession is beyond every authority (issue 18).
        """
        n = int(s.solved.term[i])
        cap = r.ctx.cap_total
        hi = int(s.longest[i])
        longest = min(hi, cap) if hi >= 0 else cap
        if n > longest:
            ppy = int(s.plans.ppy[i])
            return [("term_beyond_policy", {"months": r.months_of(s, i), "max_months": longest * 12 // ppy})]
        return []

    def terms(self, r, s, i: int) -> dict:
        """The kind's own fields of the option on the wire (e.g. a hardship programme's disclosed rates)."""
        return {}

    def balance_left(self, s, i: int) -> int:
        """What is still owed when the plan ends (only kinds that leave a balance)."""
        return 0

    def concessions(self, r, s, i: int) -> list[dict]:
        """What the plan gives, for a what-if answer."""
        out = []
        if s.fees_waived[i]:
            out.append({"type": "fee_waiver", "amount": r.amt(s.fees_waived[i])})
        if s.principal_forgiven[i]:
            out.append({"type": "settlement", "principal_forgiven": r.amt(s.principal_forgiven[i])})
        return out


def pct_ppm(value) -> str:
    """A rate in ppm as a percentage, exactly: two decimals at least, as many more as the rate has (up to the
    four a ppm allows), never rounded (issue 18: a 0.0592 % fee rate read "0.06%").

    >>> pct_ppm(180_000), pct_ppm(592), pct_ppm(5_792), pct_ppm(1_250), pct_ppm(0)
    ('18.00%', '0.0592%', '0.5792%', '0.125%', '0.00%')
    """
    whole, frac = divmod(abs(int(value)), 10_000)
    digits = f"{frac:04d}".rstrip("0").ljust(2, "0")
    return f"{'-' if int(value) < 0 else ''}{whole}.{digits}%"


def rate(value) -> str:
    """A rate in ppm as the wire's decimal fraction."""
    return format_rate(int(value))


class Priced(Kind):
    """Kinds that cut the plan's price: the rate grid and its explanation."""

    reages = True
    any_frequency = True

    def explain_rate(self, r, s, i) -> list[Reason]:
        rate_now = s.extra["rate"][i]
        if r.ctx.flat:
            if rate_now < r.ctx.flat_ppm:
                return [("fee_rate_reduced", {"from_rate": pct_ppm(r.ctx.flat_ppm), "rate": pct_ppm(rate_now)})]
            return []
        if rate_now < r.acc.apr_ppm[i]:
            return [("rate_reduced", {"from_apr": pct_ppm(r.acc.apr_ppm[i]), "apr": pct_ppm(rate_now)})]
        return []

    def concessions(self, r, s, i):
        out = [{"type": "instalment", "term_months": r.months_of(s, i)}]
        contract = r.acc.apr_ppm[i] if not r.ctx.flat else r.ctx.flat_ppm * 12
        cut = s.extra["rate"][i] * (12 if r.ctx.flat else 1)
        if cut < contract:
            out.append({"type": "interest_reduction", "from_apr": rate(contract), "apr": rate(cut)})
        return out + super().concessions(r, s, i)
