"""Lender policies: YAML files validated on load, versioned, looked up by name.

A policy holds the hard limits (terms, rate floors, waiver and discount
caps), the affordability rule, the approval tiers and what a self-service
portal may offer. Amounts in a policy are in major units of its
``amounts_currency`` (the policy's one currency by default) and converted
once, at load, into minor units of every currency it has an exchange rate
for; rates are decimal fractions. A bad file is refused with the key named.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from negotiator import kernels
from negotiator.core.errors import PolicyError, UnknownPolicyError, flatten_messages
from negotiator.core.money import CURRENCIES, ROUNDING_MODES, rate_to_ppm, to_minor
from negotiator.core.vocabulary import CONTACT_CHANNELS, LOCALES
from negotiator.kinds import OPTION_SCHEMAS, ORDER
from negotiator.kinds.base import PRODUCTS, TIERS, Strict, amount_field, months_field, rate_field

#: Every option kind a policy can configure, least concession first (display order).
OPTION_TYPES = ORDER
__all__ = ["OPTION_TYPES", "PRODUCTS", "TIERS", "EXPENSE_CATEGORIES", "INCOME_CATEGORIES", "APR_METHODS"]
EXPENSE_CATEGORIES = (
    "housing", "utilities", "food", "transport", "childcare", "insurance",
    "communications", "health", "education", "other",
)
INCOME_CATEGORIES = ("salary", "self_employment", "benefits", "pension", "other")
#: How a plan's annualised rate is disclosed: ``nominal`` is the monthly
#: internal rate of return times 12 (US Regulation Z's actuarial APR; China's
#: IRR-based 年化利率 per the PBoC 2021 announcement), ``compound`` is
#: the annual compound rate solved at the payments' real dates, time in years from the drawdown as days
#: over 365 (UK CONC App 1.2, for credit not secured on land).
APR_METHODS = ("nominal", "compound")
#: How the first period's interest is counted, from the plan's start (``as_of``) to its first due date, and its
#: days in a year: ``30/360`` (30E/360: months of 30 days; a first due date a calendar month away is one whole
#: period), ``actual/360`` (the days elapsed over 360: China's 日利率 = 年利率 / 360), ``actual/365`` (the days
#: elapsed over 365). Later periods are equal periods of the plan's frequency (a twelfth of the annual rate a
#: month). The choice is the lender's, in its contract.
DAY_COUNTS = {"30/360": 360, "actual/360": 360, "actual/365": 365}




OptionsSchema = Schema.from_dict(
    {k: fields.Nested(v, load_default=(lambda v=v: v().load({}))) for k, v in OPTION_SCHEMAS.items()},
    name="OptionsSchema")
OptionsSchema.Meta.unknown = RAISE


class GuidelineSchema(Strict):
    min = amount_field(load_default=Decimal(0))
    max = amount_field(required=True)
    per_member_min = amount_field(load_default=Decimal(0))
    per_member_max = amount_field(load_default=Decimal(0))


class AffordabilitySchema(Strict):
    surplus_share = rate_field(load_default=Decimal("0.8"))
    max_payment_to_income = rate_field(load_default=Decimal("0.4"))
    expense_guidelines = fields.Dict(
        keys=fields.String(validate=validate.OneOf(sorted(CURRENCIES))),
        values=fields.Dict(keys=fields.String(validate=validate.OneOf(EXPENSE_CATEGORIES)),
                           values=fields.Nested(GuidelineSchema)),
        load_default=dict)


class TierSchema(Strict):
    max_concession = amount_field(required=True)
    max_share = rate_field(required=True)


class ApprovalSchema(Strict):
    none = fields.Nested(TierSchema, required=True)
    agent = fields.Nested(TierSchema, required=True)
    supervisor = fields.Nested(TierSchema, required=True)


class PortalSchema(Strict):
    enabled = fields.Boolean(load_default=True)
    max_balance = amount_field(load_default=Decimal(30000))
    max_term_months = months_field(load_default=24)
    surplus_share = rate_field(load_default=Decimal("0.5"))


class ReageSchema(Strict):
    min_account_age_months = fields.Integer(load_default=9, validate=validate.Range(min=0))
    min_consecutive_payments = fields.Integer(load_default=3, validate=validate.Range(min=0))
    max_per_12_months = fields.Integer(load_default=1, validate=validate.Range(min=0))
    max_per_5_years = fields.Integer(load_default=2, validate=validate.Range(min=0))


class BrokenArrangementsSchema(Strict):
    """How many arrangements broken in the last 12 months before a new plan needs an agent, a supervisor, or
    is not offered at all: the lender's own choice of limits (issue 18)."""

    agent_from = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    supervisor_from = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    none_from = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))

    @validates_schema
    def _ordered(self, data, **_):
        given = [(k, data[k]) for k in ("agent_from", "supervisor_from", "none_from") if data.get(k) is not None]
        for (k1, v1), (k2, v2) in zip(given, given[1:]):
            if v2 <= v1:
                raise ValidationError(f"must be above {k1} ({v1})", k2)


