"""marshmallow schemas: the one source of the wire format.

Request schemas check shape and types only (strings or numbers for amounts,
no booleans, no unknown fields); the domain rules (ranges, cross-field
consistency, policy limits) live in :mod:`negotiator.accounts` so the
single-quote and batch paths share them. Response schemas dump exact money
as decimal strings.
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .accounts import LIMITS
from .money import CURRENCIES, MAX_AMOUNT, AmountError, read_amount
from .policy import EXPENSE_CATEGORIES, INCOME_CATEGORIES, NAME_RE, OPTION_TYPES, PRODUCTS

LOCALES = ("en", "zh-CN")
CHANNELS = ("agent", "portal", "batch", "supervisor")
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
        try:
            return read_amount(value, self.maximum)
        except AmountError as exc:
            raise self.make_error(exc.kind, maximum=self.maximum) from None

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
    account_id = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9._:@-]{1,64}$", error=(
        "Must be 1 to 64 letters, digits or . _ : @ -.")), metadata={
        "description": "The lender's account id (no names or contact details): optional for a quote, required "
                       "to accept one; the account's stored arrangements then feed the re-age rules."})
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


__all__ = ["QuoteRequestSchema", "ProposalRequestSchema", "ValidationError"]


# --------------------------------------------------------------------------- responses (HTTP service, issue 3)
# These describe what the engine returns, for the OpenAPI document and the
# contract tests; amounts and rates are decimal strings.

DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


def Money(description: str = "A decimal string in the account's currency.", **kw):
    return fields.String(metadata={"pattern": DECIMAL_PATTERN, "description": description}, **kw)


def Rate(description: str = "A rate as a decimal fraction (\"0.18\" is 18%).", **kw):
    return fields.String(metadata={"pattern": DECIMAL_PATTERN, "description": description}, **kw)


class ReasonSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable machine-readable code."})
    message = fields.String(required=True, metadata={"description": "Plain words, in the request's locale."})


class AffordabilityResultSchema(Schema):
    disposable_income = Money(required=True, description="Income less expenses and other debts (may be negative).")
    affordable_payment = Money(required=True, description="The most a plan may take each month.")
    flags = fields.List(fields.Nested(ReasonSchema), required=True)


class ScheduleLineSchema(Schema):
    number = fields.Integer(required=True)
    due_date = fields.Date(required=True)
    payment = Money(required=True)
    interest = Money(required=True)
    principal = Money(required=True)
    fees = Money(required=True)
    balance_after = Money(required=True)
    regular_payment = Money(description="Catch-up plans: the contractual payment included in `payment`.")


class OptionSchema(Schema):
    option_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(OPTION_TYPES))
    monthly_payment = Money(required=True)
    term_months = fields.Integer(required=True)
    apr = Rate(required=True, description="Nominal annual rate of the plan.")
    effective_apr = Rate(required=True, description="Effective annual rate (disclosed for flat-fee pricing too).")
    first_payment_date = fields.Date(required=True)
    total_payable = Money(required=True)
    total_interest = Money(required=True)
    fees_waived = Money(required=True)
    principal_forgiven = Money(required=True)
    affordable = fields.Boolean(required=True)
    within_policy = fields.Boolean(required=True)
    approval = fields.String(required=True, validate=validate.OneOf(["none", "agent", "supervisor"]))
    regular_payment = Money(description="Catch-up plans: the contractual payment on top of the arrears share.")
    holiday_months = fields.Integer(metadata={"description": "Payment holidays: months at the reduced payment."})
    holiday_payment = Money(description="Payment holidays: the payment during the holiday.")
    lender_npv = Money(description="Agent and batch keys only: present value to the lender.")
    concession_value = Money(description="Agent and batch keys only: value given up against the contract.")
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    schedule = fields.List(fields.Nested(ScheduleLineSchema),
                           metadata={"description": "Every due date and amount (see the request's `schedules`)."})


class DeclinedSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(OPTION_TYPES))
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


class PolicyRefSchema(Schema):
    name = fields.String(required=True)
    version = fields.String(required=True)


class QuoteResponseSchema(Schema):
    quote_id = fields.String(required=True, metadata={"description": "Deterministic: same request, same id."})
    policy = fields.Nested(PolicyRefSchema, required=True)
    as_of = fields.Date(required=True)
    currency = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    affordability = fields.Nested(AffordabilityResultSchema, required=True)
    options = fields.List(fields.Nested(OptionSchema), required=True)
    recommended_option_id = fields.String(required=True, allow_none=True)
    nearest_option_id = fields.String(required=True, allow_none=True, metadata={
        "description": "When nothing is affordable: the option closest to affordable."})
    declined = fields.List(fields.Nested(DeclinedSchema), required=True)


class ConcessionSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(OPTION_TYPES))
    term_months = fields.Integer()
    months_added = fields.Integer()
    from_apr = Rate()
    apr = Rate()
    amount = Money()
    principal_forgiven = Money()


class ProposalEchoSchema(Schema):
    monthly_payment = Money()
    term_months = fields.Integer()
    lump_sum = Money()


class ProposalResponseSchema(Schema):
    quote_id = fields.String(required=True)
    policy = fields.Nested(PolicyRefSchema, required=True)
    as_of = fields.Date(required=True)
    currency = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    affordability = fields.Nested(AffordabilityResultSchema, required=True)
    proposal = fields.Nested(ProposalEchoSchema, required=True)
    plan = fields.Nested(OptionSchema, required=True, allow_none=True,
                         metadata={"description": "The plan the proposal implies (null when none can)."})
    concessions = fields.List(fields.Nested(ConcessionSchema), required=True)
    within_policy = fields.Boolean(required=True)
    affordable = fields.Boolean(required=True)
    approval = fields.String(required=True, allow_none=True, validate=validate.OneOf(["none", "agent", "supervisor"]))
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    counter_offer = fields.Nested(OptionSchema, required=True, allow_none=True,
                                  metadata={"description": "The nearest plan within policy, when the proposal is not."})


class PolicySummarySchema(Schema):
    name = fields.String(required=True)
    version = fields.String(required=True)
    description = fields.String(required=True)


class PolicyListSchema(Schema):
    policies = fields.List(fields.Nested(PolicySummarySchema), required=True)


class PolicyDetailSchema(Schema):
    """A policy as data; portal keys see only the fields marked public."""

    class Meta:
        unknown = "include"   # marshmallow.INCLUDE

    name = fields.String(required=True, metadata={"description": "Public."})
    version = fields.String(required=True, metadata={"description": "Public."})
    description = fields.String(required=True, metadata={"description": "Public."})
    currencies = fields.List(fields.String(), allow_none=True, metadata={"description": "Public."})
    rounding = fields.String(metadata={"description": "Public."})
    first_payment_offset_days = fields.Integer(metadata={"description": "Public."})
    max_apr = Rate(description="Agent and batch keys only.")
    discount_rate = Rate(description="Agent and batch keys only.")
    min_payment = Money(description="Agent and batch keys only.")
    charge_off_dpd = fields.Integer(metadata={"description": "Agent and batch keys only."})
    affordability = fields.Dict(metadata={"description": "Agent and batch keys only."})
    options = fields.Dict(metadata={"description": "Agent and batch keys only."})
    approval = fields.Dict(metadata={"description": "Agent and batch keys only."})
    portal = fields.Dict(metadata={"description": "Agent and batch keys only."})
    reage = fields.Dict(allow_none=True, metadata={"description": "Agent and batch keys only."})
    quote_valid_days = fields.Integer(metadata={"description": "Agent and batch keys only: days a quote can be "
                                                               "accepted."})
    grace_days = fields.Integer(metadata={"description": "Agent and batch keys only: days after a due date "
                                                         "before an unpaid instalment is missed."})
    missed_instalments_allowed = fields.Integer(metadata={"description": "Agent and batch keys only: missed "
                                                                         "instalments before a plan is broken."})


class FieldErrorSchema(Schema):
    field = fields.String(required=True, metadata={"description": "Dotted path of the field, or (body)."})
    message = fields.String(required=True)


class ProblemSchema(Schema):
    """An RFC 9457 problem detail."""

    type = fields.String(required=True, metadata={"example": "urn:negotiator:problem:invalid-input"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    request_id = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorSchema), metadata={
        "description": "Invalid input: every bad field at once."})


class HealthSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ok"]))


class ReadySchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ready", "not_ready"]))
    policies = fields.Integer(required=True)
