"""marshmallow schemas: the one source of the wire format.

Request schemas check shape and types only (strings or numbers for amounts,
no booleans, no unknown fields); the domain rules (ranges, cross-field
consistency, policy limits) live in :mod:`negotiator.engine.accounts` so the
single-quote and batch paths share them. Response schemas dump exact money
as decimal strings.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from negotiator.core.errors import FieldError, flatten_messages
from negotiator.core.errors import ValidationError as RequestError
from negotiator.core.limits import LIMITS
from negotiator.core.money import CURRENCIES, MAX_AMOUNT, AmountError, read_amount
from negotiator.core.problems import PROBLEMS
from negotiator.core.vocabulary import HARDSHIP_KINDS, LOCALES
from negotiator.policy import APR_METHODS, EXPENSE_CATEGORIES, INCOME_CATEGORIES, NAME_RE, OPTION_TYPES, PRODUCTS
from negotiator.wire import fastload
from negotiator.wire.messages import ERRORS

CHANNELS = ("agent", "portal", "batch", "supervisor")
MAX_LINES = 50
MAX_TEXT = 200
#: Dates a request may hold; 600 months past the last still fits well inside ``datetime.date``.
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATE_RE = re.compile(DATE_PATTERN, re.ASCII)


class Amount(fields.Field):
    """A money amount or rate: a decimal string or a JSON number, never a boolean.

    Loads to ``Decimal``; NaN, Infinity and non-numeric strings are refused.
    """

    default_error_messages = {"invalid": ERRORS["not_number"]["en"], "negative": ERRORS["negative"]["en"],
                              "zero": ERRORS["zero"]["en"], "too_large": ERRORS["too_large"]["en"]}

    def __init__(self, maximum: Decimal = MAX_AMOUNT, positive: bool = False, **kw):
        self.maximum, self.positive = maximum, positive
        kw.setdefault("metadata", {})
        kw["metadata"] = {"minimum": 0, "maximum": maximum, **kw["metadata"]}
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            d = read_amount(value, self.maximum)
        except AmountError as exc:
            raise self.make_error(exc.kind, maximum=f"{self.maximum:,}") from None
        if self.positive and d == 0:
            raise self.make_error("zero")
        return d

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


class StrictInt(fields.Integer):
    """An integer that refuses booleans, floats with a fraction and strings.

    ``limits`` is a ``(min, max)`` pair from :data:`negotiator.core.limits.LIMITS`.
    """

    def __init__(self, limits: tuple[int, int] | None = None, **kw):
        if limits is not None:
            kw["validate"] = validate.Range(min=limits[0], max=limits[1])
        super().__init__(strict=True, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class IsoDate(fields.Date):
    """A calendar date written ``YYYY-MM-DD`` (ASCII digits), between :data:`MIN_DATE` and :data:`MAX_DATE`.

    ``date.fromisoformat`` alone would also take ``20261123`` and
    ``2026-W48-1``; the range keeps plans of up to 600 months (and their
    due dates) far from the year 9999.
    """

    # "invalid": the batch's wording; the document gives the pattern.
    default_error_messages = {"invalid": ERRORS["not_date"]["en"], "range": ERRORS["date_range"]["en"]}

    def __init__(self, **kw):
        kw.setdefault("metadata", {})
        kw["metadata"] = {"pattern": DATE_PATTERN, **kw["metadata"]}
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
            raise self.make_error("invalid")
        day = super()._deserialize(value, attr, data, **kwargs)
        if not MIN_DATE <= day <= MAX_DATE:
            raise self.make_error("range", lo=MIN_DATE.isoformat(), hi=MAX_DATE.isoformat())
        return day


fastload.OWN_FIELDS.update({Amount, StrictInt, IsoDate})


def Str(**kw):
    return fields.String(validate=validate.Length(min=1, max=MAX_TEXT), **kw)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class HistorySchema(_Strict):
    opened_on = IsoDate()
    reage_dates = fields.List(IsoDate(), validate=validate.Length(max=MAX_LINES))
    arrangement_dates = fields.List(IsoDate(), validate=validate.Length(max=MAX_LINES))
    broken_arrangement_dates = fields.List(IsoDate(), validate=validate.Length(max=MAX_LINES), metadata={
        "description": "When earlier arrangements on the account broke. Those in the last 12 months meet the "
                       "policy's `broken_arrangements` limits; with `account_id` the store adds its own."})
    consecutive_payments = StrictInt(LIMITS["consecutive"])


class FeeBreakdownSchema(_Strict):
    penalty_interest = Amount(load_default=Decimal(0), metadata={"description": "罚息: penalty interest."})
    late_fees = Amount(load_default=Decimal(0), metadata={"description": "违约金: late-payment fees."})
    other_charges = Amount(load_default=Decimal(0), metadata={"description": "Other charges (annual fee and such)."})


class AccountSchema(_Strict):
    account_id = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9._:@-]{1,64}$", error=ERRORS["account_id"]["en"]),
                               metadata={"description": "The lender's account id (no names or contact details): "
                                         "optional for a quote, required to accept one; the account's stored "
                                         "arrangements then feed the re-age rules."})
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
    fee_breakdown = fields.Nested(FeeBreakdownSchema, metadata={
        "description": "What `fees` is made of; the parts must add up to it. Waivers take them in the policy's "
                       "order and say which were waived."})


class LineSchema(_Strict):
    category = fields.String(required=True)
    amount = Amount(required=True)


class IncomeLineSchema(LineSchema):
    category = fields.String(required=True, validate=validate.OneOf(INCOME_CATEGORIES))


class ExpenseLineSchema(LineSchema):
    category = fields.String(required=True, validate=validate.OneOf(EXPENSE_CATEGORIES))


class HardshipSchema(_Strict):
    kind = fields.String(load_default="other", validate=validate.OneOf(HARDSHIP_KINDS), metadata={
        "description": "A breathing_space, mental_health_crisis or other moratorium freezes interest and charges "
                       "and asks no payment; the others size plans to income_during."})
    reason = Str(metadata={"description": "The borrower's words (never logged)."})
    expected_months = StrictInt(LIMITS["hardship_months"], required=True)
    income_during = Amount(metadata={
        "description": "Monthly income during the hardship (default: monthly_income); at most monthly_income."})


class FinancesSchema(_Strict):
    monthly_income = Amount()
    monthly_expenses = Amount()
    # At least one line: an empty list beside a total would be a sum of 0 that disagrees with it.
    income_lines = fields.List(fields.Nested(IncomeLineSchema), validate=validate.Length(min=1, max=MAX_LINES))
    expense_lines = fields.List(fields.Nested(ExpenseLineSchema), validate=validate.Length(min=1, max=MAX_LINES))
    other_debt_payments = Amount(load_default=Decimal(0))
    household_size = StrictInt(LIMITS["household"], load_default=1)
    lump_sum_available = Amount(load_default=Decimal(0))
    hardship = fields.Nested(HardshipSchema)


class QuoteRequestSchema(_Strict):
    policy = fields.String(load_default="default", validate=validate.Regexp(NAME_RE.pattern))
    as_of = IsoDate()
    locale = fields.String(load_default="en", validate=validate.OneOf(LOCALES))
    account = fields.Nested(AccountSchema, required=True)
    finances = fields.Nested(FinancesSchema, required=True)
    options = fields.List(fields.String(validate=validate.OneOf(OPTION_TYPES)),
                          validate=validate.Length(max=len(OPTION_TYPES)),
                          metadata={"description": "Restrict to these option types (default: all)."})
    schedules = fields.String(load_default="all", validate=validate.OneOf(["all", "recommended", "none"]),
                              metadata={"description": "Which options carry a full schedule."})
    frequency = fields.String(load_default="monthly", validate=validate.OneOf(["monthly", "fortnightly", "weekly"]),
                              metadata={"description": "How often the borrower pays (the policy's `frequencies`); "
                                                       "weekly and fortnightly apply to instalment, "
                                                       "interest-reduction and fee-waiver plans."})
    first_payment_date = IsoDate(metadata={
        "description": "The borrower's chosen first due date: 1 to the policy's first_payment_max_days after as_of."})


class ProposalSchema(_Strict):
    monthly_payment = Amount(positive=True)
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
    affordable_during_hardship = Money(description="What a plan may take during a declared hardship, when less.")
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
    plan_fee = Money(description="Flat-fee plans: the month's instalment fee (a cost of credit, not interest).")
    arrears_after = Money(description="Catch-up plans: arrears still to repay; `balance_after` is then what the "
                                      "whole account owes, the contract running on.")


class OptionSchema(Schema):
    option_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(OPTION_TYPES))
    monthly_payment = Money(required=True)
    term_months = fields.Integer(required=True)
    apr = Rate(required=True, description="The plan's annualised rate, all its costs of credit included, by the "
                                          "policy's `apr_method`: never 0 for a plan that charges fees.")
    apr_method = fields.String(required=True, validate=validate.OneOf(APR_METHODS), metadata={
        "description": "`nominal`: the IRR per period x periods a year, an odd first period weighed as it is "
                       "charged (US Regulation Z actuarial APR; China's IRR-based 年化利率); `compound`: the annual "
                       "rate equating the credit with the payments at their real dates, years from the drawdown as "
                       "days over 365 (UK CONC App 1.2)."})
    all_in_apr = Rate(required=True, description="The plan's all-in annualised cost by the policy's `apr_method`: "
                                                "every payment counted, carried penalty interest and fees "
                                                "included (China's comprehensive cost, 整治办函〔2017〕141号 and "
                                                "PBoC 〔2021〕3号), on the principal. Where the policy's "
                                                "`max_apr_all_in` is set, no plan within policy is above "
                                                "`max_apr` by it.")
    interest_rate = Rate(required=True, description="Nominal annual interest rate of the plan (0 for flat-fee "
                                                    "pricing, whose cost is in total_fees).")
    first_payment_date = fields.Date(required=True)
    total_payable = Money(required=True)
    total_interest = Money(required=True, description="Interest only.")
    total_fees = Money(required=True, description="Plan fees charged (flat-fee pricing), apart from interest.")
    fees_waived = Money(required=True)
    fees_waived_detail = fields.Dict(keys=fields.String(), values=Money(), metadata={
        "description": "When the account gave a fee_breakdown: the amount waived of each part."})
    principal_forgiven = Money(required=True)
    affordable = fields.Boolean(required=True)
    within_policy = fields.Boolean(required=True)
    approval = fields.String(required=True, validate=validate.OneOf(["none", "agent", "supervisor"]))
    regular_payment = Money(description="Catch-up plans: the contractual payment on top of the arrears share.")
    holiday_months = fields.Integer(metadata={"description": "Payment holidays: months at the reduced payment."})
    holiday_payment = Money(description="Plans with held months (holiday, step-up, hardship programme, down "
                                        "payment, lump sum first): the payment in those months.")
    review_date = fields.Date(metadata={"description": "When the held months end and the situation is reviewed."})
    reduced_rate = Rate(description="Temporary hardship programmes: the reduced rate during the programme "
                                    "(Regulation Z, 12 CFR 1026.9(c)(2)(v)(D)).")
    reduced_rate_months = fields.Integer(metadata={
        "description": "Temporary hardship programmes: how long the reduced rate lasts, in months."})
    rate_after = Rate(description="Temporary hardship programmes: the rate once the reduced-rate period ends, never "
                                  "above the rate before the programme (12 CFR 1026.55(b)(5)).")
    frequency = fields.String(validate=validate.OneOf(["fortnightly", "weekly"]), metadata={
        "description": "Weekly or fortnightly plans: how often `monthly_payment` (then the payment per period) is "
                       "due; `term_months` is the span in months, rounded up."})
    number_of_payments = fields.Integer(metadata={"description": "Weekly or fortnightly plans: payments in all."})
    balance_at_review = Money(description="Token payment plans: what is still owed at the review (the plan does "
                                          "not clear the debt; `balance_after` includes it).")
    lender_npv = Money(description="Agent and batch keys only: present value to the lender.")
    concession_value = Money(description="Agent and batch keys only: value given up against the contract.")
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    schedule = fields.List(fields.Nested(ScheduleLineSchema),
                           metadata={"description": "Every due date and amount (see the request's `schedules`)."})


class DeclinedSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(OPTION_TYPES))
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


class AdviceSchema(Schema):
    name = fields.String(required=True, metadata={"description": "The service, in the request's locale."})
    url = fields.String(metadata={"description": "Its web address (https)."})
    phone = fields.String(metadata={"description": "Its number, as people dial it."})
    hours = fields.String(metadata={"description": "When it answers."})


ADVICE_DESCRIPTION = ("Where to turn for help (the policy's `advice`, in the request's locale): given when a "
                      "hardship is declared, the budget has nothing to spare, or no plan fits what the borrower "
                      "can afford; the `debt_advice` flag introduces it. Free, independent debt advice where the "
                      "market has it (UK: MoneyHelper, StepChange, National Debtline; US: NFCC member agencies), "
                      "the lender's own hardship line and the regulator's consumer line (China: 12378).")


class PolicyRefSchema(Schema):
    name = fields.String(required=True)
    version = fields.String(required=True)


class QuoteResponseSchema(Schema):
    quote_id = fields.String(required=True, metadata={"description": "Deterministic: same request, same id."})
    policy = fields.Nested(PolicyRefSchema, required=True)
    as_of = fields.Date(required=True)
    currency = fields.String(required=True, validate=validate.OneOf(sorted(CURRENCIES)))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    affordability = fields.Nested(AffordabilityResultSchema, required=True)
    options = fields.List(fields.Nested(OptionSchema), required=True)
    recommended_option_id = fields.String(required=True, allow_none=True)
    nearest_option_id = fields.String(required=True, allow_none=True, metadata={
        "description": "When nothing is affordable: the option closest to affordable."})
    declined = fields.List(fields.Nested(DeclinedSchema), required=True)
    advice = fields.List(fields.Nested(AdviceSchema), metadata={"description": ADVICE_DESCRIPTION})


class ConcessionSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(OPTION_TYPES))
    term_months = fields.Integer()
    months = fields.Integer()
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
    quote_id = fields.String(required=True, metadata={
        "description": "The what-if as kept (when the store is on): accept its plan, when `acceptable`, or its "
                       "`counter_offer` with this id and the option's `option_id` (`POST /v1/arrangements`)."})
    policy = fields.Nested(PolicyRefSchema, required=True)
    as_of = fields.Date(required=True)
    currency = fields.String(required=True, validate=validate.OneOf(sorted(CURRENCIES)))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    affordability = fields.Nested(AffordabilityResultSchema, required=True)
    proposal = fields.Nested(ProposalEchoSchema, required=True)
    plan = fields.Nested(OptionSchema, required=True, allow_none=True,
                         metadata={"description": "The plan the proposal implies (null when none can)."})
    concessions = fields.List(fields.Nested(ConcessionSchema), required=True)
    within_policy = fields.Boolean(required=True)
    affordable = fields.Boolean(required=True)
    approval = fields.String(required=True, allow_none=True, validate=validate.OneOf(["none", "agent", "supervisor"]))
    acceptable = fields.Boolean(required=True, metadata={
        "description": "Within policy, open to the caller, affordable, and asking no concession that what the "
                       "borrower can afford does not need."})
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    counter_offer = fields.Nested(OptionSchema, required=True, allow_none=True,
                                  metadata={"description": "The nearest plan within policy, when the proposal is not."})
    advice = fields.List(fields.Nested(AdviceSchema), metadata={"description": ADVICE_DESCRIPTION})


class PolicySummarySchema(Schema):
    name = fields.String(required=True)
    version = fields.String(required=True)
    description = fields.String(required=True)


class PolicyListSchema(Schema):
    policies = fields.List(fields.Nested(PolicySummarySchema), required=True, metadata={
        "description": "A page, by name (at most `limit`)."})
    next_cursor = fields.String(required=True, allow_none=True, metadata={
        "description": "Pass it as `cursor` for the next page (or follow `Link: rel=\"next\"`); null on the last."})


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
    max_apr_all_in = fields.Boolean(metadata={"description": "Agent and batch keys only: max_apr also caps every "
                                                             "plan's all-in annual cost, carried charges included."})
    day_count = fields.String(metadata={"description": "Agent and batch keys only: how the first period's interest "
                                                       "runs to the first due date (30/360, actual/360, actual/365)."})
    apr_flag_above = Rate(allow_none=True, description="Agent and batch keys only. Accounts above this rate "
                          "(and at most max_apr) are quoted with the apr_above_flag_limit flag; null: no flag.")
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
    advice = fields.Dict(metadata={"description": "Public. Per language (en, zh-CN): the signposting a borrower "
                                                  "in hardship is shown, {intro, entries: [{name, url, phone, "
                                                  "hours, placeholder}]}; placeholder entries are never shown."})


class FieldErrorSchema(Schema):
    field = fields.String(required=True, metadata={"description": "Dotted path of the field, a query parameter, "
                                                                  "a header's name, or (body)."})
    pointer = fields.String(metadata={"description": "A field of the JSON body as a JSON Pointer (RFC 6901), "
                                                     "\"\" for the body as a whole; absent for a query parameter "
                                                     "or a header."})
    message = fields.String(required=True)


class ProblemSchema(Schema):
    """An RFC 9457 problem detail; ``code`` is one of the table in docs/problems.md, each with one status."""

    type = fields.String(required=True, metadata={"example": "urn:negotiator:problem:invalid_input",
                                                  "description": "urn:negotiator:problem: and the code."})
    code = fields.String(required=True, validate=validate.OneOf(sorted(PROBLEMS)),
                         metadata={"description": "The problem's code (docs/problems.md)."})
    title = fields.String(required=True, metadata={"description": "The code's one title."})
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True, metadata={"description": "This occurrence: urn:negotiator:request: "
                                                                     "and the request id."})
    request_id = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorSchema), required=True, metadata={
        "description": "Every field at fault at once; empty when no field is."})


class HealthSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ok"]))


class ReadySchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ready", "not_ready"]))
    policies = fields.Integer(required=True, metadata={"description": "Policies loaded (none: not ready)."})
    rate_limit_store = fields.String(required=True, validate=validate.OneOf(["ok", "unavailable", "off"]),
                                     metadata={"description": "The portal rate limit's store (unavailable: "
                                                              "not ready)."})


#: The quote request's schema, made once (a schema instance costs more than a load).
_QUOTE_REQUEST = QuoteRequestSchema()


def load_request(body: object, schema: Schema | None = None) -> dict:
    """Validate a request body's shape (a quote request's by default); every bad field is reported at once.

    >>> load_request([])
    Traceback (most recent call last):
    ...
    negotiator.core.errors.ValidationError: (body): Must be a JSON object.
    """
    schema = schema if schema is not None else _QUOTE_REQUEST
    if not isinstance(body, dict):
        raise RequestError([FieldError("(body)", ERRORS["not_json_object"]["en"])])
    fast = fastload.loader(schema)
    if fast is not None:
        try:
            return fast(body)
        except fastload.Slow:       # something to refuse (or not compiled): marshmallow's own load says what
            pass
    try:
        return schema.load(body)
    except ValidationError as exc:
        raise RequestError([FieldError(f, m) for f, m in flatten_messages(exc.messages)]) from None