_HHMM = validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$", error="Must be a time HH:MM (00:00 to 24:00).")


class HoursSchema(Strict):
    start = fields.String(required=True, validate=_HHMM)
    end = fields.String(required=True, validate=_HHMM)

    @validates_schema
    def _ordered(self, data, **_):
        if data["end"] <= data["start"]:
            raise ValidationError("must be after start", "end")


class CallLimitSchema(Strict):
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    days = fields.Integer(required=True, validate=validate.Range(min=1, max=31))


class ContactSchema(Strict):
    """When and how often a borrower may be contacted (issue 21; the presets cite their sources)."""

    hours = fields.Nested(HoursSchema, load_default=lambda: {"start": "08:00", "end": "21:00"}, metadata={
        "description": "The borrower's local time within which contact may be made (end excluded)."})
    hours_channels = fields.List(fields.String(validate=validate.OneOf(CONTACT_CHANNELS)),
                                 load_default=["call", "sms", "email", "visit"])
    call_limits = fields.List(fields.Nested(CallLimitSchema), load_default=list, metadata={
        "description": "At most `count` outbound calls to one person in `days` consecutive local days, the call "
                       "asked about included."})
    after_conversation_days = fields.Integer(load_default=None, allow_none=True,
                                             validate=validate.Range(min=1, max=31), metadata={
        "description": "No outbound call for this many days after a telephone conversation with the person, "
                       "the day of the conversation counted as the first."})
    third_party = fields.Boolean(load_default=False, metadata={
        "description": "Whether a third party may be contacted about the debt."})
    moratorium = fields.Boolean(load_default=True, metadata={
        "description": "No contact asking for payment while a breathing space or other moratorium is in force."})
    reminder_days = fields.Integer(load_default=3, validate=validate.Range(min=0, max=30), metadata={
        "description": "Days before an instalment falls due that a reminder is due."})


