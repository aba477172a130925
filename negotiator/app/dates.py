"""Dates are the server's: what a request may say about the day, checked the same way for the API and the pages.

- A portal quote or what-if is as of today (the server's clock): an ``as_of``
  that is not today is refused (422 naming ``as_of``), never moved or clamped.
- Every other date a caller gives for a quote, a what-if or a read (``as_of``)
  is within ``NEGOTIATOR_AS_OF_DAYS`` (400 by default) of today, before or
  after; otherwise 422 naming the field.
- Payments are dated by the store (:meth:`Records.pay
  <negotiator.store.records.Records.pay>`): from the plan's start to today
  (one day of clock tolerance); the review by the store too (at most today
  plus that day, at most the range before).

>>> within(dt.date(2026, 11, 23), dt.date(2026, 12, 4), 400), within(dt.date(9999, 12, 31), dt.date(2026, 12, 4), 400)
(True, False)
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, request

from negotiator.core.errors import FieldError, ValidationError


def within(day: dt.date, today: dt.date, days: int) -> bool:
    return abs((day - today).days) <= days


def _state() -> dict:
    return current_app.extensions["negotiator"]


def today() -> dt.date:
    return _state()["clock"].today()


def _range_error(field: str, today_: dt.date, days: int) -> ValidationError:
    lo, hi = today_ - dt.timedelta(days=days), today_ + dt.timedelta(days=days)
    return ValidationError([FieldError(field, f"Must be within {days} days of today: {lo.isoformat()} to "
                                              f"{hi.isoformat()}.")])


def quote_day(body, channel: str) -> dt.date:
    """The day a quote or what-if is made for: today for the portal (an ``as_of`` other than today is refused),
    else the body's ``as_of`` within the range, else today. A malformed ``as_of`` is left to the engine."""
    today_ = today()
    raw = body.get("as_of") if isinstance(body, dict) else None
    if not isinstance(raw, str):
        return today_
    try:
        day = dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return today_       # the engine names it
    if channel == "portal" and day != today_:
        raise ValidationError([FieldError("as_of", f"On the portal a quote is as of today ({today_.isoformat()}, "
                                                   "the server's date): leave as_of out.")])
    days = _state()["config"].as_of_days
    if not within(day, today_, days):
        raise _range_error("as_of", today_, days)
    return day


def read_day() -> dt.date | None:
    """A read's ``?as_of=`` (None when absent): a date within the range of today, else 422 naming ``as_of``."""
    from negotiator.app.problems import Problem
    raw = request.args.get("as_of")
    if raw is None:
        return None
    try:
        day = dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise Problem(422, "Invalid input", "The request has invalid fields; see errors.", "invalid_input",
                      errors=[{"field": "as_of", "message": "Not a valid date (YYYY-MM-DD)."}])
    today_, days = today(), _state()["config"].as_of_days
    if not within(day, today_, days):
        raise _range_error("as_of", today_, days)
    return day
