"""Lender policies: YAML files validated on load, versioned, looked up by name.

A policy holds the hard limits (terms, rate floors, waiver and discount
caps), the affordability rule, the approval tiers and what a self-service
portal may offer. Amounts in a policy are in major units of the account's
currency; rates are decimal fractions. A bad file is refused with the key
named.
"""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from .errors import PolicyError, UnknownPolicyError, flatten_messages
from .money import CURRENCIES, ROUNDING_MODES, rate_to_ppm

PRODUCTS = ("credit_card", "loan")
TIERS = ("none", "agent", "supervisor")
OPTION_TYPES = (
    "catch_up", "term_extension", "instalment", "interest_reduction",
    "fee_waiver", "settlement", "payment_holiday",
)
EXPENSE_CATEGORIES = (
    "housing", "utilities", "food", "transport", "childcare", "insurance",
    "communications", "health", "education", "other",
)
INCOME_CATEGORIES = ("salary", "self_employment", "benefits", "pension", "other")


def _rate(**kw):
    return fields.Decimal(validate=validate.Range(min=Decimal(0), max=Decimal(1)), **kw)


def _amount(**kw):
    return fields.Decimal(validate=validate.Range(min=Decimal(0)), **kw)


class _Strict(Schema):
    class Meta:
        unknown = RAISE

    @post_load
    def _ns(self, data, **_):
        return SimpleNamespace(**data)


class _OptionBase(_Strict):
    enabled = fields.Boolean(load_default=True)
    products = fields.List(fields.String(validate=validate.OneOf(PRODUCTS)), load_default=list(PRODUCTS))
    min_dpd = fields.Integer(load_default=0, validate=validate.Range(min=0))
    max_dpd = fields.Integer(load_default=179, validate=validate.Range(min=0))
    min_approval = fields.String(load_default="none", validate=validate.OneOf(TIERS))

    @validates_schema
    def _dpd_window(self, data, **_):
        if data.get("min_dpd", 0) > data.get("max_dpd", 179):
            raise ValidationError("min_dpd is above max_dpd", "min_dpd")


class CatchUp(_OptionBase):
    min_dpd = fields.Integer(load_default=1, validate=validate.Range(min=1))
    max_months = fields.Integer(load_default=6, validate=validate.Range(min=1, max=24))


class TermExtension(_OptionBase):
    products = fields.List(fields.String(validate=validate.OneOf(PRODUCTS)), load_default=["loan"])
    max_extra_months = fields.Integer(load_default=24, validate=validate.Range(min=1, max=240))
    max_total_months = fields.Integer(load_default=84, validate=validate.Range(min=1, max=600))


class Instalment(_OptionBase):
    min_months = fields.Integer(load_default=3, validate=validate.Range(min=1, max=600))
    max_months = fields.Integer(load_default=60, validate=validate.Range(min=1, max=600))
    apr_cap = _rate(load_default=None, allow_none=True)
    pricing = fields.String(load_default="amortising", validate=validate.OneOf(["amortising", "flat_fee"]))
    flat_fee_rate = fields.Decimal(load_default=None, allow_none=True,
                                   validate=validate.Range(min=Decimal(0), max=Decimal("0.1")))
    requires_reage_rules = fields.Boolean(load_default=False)

    @validates_schema
    def _flat(self, data, **_):
        if data.get("pricing") == "flat_fee" and data.get("flat_fee_rate") is None:
            raise ValidationError("required when pricing is flat_fee", "flat_fee_rate")
        if data.get("min_months", 3) > data.get("max_months", 60):
            raise ValidationError("min_months is above max_months", "min_months")


class InterestReduction(_OptionBase):
    apr_floor = _rate(load_default=Decimal(0))
    step = fields.Decimal(load_default=Decimal("0.0025"),
                          validate=validate.Range(min=Decimal("0.000001"), max=Decimal("0.1")))


class FeeWaiver(_OptionBase):
    max_share = _rate(load_default=Decimal(1))


class Settlement(_OptionBase):
    min_dpd = fields.Integer(load_default=91, validate=validate.Range(min=0))
    max_dpd = fields.Integer(load_default=3650, validate=validate.Range(min=0))
    min_discount = _rate(load_default=Decimal(0))
    max_discount = _rate(load_default=Decimal("0.4"))
    step = fields.Decimal(load_default=Decimal("0.01"),
                          validate=validate.Range(min=Decimal("0.000001"), max=Decimal("0.5")))
    max_payments = fields.Integer(load_default=3, validate=validate.Range(min=1, max=24))
    min_approval = fields.String(load_default="agent", validate=validate.OneOf(TIERS))


class PaymentHoliday(_OptionBase):
    max_months = fields.Integer(load_default=3, validate=validate.Range(min=1, max=12))
    payment = _amount(load_default=Decimal(0))
    max_months_after = fields.Integer(load_default=60, validate=validate.Range(min=1, max=600))


class Options(_Strict):
    catch_up = fields.Nested(CatchUp, load_default=lambda: CatchUp().load({}))
    term_extension = fields.Nested(TermExtension, load_default=lambda: TermExtension().load({}))
    instalment = fields.Nested(Instalment, load_default=lambda: Instalment().load({}))
    interest_reduction = fields.Nested(InterestReduction, load_default=lambda: InterestReduction().load({}))
    fee_waiver = fields.Nested(FeeWaiver, load_default=lambda: FeeWaiver().load({}))
    settlement = fields.Nested(Settlement, load_default=lambda: Settlement().load({}))
    payment_holiday = fields.Nested(PaymentHoliday, load_default=lambda: PaymentHoliday().load({}))


