"""marshmallow schemas: the one source of the wire format.

Request schemas check shape and types only (strings or numbers for amounts,
no booleans, no unknown fields); the domain rules (ranges, cross-field
consistency, policy limits) live in :mod:`negotiator.accounts` so the
single-quote and batch paths share them. Response schemas dump exact money
as decimal strings.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .accounts import LIMITS
from .money import CURRENCIES, MAX_AMOUNT, parse_decimal
from .policy import EXPENSE_CATEGORIES, INCOME_CATEGORIES, NAME_RE, OPTION_TYPES, PRODUCTS

LOCALES = ("en", "zh-CN")
CHANNELS = ("agent", "portal", "batch")
MAX_LINES = 50
MAX_TEXT = 200


class Amount(fields.Field):
    """A money amount or rate: a decimal string or a JSON number, never a boolean.

    Loads to ``Decimal``; NaN, Infinity and non-numeric strings are refused.
    """

    default_error_messages = {"invalid": "Not a valid number (a decimal string or a JSON number).",
                              "negative": "Must not be negative.",
                              "too_large": "Must be at most {maximum:,}."}

    def __init__(self, maximum: Decimal = MAX_AMOUNT, **kw):
        self.maximum = maximum
        kw.setdefault("metadata", {})
        kw["metadata"] = {"minimum": 0, "maximum": maximum, **kw["metadata"]}
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("invalid")
        if isinstance(value, str) and len(value) > 40:
            raise self.make_error("invalid")
        try:
            d = parse_decimal(value)
        except ValueError:
            raise self.make_error("invalid") from None
        if d < 0:
            raise self.make_error("negative")
        if d > self.maximum:
            raise self.make_error("too_large", maximum=self.maximum)
        return d

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


class StrictInt(fields.Integer):
    """An integer that refuses booleans, floats with a fraction and strings.

    ``limits`` is a ``(min, max)`` pair from :data:`negotiator.accounts.LIMITS`.
    """

    def __init__(self, limits: tuple[int, int] | None = None, **kw):
        if limits is not None:
            kw["validate"] = validate.Range(min=limits[0], max=limits[1])
        super().__init__(strict=True, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def Str(**kw):
    return fields.String(validate=validate.Length(min=1, max=MAX_TEXT), **kw)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class HistorySchema(_Strict):
    opened_on = fields.Date()
    reage_dates = fields.List(fields.Date(), validate=validate.Length(max=MAX_LINES))
    arrangement_dates = fields.List(fields.Date(), validate=validate.Length(max=MAX_LINES))
    consecutive_payments = StrictInt(LIMITS["consecutive"])


class AccountSchema(_Strict):
    currency = fields.String(required=True, validate=validate.OneOf(sorted(CURRENCIES)))
    balance = Amount(required=True)
    arrears = Amount(required=True)
    fees = Amount(load_default=Decimal(0))
    apr = Amount(required=True, maximum=Decimal(1), metadata={
        "description": "Nominal annual rate as a decimal fraction (0.18 is 18%); at most the policy's max_apr."})
    days_past_due = StrictInt(LIMITS["dpd"], required=True)
    product = fields.String(required=True, validate=validate.OneOf(PRODUCTS))
    contractual_payment = Amount(required=True)
    remaining_term_months = StrictInt(LIMITS["remaining_term"])
    history = fields.Nested(HistorySchema)


class LineSchema(_Strict):
    category = fields.String(required=True)
    amount = Amount(required=True)


class IncomeLineSchema(LineSchema):
    category = fields.String(required=True, validate=validate.OneOf(INCOME_CATEGORIES))


class ExpenseLineSchema(LineSchema):
    category = fields.String(required=True, validate=validate.OneOf(EXPENSE_CATEGORIES))


class HardshipSchema(_Strict):
    reason = Str(required=True)
    expected_months = StrictInt(LIMITS["hardship_months"], required=True)


class FinancesSchema(_Strict):
    monthly_income = Amount()
    monthly_expenses = Amount()
    income_lines = fields.List(fields.Nested(IncomeLineSchema), validate=validate.Length(max=MAX_LINES))
    expense_lines = fields.List(fields.Nested(ExpenseLineSchema), validate=validate.Length(max=MAX_LINES))
    other_debt_payments = Amount(load_default=Decimal(0))
    household_size = StrictInt(LIMITS["household"], load_default=1)
    lump_sum_available = Amount(load_default=Decimal(0))
    hardship = fields.Nested(HardshipSchema)


class QuoteRequestSchema(_Strict):
    policy = fields.String(load_default="default", validate=validate.Regexp(NAME_RE.pattern))
    as_of = fields.Date()
    locale = fields.String(load_default="en", validate=validate.OneOf(LOCALES))
    account = fields.Nested(AccountSchema, required=True)
    finances = fields.Nested(FinancesSchema, required=True)
    options = fields.List(fields.String(validate=validate.OneOf(OPTION_TYPES)),
                          validate=validate.Length(max=len(OPTION_TYPES)),
                          metadata={"description": "Restrict to these option types (default: all)."})
    schedules = fields.String(load_default="all", validate=validate.OneOf(["all", "recommended", "none"]),
                              metadata={"description": "Which options carry a full schedule."})


class ProposalSchema(_Strict):
    monthly_payment = Amount()
    term_months = StrictInt(LIMITS["remaining_term"])
    lump_sum = Amount()


class ProposalRequestSchema(QuoteRequestSchema):
    proposal = fields.Nested(ProposalSchema, required=True)


def flatten_errors(messages, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested messages as ``(dotted.path, message)`` pairs.

    >>> flatten_errors({"account": {"balance": ["Not a valid number."]}})
    [('account.balance', 'Not a valid number.')]
    """
    out: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            out += flatten_errors(value, path)
    elif isinstance(messages, list):
        for m in messages:
            out += flatten_errors(m, prefix) if isinstance(m, (dict, list)) else [(prefix or "(body)", str(m))]
    else:
        out.append((prefix or "(body)", str(messages)))
    return out


def today() -> dt.date:
    return dt.date.today()


__all__ = ["QuoteRequestSchema", "ProposalRequestSchema", "ValidationError", "flatten_errors"]