class AdviceEntrySchema(Strict):
    """Where a borrower can get help: free, independent debt advice, the lender's own hardship line."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    url = fields.String(validate=[validate.Length(max=300), validate.URL(schemes={"https", "http"})])
    phone = fields.String(validate=validate.Regexp(r"^\+?[0-9][0-9 ()\-]{1,28}[0-9]$",
                                                   error="digits, spaces, + ( ) - only, as people dial it"))
    hours = fields.String(validate=validate.Length(min=1, max=120), metadata={
        "description": "When it answers, in the block's language (optional)."})
    placeholder = fields.Boolean(load_default=False, metadata={
        "description": "An entry the lender must fill in (its own hardship line): never shown until it is."})

    @validates_schema
    def _reachable(self, data, **_):
        if not data.get("placeholder") and not data.get("url") and not data.get("phone"):
            raise ValidationError("give a url or a phone (or mark the entry placeholder: true)", "name")


class AdviceTextSchema(Strict):
    """The signposting of one language: a sentence that introduces it and the places to turn to."""

    intro = fields.String(validate=validate.Length(min=1, max=400))
    entries = fields.List(fields.Nested(AdviceEntrySchema), load_default=list, validate=validate.Length(max=10))

    @validates_schema
    def _something(self, data, **_):
        if not data.get("intro") and not data.get("entries"):
            raise ValidationError("give an intro or at least one entry", "entries")


class DisclosureSchema(Strict):
    apr_method = fields.String(load_default="nominal", validate=validate.OneOf(APR_METHODS))


class PolicySchema(Strict):
    name = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$"))
    version = fields.String(required=True, validate=validate.Length(min=1, max=64))
    description = fields.String(load_default="")
    currencies = fields.List(fields.String(validate=validate.OneOf(sorted(CURRENCIES))), load_default=None,
                             allow_none=True)
    amounts_currency = fields.String(load_default=None, allow_none=True,
                                     validate=validate.OneOf(sorted(CURRENCIES)), metadata={
        "description": "The currency the policy's amounts are written in (the only accepted currency by default)."})
    exchange_rates = fields.Dict(keys=fields.String(validate=validate.OneOf(sorted(CURRENCIES))),
                                 values=fields.Decimal(validate=validate.Range(min=Decimal("0.000001"),
                                                                              max=Decimal(1_000_000))),
                                 load_default=dict, metadata={
        "description": "Units of each currency per unit of amounts_currency, to convert the policy's amounts."})
    rounding = fields.String(load_default="half_up", validate=validate.OneOf(ROUNDING_MODES))
    max_apr = rate_field(load_default=Decimal("0.6"))
    max_apr_all_in = fields.Boolean(load_default=False, metadata={
        "description": "max_apr also caps every plan's all-in annual cost: interest and every charge repaid in it, "
                       "carried penalty interest and fees included (China: 整治办函〔2017〕141号, PBoC announcement "
                       "〔2021〕3号). Carried charges are waived, in the fee waiver's order, until the plan is within "
                       "it; a plan that cannot be is not within policy."})
    day_count = fields.String(load_default="30/360", validate=validate.OneOf(list(DAY_COUNTS)), metadata={
        "description": "How the first period's interest runs from the plan's start to its first due date: "
                       "`30/360`, `actual/360` or `actual/365`; later periods are equal periods."})
    apr_flag_above = rate_field(load_default=None, allow_none=True, metadata={
        "description": "Accounts whose apr is above this (and at most max_apr) are quoted but flagged "
                       "(apr_above_flag_limit), e.g. above a court protection limit."})
    discount_rate = rate_field(load_default=Decimal("0.1"))
    min_payment = amount_field(load_default=Decimal(10))
    max_term_months = months_field(load_default=60, metadata={
        "description": "Longest plan of any kind, held months included."})
    first_payment_offset_days = fields.Integer(load_default=30, validate=validate.Range(min=0, max=90))
    first_payment_max_days = fields.Integer(load_default=45, validate=validate.Range(min=1, max=120))
    frequencies = fields.List(fields.String(validate=validate.OneOf(["monthly", "fortnightly", "weekly"])),
                              load_default=["monthly"], validate=validate.Length(min=1), metadata={
        "description": "Payment frequencies a plan may have; weekly and fortnightly apply to the instalment, "
                       "interest-reduction and fee-waiver plans."})
    charge_off_dpd = fields.Integer(load_default=180, validate=validate.Range(min=1))
    disclosure = fields.Nested(DisclosureSchema, load_default=lambda: DisclosureSchema().load({}))
    affordability = fields.Nested(AffordabilitySchema, load_default=lambda: AffordabilitySchema().load({}))
    options = fields.Nested(OptionsSchema, load_default=lambda: OptionsSchema().load({}))
    approval = fields.Nested(ApprovalSchema, required=True)
    portal = fields.Nested(PortalSchema, load_default=lambda: PortalSchema().load({}))
    reage = fields.Nested(ReageSchema, load_default=None, allow_none=True)
    broken_arrangements = fields.Nested(BrokenArrangementsSchema, load_default=None, allow_none=True)
    contact = fields.Nested(ContactSchema, load_default=lambda: ContactSchema().load({}))
    # Keeping arrangements (issue 8): how long a quote can be accepted, and when a plan is broken.
    quote_valid_days = fields.Integer(load_default=30, validate=validate.Range(min=1, max=365))
    grace_days = fields.Integer(load_default=14, validate=validate.Range(min=0, max=90))
    missed_instalments_allowed = fields.Integer(load_default=1, validate=validate.Range(min=0, max=12))
    # Signposting (issue 18): where a borrower in hardship, or with nothing affordable, can turn for help.
    advice = fields.Dict(keys=fields.String(validate=validate.OneOf(LOCALES)), values=fields.Nested(AdviceTextSchema),
                         load_default=dict, metadata={
        "description": "Per language (en, zh-CN): an intro and entries {name, url, phone, hours}; shown to a "
                       "borrower who declares a hardship or whom no affordable plan fits."})

    @validates_schema
    def _consistent(self, data, **_):
        a = data.get("approval")
        if a is not None:
            for lo, hi in (("none", "agent"), ("agent", "supervisor")):
                lo_t, hi_t = a[lo], a[hi]
                if lo_t["max_concession"] > hi_t["max_concession"] or lo_t["max_share"] > hi_t["max_share"]:
                    raise ValidationError(f"{lo} limits exceed {hi} limits", "approval")
        opts = data.get("options")
        if opts is not None and opts["instalment"]["requires_reage_rules"] and data.get("reage") is None:
            raise ValidationError("required when options.instalment.requires_reage_rules is true", "reage")
        if opts is not None and opts["instalment"]["pricing"] == "flat_fee" and \
                set(data.get("frequencies") or ["monthly"]) != {"monthly"}:
            raise ValidationError("flat-fee pricing is monthly: offer monthly payments only", "frequencies")
        cap = data.get("max_term_months", 60)
        if opts is not None:
            for key, months in (("instalment.max_months", opts["instalment"]["max_months"]),
                                ("term_extension.max_total_months", opts["term_extension"]["max_total_months"]),
                                ("interest_free_instalment.max_months",
                                 opts["interest_free_instalment"]["max_months"])):
                if months > cap:
                    raise ValidationError(f"{months} is above max_term_months ({cap})", f"options.{key}")
        if data.get("advice") and "en" not in data["advice"]:
            raise ValidationError("needs an en block (what other languages fall back to)", "advice")
        flag = data.get("apr_flag_above")
        if flag is not None and flag >= data.get("max_apr", Decimal("0.6")):
            raise ValidationError("must be below max_apr (accounts above max_apr are refused)", "apr_flag_above")
        base = data.get("amounts_currency")
        listed = data.get("currencies")
        if base is None and listed is not None and len(listed) == 1:
            base = listed[0]
        if base is None:
            raise ValidationError("required unless the policy accepts exactly one currency", "amounts_currency")
        rates = data.get("exchange_rates") or {}
        for cur in listed or ():
            if cur != base and cur not in rates:
                raise ValidationError(f"no rate for {cur}, which the policy accepts", "exchange_rates")
        if opts is not None and a is not None:
            # A settlement at the discount cap, paid in the most instalments at
            # the highest rate, must stay within the supervisor's share.
            st = opts["settlement"]
            worst = float(st["max_discount"]) + (1 - float(st["max_discount"])) * _instalment_forgone_share(
                float(data.get("max_apr", Decimal("0.6"))), float(data.get("discount_rate", Decimal("0.1"))),
                st["max_payments"])
            if st["enabled"] and worst > float(a["supervisor"]["max_share"]) + 1e-9:
                raise ValidationError(
                    f"a settlement at the discount cap in {st['max_payments']} payments concedes up to "
                    f"{worst:.4f} of what is owed, above approval.supervisor.max_share: the cap is unreachable",
                    "options.settlement.max_discount")


def _instalment_forgone_share(max_apr: float, discount_rate: float, k: int) -> float:
    """Interest forgone by a settlement paid in ``k`` interest-free instalments, per unit settled.

    The contract would charge ``max_apr``; the difference between its level
    payment and the interest-free one, at the policy's discount rate.

    >>> round(_instalment_forgone_share(0.24, 0.08, 6), 4)
    0.0695
    >>> _instalment_forgone_share(0.24, 0.08, 1)
    0.0
    """
    if k <= 1:
        return 0.0
    r, d = max_apr / 12, discount_rate / 12
    level = kernels.payment(1.0, r, float(k))
    return max(level - 1.0 / k, 0.0) * kernels.annuity(d, float(k))


_SCHEMA = PolicySchema()


# --------------------------------------------------------------------------- typed, frozen policy

@dataclass(frozen=True)
class OptionRule:
    """The rules of one option kind; kind-specific keys are in ``params``."""

    name: str
    enabled: bool
    products: tuple[str, ...]
    min_dpd: int
    max_dpd: int
    min_approval: str
    params: dict = field(hash=False, compare=False)

    @property
    def min_tier(self) -> int:
        return TIERS.index(self.min_approval)

    def __getattr__(self, key: str):
        # Kind-specific keys read as attributes (``rule.max_months``).
        try:
            return self.__dict__["params"][key]
        except KeyError:
            raise AttributeError(key) from None


@dataclass(frozen=True)
class Guideline:
    """One spending guideline in minor units of its currency."""

    min: int
    max: int
    per_member_min: int
    per_member_max: int


@dataclass(frozen=True)
class Amounts:
    """The policy's amounts in minor units of one currency (converted once, at load)."""

    currency: str
    min_payment: int
    holiday_payment: int
    token_payment: int
    portal_max_balance: int
    tier_max: tuple[int, int, int]


