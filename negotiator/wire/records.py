"""marshmallow schemas of the stored records' wire shapes: accepting, deciding, paying, reading back.

Requests are strict (unknown fields refused, amounts as decimal strings or
numbers, never booleans); responses dump money as decimal strings in the
arrangement's currency and dates as ISO 8601. The OpenAPI document is
generated from these (see :mod:`negotiator.service.openapi`).
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from negotiator.core.money import CURRENCIES
from negotiator.core.vocabulary import ALL_STATUSES, EVENT_TYPES, INSTALMENT_STATES
from negotiator.policy import OPTION_TYPES
from negotiator.wire.schemas import (
    CHANNELS,
    Amount,
    Money,
    PolicyRefSchema,
    ProposalResponseSchema,
    QuoteResponseSchema,
)

ID_PATTERN = r"^[A-Za-z0-9._:@-]{1,64}$"
#: Idempotency keys: 8 to 128 printable characters without spaces (a UUID fits).
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:-]{8,128}$"
ACTOR = {"description": "An agent or supervisor id (letters, digits, . _ : @ -), or `borrower`."}


def _id(**kw):
    return fields.String(validate=validate.Regexp(ID_PATTERN, error="Must be 1 to 64 letters, digits or . _ : @ -."),
                         **kw)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class AcceptRequestSchema(_Strict):
    quote_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    option_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    accepted_by = _id(required=True, metadata=ACTOR)
    replaces = fields.String(validate=validate.Length(min=1, max=40), metadata={
        "description": "The account's live arrangement this one supersedes (required when there is one)."})
    reason = fields.String(validate=validate.Length(min=1, max=200), metadata={
        "description": "Why the live arrangement is replaced (kept in its `superseded` event)."})


class DecisionRequestSchema(_Strict):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    decided_by = _id(required=True, metadata={"description": "The supervisor's id."})
    reason = fields.String(validate=validate.Length(min=1, max=200))


class CancelRequestSchema(_Strict):
    cancelled_by = _id(required=True, metadata={"description": "The agent's or supervisor's id."})
    reason = fields.String(validate=validate.Length(min=1, max=200))


class PaymentRequestSchema(_Strict):
    reference = _id(required=True, metadata={
        "description": "The payment's reference; the same reference is recorded once (replays answer the same)."})
    amount = Amount(required=True, metadata={"description": "More than zero, at most the amount outstanding."})
    paid_on = fields.Date(required=True, metadata={"description": "Not before the plan starts, not after as_of."})
    as_of = fields.Date(metadata={"description": "The day the payment is recorded (default: today, the server's "
                                                "date); at most tomorrow (clock tolerance), at most "
                                                "NEGOTIATOR_AS_OF_DAYS (400) before today."})


class InstalmentStateSchema(Schema):
    number = fields.Integer(required=True)
    due_date = fields.Date(required=True)
    amount = Money(required=True)
    paid = Money(required=True, description="Paid towards this instalment (payments go to the oldest first).")
    state = fields.String(required=True, validate=validate.OneOf(INSTALMENT_STATES))


class ArrangementSchema(Schema):
    arrangement_id = fields.String(required=True)
    account_id = fields.String(required=True)
    quote_id = fields.String(required=True)
    option_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(OPTION_TYPES))
    approval = fields.String(required=True, validate=validate.OneOf(["none", "agent", "supervisor"]))
    status = fields.String(required=True, validate=validate.OneOf(ALL_STATUSES), metadata={
        "description": "As of `as_of`: stored statuses, with `at_risk`, `broken` and `completed` worked out "
                       "from the instalments exactly as the nightly review does."})
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    accepted_by = fields.String(required=True)
    decided_by = fields.String(required=True, allow_none=True)
    replaces = fields.String(required=True, allow_none=True)
    currency = fields.String(required=True, validate=validate.OneOf(sorted(CURRENCIES)))
    policy = fields.Nested(PolicyRefSchema, required=True)
    monthly_payment = Money(required=True)
    total_payable = Money(required=True)
    paid = Money(required=True, description="Payments made on or before `as_of`.")
    outstanding = Money(required=True)
    term_months = fields.Integer(required=True)
    first_payment_date = fields.Date(required=True)
    next_due_date = fields.Date(required=True, allow_none=True)
    grace_days = fields.Integer(required=True)
    missed_instalments_allowed = fields.Integer(required=True)
    as_of = fields.Date(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True, metadata={
        "description": "When the stored arrangement last changed (its `Last-Modified`)."})
    instalments = fields.List(fields.Nested(InstalmentStateSchema), required=True)


class PaymentSchema(Schema):
    reference = fields.String(required=True)
    amount = Money(required=True)
    paid_on = fields.Date(required=True)
    recorded_at = fields.DateTime(required=True)


class PaymentResponseSchema(Schema):
    payment = fields.Nested(PaymentSchema, required=True)
    replayed = fields.Boolean(required=True, metadata={"description": "True when the reference was already recorded."})
    arrangement = fields.Nested(ArrangementSchema, required=True)


class EventSchema(Schema):
    event_id = fields.Integer(required=True)
    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    at = fields.DateTime(required=True)
    channel = fields.String(required=True)
    actor = fields.String(required=True, metadata={
        "description": "Who the request says acted: `accepted_by`, `decided_by`, `cancelled_by` as sent, else "
                       "the key (`channel:key id`), `review` for the nightly review. Another channel's event read "
                       "with a portal key shows the channel's name."})
    principal = fields.String(required=True, allow_none=True, metadata={
        "description": "Who authenticated, whatever the body says: the API key (`agent:<key id>`), the console's "
                       "signed-in agent (`console:<agent>`), the borrower page's invitation (`portal:<invitation>`) "
                       "or the command line's user (`cli:<user>`). Null on events written before it was kept, and "
                       "on another channel's events read with a portal key."})
    request_id = fields.String(required=True, allow_none=True)
    trace_id = fields.String(required=True, allow_none=True, metadata={
        "description": "The W3C Trace Context trace id (32 hex digits) of the request that wrote the event: the "
                       "`traceparent` it came with, or the one the service started, as on the answer's "
                       "`traceparent` and the request's log line. Null outside a request and on another channel's "
                       "events read with a portal key."})
    quote_id = fields.String(required=True, allow_none=True)
    instalment_number = fields.Integer(required=True, allow_none=True)
    status_before = fields.String(required=True, allow_none=True)
    status_after = fields.String(required=True, allow_none=True)
    detail = fields.Dict(required=True, allow_none=True)


class EventListSchema(Schema):
    arrangement_id = fields.String(required=True)
    events = fields.List(fields.Nested(EventSchema), required=True, metadata={
        "description": "A page, oldest first (at most `limit`)."})
    next_cursor = fields.String(required=True, allow_none=True, metadata={
        "description": "Pass it as `cursor` for the next (newer) page (or follow `Link: rel=\"next\"`); null on "
                       "the last page."})


class ArrangementListSchema(Schema):
    account_id = fields.String(required=True)
    arrangements = fields.List(fields.Nested(ArrangementSchema), required=True, metadata={
        "description": "A page, newest first (at most `limit`)."})
    next_cursor = fields.String(required=True, allow_none=True, metadata={
        "description": "Pass it as `cursor` for the next (older) page (or follow `Link: rel=\"next\"`); null on "
                       "the last page."})
    next_before = fields.String(required=True, allow_none=True, metadata={
        "deprecated": True, "description": "Deprecated (use `next_cursor`): pass it as `before` for the next "
                                           "(older) page; null on the last page."})


class StoredQuoteSchema(QuoteResponseSchema):
    """A quote as issued, with when it was made and until when it can be accepted."""

    account_id = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)


class StoredProposalSchema(ProposalResponseSchema):
    """A what-if as issued: its plan (when acceptable) or counter-offer can be accepted until it expires."""

    account_id = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
