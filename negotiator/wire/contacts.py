"""marshmallow schemas of the contact log, the borrower's contact preferences, "may we contact now?" and the
day's follow-ups (issue 21): the single source of the wire shapes and of the OpenAPI document's.

Requests are strict (unknown fields refused); a contact's ``at`` is a date-time with its UTC offset (a time
without one is refused: the rules are read in the borrower's local time).

>>> ContactRequestSchema().load({"account_id": "ACC-1", "policy": "us-card", "channel": "call",
...     "direction": "outbound", "at": "2027-01-04T10:00:00-05:00", "outcome": "no_answer"})["person"]
'borrower'
"""

from __future__ import annotations

import re
import zoneinfo

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from negotiator.core.limits import MAX_PAGE, PAGE  # noqa: F401 - the page sizes, as this module gave them
from negotiator.core.money import CURRENCIES
from negotiator.core.vocabulary import (
    CONTACT_CHANNELS,
    DIRECTIONS,
    INSTALMENT_STATES,
    LOCALES,
    OUTCOMES,
    PERSONS,
)
from negotiator.wire.records import ID_PATTERN
from negotiator.wire.schemas import PolicyRefSchema

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
REASON_CODES = ("outside_hours", "quiet_time", "call_limit", "after_conversation", "channel_refused", "third_party",
                "moratorium")


def is_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows.

    >>> is_zone("America/New_York"), is_zone("Mars/Olympus"), is_zone("../etc/passwd")
    (True, False, False)
    """
    if not re.fullmatch(r"[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+){0,2}", name or ""):
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


class StrictBool(fields.Boolean):
    """A JSON ``true`` or ``false`` only (not 0, 1 or a string).

    >>> StrictBool().deserialize(True), StrictBool().deserialize(0)
    Traceback (most recent call last):
    ...
    marshmallow.exceptions.ValidationError: Not a valid boolean.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _id(**kw):
    return fields.String(validate=validate.Regexp(ID_PATTERN, error="Must be 1 to 64 letters, digits or . _ : @ -."),
                         **kw)


def _zone(**kw):
    return fields.String(validate=validate.Length(max=64), metadata={
        "description": "An IANA time zone (`America/New_York`, `Europe/London`, `Asia/Shanghai`).",
        "example": "America/New_York"}, **kw)


class ContactRequestSchema(_Strict):
    account_id = _id(required=True)
    policy = fields.String(required=True, validate=validate.Regexp(NAME_PATTERN, error="Not a policy name."),
                           metadata={"description": "The policy the account is collected under.",
                                     "example": "us-card"})
    channel = fields.String(required=True, validate=validate.OneOf(CONTACT_CHANNELS))
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS), metadata={
        "description": "A portal key records only `inbound` contact (the borrower's own)."})
    at = fields.AwareDateTime(required=True, format="iso", metadata={
        "description": "When, with its UTC offset (`2027-01-04T10:00:00-05:00`); at most a day ahead of the "
                       "server's clock, at most NEGOTIATOR_AS_OF_DAYS (400) before it."})
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES), metadata={
        "description": "`conversation`, `promise_to_pay` and `refused` on a call are telephone conversations "
                       "(12 CFR 1006.14(b)(2)(ii))."})
    person = fields.String(load_default="borrower", validate=validate.OneOf(PERSONS), metadata={
        "description": "With whom (a portal key: the borrower only)."})
    locale = fields.String(load_default="en", validate=validate.OneOf(LOCALES))


class QuietTimeSchema(_Strict):
    start = fields.String(required=True, validate=validate.Regexp(HHMM, error="Not a time (HH:MM)."))
    end = fields.String(required=True, validate=validate.Regexp(HHMM, error="Not a time (HH:MM)."), metadata={
        "description": "Excluded; an end before the start runs over midnight."})


class PreferencesRequestSchema(_Strict):
    refused = fields.List(fields.String(validate=validate.OneOf(CONTACT_CHANNELS)), load_default=list,
                          validate=validate.Length(max=len(CONTACT_CHANNELS)), metadata={
        "description": "Channels the borrower asked not to be contacted by (12 CFR 1006.6(e), 1006.14(h); "
                       "CONC 7.9.4R)."})
    quiet = fields.List(fields.Nested(QuietTimeSchema), load_default=list, validate=validate.Length(max=8),
                        metadata={"description": "Local times the borrower asked not to be contacted."})
    preferred = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CONTACT_CHANNELS))
    language = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=2, max=16),
                             metadata={"description": "A language tag (`en`, `zh-CN`, `es`)."})
    timezone = _zone(load_default=None, allow_none=True)
    moratorium = StrictBool(load_default=False, metadata={
        "description": "A breathing space or other moratorium is in force (as notified to the lender): no "
                       "contact asking for payment while it is."})
    locale = fields.String(load_default="en", validate=validate.OneOf(LOCALES))

    @validates("timezone")
    def _known_zone(self, value, **_):
        if value is not None and not is_zone(value):
            raise ValidationError("Not an IANA time zone.")