@dataclass(frozen=True)
class Tier:
    max_concession: Decimal
    max_share: Decimal

    @property
    def max_share_ppm(self) -> int:
        return rate_to_ppm(self.max_share)


@dataclass(frozen=True)
class Approval:
    none: Tier
    agent: Tier
    supervisor: Tier

    def tiers(self) -> tuple[Tier, Tier, Tier]:
        return (self.none, self.agent, self.supervisor)


@dataclass(frozen=True)
class Portal:
    enabled: bool
    max_balance: Decimal
    max_term_months: int
    surplus_share: Decimal


@dataclass(frozen=True)
class Reage:
    min_account_age_months: int
    min_consecutive_payments: int
    max_per_12_months: int
    max_per_5_years: int


@dataclass(frozen=True)
class BrokenArrangements:
    agent_from: int | None = None
    supervisor_from: int | None = None
    none_from: int | None = None

    def floor(self, broken: np.ndarray) -> np.ndarray:
        """The least approval tier a new plan needs after ``broken`` arrangements broken in 12 months: 0 none,
        1 agent, 2 supervisor, 4 none offered (above :data:`BEYOND`, 3).

        >>> BrokenArrangements(1, 2, 3).floor(np.array([0, 1, 2, 3, 9])).tolist()
        [0, 1, 2, 4, 4]
        >>> BrokenArrangements(supervisor_from=2).floor(np.array([1, 2])).tolist()
        [0, 2]
        """
        out = np.zeros(len(broken), dtype=np.int64)
        for limit, tier in ((self.agent_from, 1), (self.supervisor_from, 2), (self.none_from, 4)):
            if limit is not None:
                out = np.where(broken >= limit, tier, out)
        return out


