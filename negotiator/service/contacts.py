"""The contact log, the borrower's preferences, "may we contact now?" and the day's follow-ups over HTTP
(issue 21).

``POST /v1/contacts``, ``GET /v1/accounts/{account_id}/contacts?limit=&cursor=``,
``POST /v1/accounts/{account_id}/contact-preferences``,
``GET /v1/accounts/{account_id}/contact-window?channel=&at=&timezone=&policy=&person=&locale=`` and
``GET /v1/follow-ups?as_of=&timezone=&locale=``. Thin views: the shapes are :mod:`negotiator.wire.contacts`',
the rule :mod:`negotiator.engine.contact`'s through :mod:`negotiator.app.contacts` (one rule for the console,
the API and the follow-ups), who may call which the rights table's, checked by
:class:`~negotiator.app.access.Access` before anything is read. Every bad query parameter is named at once.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, current_app, request

from negotiator.app import paging, validators
from negotiator.app.access import Access
from negotiator.app.body import read_json
from negotiator.app.dates import read_day
from negotiator.app.query import takes
from negotiator.app.responses import json_response
from negotiator.core.errors import FieldError, ValidationError
from negotiator.core.vocabulary import CONTACT_CHANNELS, LOCALES, PERSONS
from negotiator.policy import NAME_RE
from negotiator.wire.contacts import is_zone
from negotiator.wire.messages import errors_in, translated
from negotiator.wire.records import ID_PATTERN

bp = Blueprint("contacts", __name__)
_ACCOUNT_RE = re.compile(ID_PATTERN)


def _state() -> dict:
    return current_app.extensions["negotiator"]


def _body():
    cfg = _state()["config"]
    return read_json(cfg.max_body_bytes, cfg.max_json_depth)


def _account(account_id: str, errors: list[FieldError]) -> None:
    if not _ACCOUNT_RE.match(account_id):
        errors.append(FieldError("account_id", "Must be 1 to 64 letters, digits or . _ : @ -."))


def _locale(errors: list[FieldError]) -> str:
    locale = request.args.get("locale", "en")
    if locale not in LOCALES:
        errors.append(FieldError("locale", f"Must be one of: {', '.join(LOCALES)}."))
        return "en"
    return locale


def _raise(errors: list[FieldError], locale: str) -> None:
    if errors:
        raise translated(ValidationError(errors), locale)


@bp.post("/v1/contacts")
def record_contact():
    """Record one contact (agent and batch keys; a portal key the borrower's own inbound contact)."""
    access = Access.of_request()
    access.caller("record_contact")
    body = _body()
    with errors_in(body):
        return json_response(access.record_contact(body), 201)


@bp.get("/v1/accounts/<account_id>/contacts")
@takes(*paging.PAGING)
def list_contacts(account_id: str):
    """A page of the account's contacts, newest first; ``cursor`` continues from the previous page."""
    errors: list[FieldError] = []
    _account(account_id, errors)
    limit = paging.limit_arg(errors)
    _raise(errors, "en")
    page = Access.of_request().contacts(account_id, limit, paging.cursor_arg())
    return paging.link(validators.read(page), page["next_cursor"])


@bp.post("/v1/accounts/<account_id>/contact-preferences")
def set_preferences(account_id: str):
    """Record the borrower's contact preferences (the newest are in force)."""
    access = Access.of_request()
    access.caller("set_preferences")
    errors: list[FieldError] = []
    _account(account_id, errors)
    _raise(errors, "en")
    body = _body()
    with errors_in(body):
        return json_response(access.set_preferences(account_id, body), 201)


def _at(errors: list[FieldError]) -> dt.datetime:
    raw = request.args.get("at")
    now = _state()["clock"]()
    if raw is None:
        return now
    try:
        at = dt.datetime.fromisoformat(raw) if 16 <= len(raw) <= 40 else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        errors.append(FieldError("at", "Not a date-time with its UTC offset (2027-01-04T20:59:00-05:00)."))
        return now
    if at.year < 1900 or at.year > 2200:
        errors.append(FieldError("at", "Must be between the years 1900 and 2200."))
        return now
    return at


@bp.get("/v1/accounts/<account_id>/contact-window")
@takes("channel", "at", "timezone", "policy", "person", "locale")
def contact_window(account_id: str):
    """May ``channel`` contact be made at ``at``? ``{"allowed", "reasons", "next_allowed_at"}``."""
    access = Access.of_request()
    access.caller("contact_window")
    errors: list[FieldError] = []
    locale = _locale(errors)
    _account(account_id, errors)
    channel = request.args.get("channel")
    if channel not in CONTACT_CHANNELS:
        errors.append(FieldError("channel", f"Must be one of: {', '.join(CONTACT_CHANNELS)}."))
    person = request.args.get("person", "borrower")
    if person not in PERSONS:
        errors.append(FieldError("person", f"Must be one of: {', '.join(PERSONS)}."))
    policy = request.args.get("policy", "default")
    if not NAME_RE.match(policy):
        errors.append(FieldError("policy", "Not a policy name."))
    timezone = request.args.get("timezone")
    if timezone is not None and not is_zone(timezone):
        errors.append(FieldError("timezone", "Not an IANA time zone."))
    at = _at(errors)
    _raise(errors, locale)
    try:
        return json_response(access.contact_window(_state()["registry"], account_id, str(channel), at, timezone,
                                                   policy, person, locale))
    except ValidationError as exc:
        raise translated(exc, locale) from None


@bp.get("/v1/follow-ups")
@takes("as_of", "timezone", "locale", *paging.PAGING)
def follow_ups():
    """The day's reminders and follow-ups, each with its contact window and (missed) its re-plan quote."""
    access = Access.of_request()
    access.caller("follow_ups")
    errors: list[FieldError] = []
    locale = _locale(errors)
    timezone = request.args.get("timezone", "UTC")
    if not is_zone(timezone):
        errors.append(FieldError("timezone", "Not an IANA time zone."))
    limit = paging.limit_arg(errors)
    _raise(errors, locale)
    as_of = read_day() or _state()["clock"].today()
    try:
        page = access.follow_ups(_state()["registry"], as_of, timezone, locale, limit=limit,
                                 cursor=paging.cursor_arg())
        return paging.link(json_response(page), page["next_cursor"])
    except ValidationError as exc:
        raise translated(exc, locale) from None