class ContactSchema(Schema):
    contact_id = fields.String(required=True)
    account_id = fields.String(required=True)
    policy = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CONTACT_CHANNELS))
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    at = fields.DateTime(required=True, metadata={"description": "As recorded, with its offset."})
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    person = fields.String(required=True, validate=validate.OneOf(PERSONS))
    recorded_by = fields.String(required=True, metadata={"description": "The channel that recorded it."})
    recorded_at = fields.DateTime(required=True)


class ContactListSchema(Schema):
    account_id = fields.String(required=True)
    contacts = fields.List(fields.Nested(ContactSchema), required=True, metadata={
        "description": "A page, newest first (at most `limit`)."})
    next_cursor = fields.String(required=True, allow_none=True, metadata={
        "description": "Pass it as `cursor` for the next (older) page; null on the last page."})


class PreferencesSchema(Schema):
    account_id = fields.String(required=True)
    refused = fields.List(fields.String(), required=True)
    quiet = fields.List(fields.Nested(QuietTimeSchema), required=True)
    preferred = fields.String(required=True, allow_none=True)
    language = fields.String(required=True, allow_none=True)
    timezone = fields.String(required=True, allow_none=True)
    moratorium = fields.Boolean(required=True)
    recorded_at = fields.DateTime(required=True, allow_none=True, metadata={
        "description": "When these were recorded (null: none recorded, the defaults)."})


class ContactReasonSchema(Schema):
    code = fields.String(required=True, validate=validate.OneOf(REASON_CODES))
    message = fields.String(required=True, metadata={"description": "In the request's `locale`."})


class ContactWindowSchema(Schema):
    allowed = fields.Boolean(required=True)
    reasons = fields.List(fields.Nested(ContactReasonSchema), required=True, metadata={
        "description": "Every rule that stops contact at `at` (empty when allowed)."})
    next_allowed_at = fields.DateTime(required=True, allow_none=True, metadata={
        "description": "The earliest time contact would be allowed, in the borrower's local time; null when only "
                       "a change of facts opens it (a refused channel, a moratorium, a third party)."})


class FollowUpInstalmentSchema(Schema):
    number = fields.Integer(required=True)
    due_date = fields.Date(required=True)
    amount = fields.String(required=True)
    paid = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(INSTALMENT_STATES))


class FollowUpSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["reminder", "missed"]), metadata={
        "description": "`reminder`: an instalment falls due within the policy's `contact.reminder_days`; "
                       "`missed`: an instalment is overdue or missed (with the re-plan quote)."})
    account_id = fields.String(required=True)
    arrangement_id = fields.String(required=True)
    arrangement_status = fields.String(required=True)
    policy = fields.Nested(PolicyRefSchema, required=True)
    currency = fields.String(required=True, validate=validate.OneOf(sorted(CURRENCIES)))
    instalment = fields.Nested(FollowUpInstalmentSchema, required=True)
    days = fields.Integer(required=True, metadata={
        "description": "Days until the due date (a reminder), or since it (missed)."})
    channel = fields.String(required=True, metadata={"description": "The channel the window is for: the "
                                                                    "borrower's preferred one, else `call`."})
    contact_window = fields.Nested(ContactWindowSchema, required=True)
    replan = fields.Dict(required=True, allow_none=True, metadata={
        "description": "For a missed instalment: the quote (`POST /v1/quotes`'s answer, kept, so an option can be "
                       "accepted with `replaces`) for the arrangement's request as of the day, with the account's "
                       "stored history (a broken plan counts against the re-age and arrangement limits) and what "
                       "was paid taken off the balance; null for a reminder, or where no quote could be made "
                       "(`replan_error` says why)."})
    replan_error = fields.String(required=True, allow_none=True)


class FollowUpListSchema(Schema):
    as_of = fields.Date(required=True)
    follow_ups = fields.List(fields.Nested(FollowUpSchema), required=True, metadata={
        "description": "A page: the items of at most `limit` arrangements with work on the day, by account."})
    next_cursor = fields.String(required=True, allow_none=True, metadata={
        "description": "Pass it as `cursor` for the next page (or follow `Link: rel=\"next\"`); null on the "
                       "last page."})