@dataclass(frozen=True)
class ContactRule:
    """A policy's ``contact`` block, typed (times as :class:`datetime.time`; ``end`` 24:00 is midnight)."""

    start: dt.time = dt.time(8)
    end: dt.time | None = dt.time(21)            # None: midnight, the end of the day
    hours_channels: tuple[str, ...] = ("call", "sms", "email", "visit")
    call_limits: tuple[tuple[int, int], ...] = ()
    after_conversation_days: int | None = None
    third_party: bool = False
    moratorium: bool = True
    reminder_days: int = 3

    @classmethod
    def load(cls, data: dict) -> ContactRule:
        def hhmm(text: str) -> dt.time | None:
            return None if text == "24:00" else dt.time(int(text[:2]), int(text[3:]))
        return cls(hhmm(data["hours"]["start"]) or dt.time(0), hhmm(data["hours"]["end"]),
                   tuple(data["hours_channels"]), tuple((c["count"], c["days"]) for c in data["call_limits"]),
                   data["after_conversation_days"], data["third_party"], data["moratorium"], data["reminder_days"])


@dataclass(frozen=True)
class Advice:
    """Signposting in one language: its intro (None: the engine's words) and the entries a borrower is shown
    (placeholders left out)."""

    intro: str | None
    entries: tuple[dict, ...]