class Guideline(_Strict):
    min = _amount(load_default=Decimal(0))
    max = _amount(required=True)
    per_member_min = _amount(load_default=Decimal(0))
    per_member_max = _amount(load_default=Decimal(0))


class Affordability(_Strict):
    surplus_share = _rate(load_default=Decimal("0.8"))
    max_payment_to_income = _rate(load_default=Decimal("0.4"))
    expense_guidelines = fields.Dict(
        keys=fields.String(validate=validate.OneOf(sorted(CURRENCIES))),
        values=fields.Dict(keys=fields.String(validate=validate.OneOf(EXPENSE_CATEGORIES)),
                           values=fields.Nested(Guideline)),
        load_default=dict)


class Tier(_Strict):
    max_concession = _amount(required=True)
    max_share = _rate(required=True)


class Approval(_Strict):
    none = fields.Nested(Tier, required=True)
    agent = fields.Nested(Tier, required=True)
    supervisor = fields.Nested(Tier, required=True)


class Portal(_Strict):
    enabled = fields.Boolean(load_default=True)
    max_balance = _amount(load_default=Decimal(30000))
    max_term_months = fields.Integer(load_default=24, validate=validate.Range(min=1, max=600))
    surplus_share = _rate(load_default=Decimal("0.5"))


class Reage(_Strict):
    min_account_age_months = fields.Integer(load_default=9, validate=validate.Range(min=0))
    min_consecutive_payments = fields.Integer(load_default=3, validate=validate.Range(min=0))
    max_per_12_months = fields.Integer(load_default=1, validate=validate.Range(min=0))
    max_per_5_years = fields.Integer(load_default=2, validate=validate.Range(min=0))


class PolicySchema(_Strict):
    name = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$"))
    version = fields.String(required=True, validate=validate.Length(min=1, max=64))
    description = fields.String(load_default="")
    currencies = fields.List(fields.String(validate=validate.OneOf(sorted(CURRENCIES))), load_default=None,
                             allow_none=True)
    rounding = fields.String(load_default="half_up", validate=validate.OneOf(ROUNDING_MODES))
    max_apr = _rate(load_default=Decimal("0.6"))
    discount_rate = _rate(load_default=Decimal("0.1"))
    min_payment = _amount(load_default=Decimal(10))
    first_payment_offset_days = fields.Integer(load_default=30, validate=validate.Range(min=0, max=90))
    charge_off_dpd = fields.Integer(load_default=180, validate=validate.Range(min=1))
    affordability = fields.Nested(Affordability, load_default=lambda: Affordability().load({}))
    options = fields.Nested(Options, load_default=lambda: Options().load({}))
    approval = fields.Nested(Approval, required=True)
    portal = fields.Nested(Portal, load_default=lambda: Portal().load({}))
    reage = fields.Nested(Reage, load_default=None, allow_none=True)
    # Keeping arrangements (issue 8): how long a quote can be accepted, and when a plan is broken.
    quote_valid_days = fields.Integer(load_default=30, validate=validate.Range(min=1, max=365))
    grace_days = fields.Integer(load_default=14, validate=validate.Range(min=0, max=90))
    missed_instalments_allowed = fields.Integer(load_default=1, validate=validate.Range(min=0, max=12))

    @validates_schema
    def _tiers_ordered(self, data, **_):
        a = data.get("approval")
        if a is not None:
            for lo, hi in (("none", "agent"), ("agent", "supervisor")):
                lo_t, hi_t = getattr(a, lo), getattr(a, hi)
                if lo_t.max_concession > hi_t.max_concession or lo_t.max_share > hi_t.max_share:
                    raise ValidationError(f"{lo} limits exceed {hi} limits", "approval")
        opts = data.get("options")
        if opts is not None and opts.instalment.requires_reage_rules and data.get("reage") is None:
            raise ValidationError("required when options.instalment.requires_reage_rules is true", "reage")


_SCHEMA = PolicySchema()


class Policy:
    """A validated policy. Attributes mirror the YAML keys.

    Rates are also kept in parts per million (``*_ppm``) for the exact engine.
    """

    def __init__(self, data: SimpleNamespace, source: str):
        self.__dict__.update(vars(data))
        self.source = source
        self.max_apr_ppm = rate_to_ppm(self.max_apr)
        self.discount_monthly = float(self.discount_rate) / 12

    def __repr__(self) -> str:
        return f"Policy({self.name!r}, version={self.version!r})"

    def option(self, name: str) -> SimpleNamespace:
        return getattr(self.options, name)

    def public_dict(self) -> dict:
        """The policy as plain data (for ``GET /v1/policies/{name}``)."""
        def plain(v):
            if isinstance(v, SimpleNamespace):
                return {k: plain(x) for k, x in vars(v).items()}
            if isinstance(v, dict):
                return {k: plain(x) for k, x in v.items()}
            if isinstance(v, list):
                return [plain(x) for x in v]
            if isinstance(v, Decimal):
                return format(v.normalize(), "f")
            return v
        keys = [k for k in PolicySchema().fields]
        return {k: plain(self.__dict__[k]) for k in keys}


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
    return Policy(data, source)


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
