"""Due dates: monthly schedules with month-end handling."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(start: dt.date, months: int) -> dt.date:
    """The date ``months`` after ``start``, keeping its day where it exists.

    A day past the end of the target month falls on its last day, and the
    anchor is always ``start``'s day, so 31 January is followed by 28 or 29
    February and then 31 March (not 28 March).

    >>> add_months(dt.date(2026, 1, 31), 1), add_months(dt.date(2026, 1, 31), 2)
    (datetime.date(2026, 2, 28), datetime.date(2026, 3, 31))
    >>> add_months(dt.date(2028, 1, 31), 1)
    datetime.date(2028, 2, 29)
    """
    total = start.year * 12 + (start.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def due_dates(first: dt.date, count: int, per_year: int = 12) -> list[dt.date]:
    """``count`` due dates from ``first``: monthly (anchored on its day), fortnightly (26) or weekly (52).

    >>> [d.isoformat() for d in due_dates(dt.date(2026, 12, 31), 3)]
    ['2026-12-31', '2027-01-31', '2027-02-28']
    >>> [d.isoformat() for d in due_dates(dt.date(2026, 12, 31), 3, 52)]
    ['2026-12-31', '2027-01-07', '2027-01-14']
    """
    if per_year == 12:
        return [add_months(first, k) for k in range(count)]
    step = {26: 14, 52: 7}[per_year]
    return [first + dt.timedelta(days=step * k) for k in range(count)]


def first_payment_date(as_of: dt.date, offset_days: int) -> dt.date:
    """The first due date of a plan agreed on ``as_of``.

    >>> first_payment_date(dt.date(2026, 11, 23), 30)
    datetime.date(2026, 12, 23)
    """
    return as_of + dt.timedelta(days=offset_days)