@dataclass(frozen=True)
class AffordabilityRule:
    surplus_share: Decimal
    max_payment_to_income: Decimal
    guidelines: dict = field(hash=False, compare=False)     # currency -> category -> Guideline
    raw_guidelines: dict = field(hash=False, compare=False, repr=False)


@dataclass(frozen=True)
class Options:
    rules: dict = field(hash=False, compare=False)          # kind name -> OptionRule

    def __getattr__(self, key: str) -> OptionRule:
        try:
            return self.__dict__["rules"][key]
        except KeyError:
            raise AttributeError(key) from None


class PolicyCurrencyError(ValueError):
    """The policy has no exchange rate for a currency, so its limits cannot apply."""


@dataclass(frozen=True)
class Policy:
    """A validated policy: typed, frozen, amounts converted once into minor units.

    Rates are Decimal fractions, with ``*_ppm`` forms for the exact engine.
    Amounts are written in ``amounts_currency``; :meth:`amounts` gives them in
    minor units of any currency the policy has a rate for.
    """

    name: str
    version: str
    description: str
    source: str
    currencies: tuple[str, ...] | None
    amounts_currency: str
    exchange_rates: dict = field(hash=False, compare=False)
    rounding: str = "half_up"
    max_apr: Decimal = Decimal("0.6")
    max_apr_all_in: bool = False
    day_count: str = "30/360"
    apr_flag_above: Decimal | None = None
    discount_rate: Decimal = Decimal("0.1")
    min_payment: Decimal = Decimal(10)
    max_term_months: int = 60
    first_payment_offset_days: int = 30
    first_payment_max_days: int = 45
    frequencies: tuple[str, ...] = ("monthly",)
    charge_off_dpd: int = 180
    apr_method: str = "nominal"
    quote_valid_days: int = 30
    grace_days: int = 14
    missed_instalments_allowed: int = 1
    affordability: AffordabilityRule = None  # type: ignore[assignment]
    options: Options = None  # type: ignore[assignment]
    approval: Approval = None  # type: ignore[assignment]
    portal: Portal = None  # type: ignore[assignment]
    reage: Reage | None = None
    broken_arrangements: BrokenArrangements = BrokenArrangements()
    contact: ContactRule = ContactRule()
    advice: dict = field(default_factory=dict, hash=False, compare=False)   # language -> Advice
    raw: dict = field(default_factory=dict, hash=False, compare=False, repr=False)
    by_currency: dict = field(default_factory=dict, hash=False, compare=False, repr=False)

    def __repr__(self) -> str:
        return f"Policy({self.name!r}, version={self.version!r})"

    @property
    def max_apr_ppm(self) -> int:
        return rate_to_ppm(self.max_apr)

    @property
    def year_days(self) -> int:
        """Days in the day count's year (360 or 365)."""
        return DAY_COUNTS[self.day_count]

    def first_days(self, start, first) -> int:
        """The days from ``start`` to ``first`` (dates) under the policy's day count.

        30E/360 counts months of 30 days (a 31st counts as the 30th), so a
        first due date a calendar month away is 30 days, one whole period.

        >>> p = Policy("x", "1", "", "", None, "USD", {}, day_count="30/360")
        >>> import datetime as dt
        >>> p.first_days(dt.date(2026, 1, 31), dt.date(2026, 2, 28)), p.first_days(dt.date(2026, 11, 23),
        ...                                                                         dt.date(2026, 11, 26))
        (28, 3)
        """
        if self.day_count == "30/360":
            return (360 * (first.year - start.year) + 30 * (first.month - start.month)
                    + min(first.day, 30) - min(start.day, 30))
        return (first - start).days

    @property
    def discount_monthly(self) -> float:
        return float(self.discount_rate) / 12

    def option(self, name: str) -> OptionRule:
        return self.options.rules[name]

    def amounts(self, currency: str) -> Amounts:
        """The policy's amounts in minor units of ``currency``.

        Raises :class:`PolicyCurrencyError` when the policy has no rate for it.
        """
        try:
            return self.by_currency[currency]
        except KeyError:
            raise PolicyCurrencyError(
                f"Policy {self.name} has no exchange rate for {currency}: its limits are in "
                f"{self.amounts_currency}.") from None

    def amount_array(self, name: str, acc) -> np.ndarray:
        """One of :class:`Amounts`' fields, per account of ``acc``, in minor units (``tier_max`` excluded)."""
        out = np.zeros(len(acc), dtype=np.int64)
        for cur, rows in acc.currency_groups():
            out[slice(None) if rows is None else rows] = getattr(self.amounts(cur), name)
        return out

    def tier_limits(self, acc) -> np.ndarray:
        """Approval limits per account of ``acc``: an (n, 3) array of minor units."""
        out = np.zeros((len(acc), 3), dtype=np.int64)
        for cur, rows in acc.currency_groups():
            out[slice(None) if rows is None else rows] = self.amounts(cur).tier_max
        return out

    def advice_in(self, locale: str) -> Advice | None:
        """The signposting in ``locale`` (a Chinese one where a policy has none in this Chinese script, then
        English); None when the policy has none."""
        chinese = next((self.advice[c] for c in LOCALES if c.startswith("zh") and c in self.advice), None) \
            if locale.startswith("zh") else None
        return self.advice.get(locale) or chinese or self.advice.get("en")

    def public_dict(self) -> dict:
        """The policy as plain data (for ``GET /v1/policies/{name}``)."""
        def plain(v):
            if isinstance(v, dict):
                return {k: plain(x) for k, x in v.items()}
            if isinstance(v, (list, tuple)):
                return [plain(x) for x in v]
            if isinstance(v, Decimal):
                return format(v.normalize(), "f")
            return v
        return {k: plain(self.raw[k]) for k in PolicySchema().fields}


def _convert(amount: Decimal, rate: Decimal, currency: str) -> int:
    """``amount`` (in the policy's currency) times ``rate``, in whole minor units of ``currency``, rounded down.

    >>> _convert(Decimal("500"), Decimal("7.1"), "CNY"), _convert(Decimal("10.50"), Decimal(1), "JPY")
    (355000, 10)
    """
    digits = CURRENCIES[currency]
    return int((amount * rate).scaleb(digits).to_integral_value(rounding=ROUND_FLOOR))


def _freeze(data: dict, source: str) -> Policy:
    listed = data["currencies"]
    base = data["amounts_currency"] or listed[0]
    rates = {base: Decimal(1), **{k: v for k, v in data["exchange_rates"].items()}}
    opts = data["options"]
    by_currency = {}
    for cur, rate in rates.items():
        by_currency[cur] = Amounts(
            currency=cur,
            min_payment=_convert(data["min_payment"], rate, cur),
            holiday_payment=_convert(opts["payment_holiday"]["payment"], rate, cur),
            token_payment=_convert(opts["token_payment"]["payment"], rate, cur),
            portal_max_balance=_convert(data["portal"]["max_balance"], rate, cur),
            tier_max=(_convert(data["approval"]["none"]["max_concession"], rate, cur),
                      _convert(data["approval"]["agent"]["max_concession"], rate, cur),
                      _convert(data["approval"]["supervisor"]["max_concession"], rate, cur)))
    rules = {}
    for name, o in opts.items():
        common = {k: o[k] for k in ("enabled", "min_dpd", "max_dpd", "min_approval")}
        params = {k: v for k, v in o.items() if k not in common and k != "products"}
        rules[name] = OptionRule(name=name, products=tuple(o["products"]), params=params, **common)
    aff = data["affordability"]
    guides = {cur: {cat: Guideline(*(to_minor(g[k], CURRENCIES[cur]) for k in
                                     ("min", "max", "per_member_min", "per_member_max")))
                    for cat, g in cats.items()}
              for cur, cats in aff["expense_guidelines"].items()}
    appr = data["approval"]
    reage = data["reage"]
    return Policy(
        name=data["name"], version=data["version"], description=data["description"], source=source,
        currencies=tuple(listed) if listed else None, amounts_currency=base, exchange_rates=rates,
        rounding=data["rounding"], max_apr=data["max_apr"], max_apr_all_in=data["max_apr_all_in"],
        day_count=data["day_count"], apr_flag_above=data["apr_flag_above"],
        discount_rate=data["discount_rate"],
        min_payment=data["min_payment"], max_term_months=data["max_term_months"],
        first_payment_offset_days=data["first_payment_offset_days"],
        first_payment_max_days=data["first_payment_max_days"], frequencies=tuple(data["frequencies"]),
        charge_off_dpd=data["charge_off_dpd"],
        apr_method=data["disclosure"]["apr_method"], quote_valid_days=data["quote_valid_days"],
        grace_days=data["grace_days"], missed_instalments_allowed=data["missed_instalments_allowed"],
        affordability=AffordabilityRule(aff["surplus_share"], aff["max_payment_to_income"], guides,
                                        aff["expense_guidelines"]),
        options=Options(rules),
        approval=Approval(*(Tier(appr[t]["max_concession"], appr[t]["max_share"]) for t in TIERS)),
        portal=Portal(**data["portal"]),
        reage=Reage(**reage) if reage is not None else None,
        broken_arrangements=BrokenArrangements(**(data["broken_arrangements"] or {})),
        contact=ContactRule.load(data["contact"]),
        advice={lang: Advice(block.get("intro"), tuple({k: v for k, v in e.items() if k != "placeholder"}
                                                       for e in block["entries"] if not e["placeholder"]))
                for lang, block in data["advice"].items()},
        raw=data, by_currency=by_currency)


def load_policy_text(text: str, source: str) -> Policy:
    """Parse and validate a policy from YAML text; ``source`` names it in errors."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(source, "(file)", f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise PolicyError(source, "(file)", "must be a mapping of keys")
    try:
        data = _SCHEMA.load(raw)
    except ValidationError as exc:
        pairs = sorted(flatten_messages(exc.messages, root="(root)"))
        key, msg = pairs[0]
        more = "" if len(pairs) == 1 else "; " + "; ".join(f"{k}: {m}" for k, m in pairs[1:])
        raise PolicyError(source, key, msg + more) from None
    return _freeze(data, source)


def load_policy(path: str | Path) -> Policy:
    """Load one policy file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(str(path), "(file)", exc.strerror or str(exc)) from None
    return load_policy_text(text, str(path))


class PolicyRegistry:
    """The policies a process knows: the shipped presets plus an optional folder."""

    def __init__(self, policies: list[Policy]):
        self._by_name: dict[str, Policy] = {}
        for p in policies:
            if p.name in self._by_name:
                raise PolicyError(p.source, "name", f"duplicate policy name {p.name!r}")
            self._by_name[p.name] = p

    @classmethod
    def load(cls, extra_dir: str | Path | None = None) -> PolicyRegistry:
        found = []
        for entry in sorted(resources.files("negotiator.policies").iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".yaml", ".yml")):
                found.append(load_policy_text(entry.read_text(encoding="utf-8"), f"presets/{entry.name}"))
        if extra_dir:
            d = Path(extra_dir)
            if not d.is_dir():
                raise PolicyError(str(d), "(folder)", "policy folder does not exist")
            found += [load_policy(p) for p in sorted(d.glob("*.y*ml"))]
        return cls(found)

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def get(self, name: str) -> Policy:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownPolicyError(name, self.names()) from None

    def __iter__(self):
        return iter(self._by_name[n] for n in self.names())


NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
