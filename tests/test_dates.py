"""dates: month arithmetic with month-end anchoring, due dates."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import dates, month_ends

from negotiator.core.dates import add_months, due_dates, first_payment_date


@pytest.mark.parametrize("start, months, expected", [
    # Issue 2: 31 January, then 28 or 29 February, then 31 March.
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
    (dt.date(2026, 1, 31), 2, dt.date(2026, 3, 31)),
    (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
    (dt.date(2026, 8, 31), 1, dt.date(2026, 9, 30)),
    (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
    (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
    (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
    (dt.date(2024, 2, 29), 48, dt.date(2028, 2, 29)),
    (dt.date(2026, 5, 10), 0, dt.date(2026, 5, 10)),
])
def test_add_months_calendar_cases(start, months, expected):
    assert add_months(start, months) == expected


def test_due_dates_keep_the_anchor_day():
    got = due_dates(dt.date(2026, 1, 31), 4)
    assert got == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30)]


def test_first_payment_date_is_the_offset():
    assert first_payment_date(dt.date(2026, 11, 23), 30) == dt.date(2026, 12, 23)
    assert first_payment_date(dt.date(2026, 12, 31), 0) == dt.date(2026, 12, 31)


@given(dates, st.integers(0, 600))
def test_add_months_lands_in_the_right_month_on_the_anchor_or_month_end(start, months):
    d = add_months(start, months)
    assert (d.year * 12 + d.month) - (start.year * 12 + start.month) == months
    last = calendar.monthrange(d.year, d.month)[1]
    assert d.day == min(start.day, last)


@given(month_ends, st.integers(1, 120))
def test_month_end_schedules_stay_on_month_ends_when_anchored_on_the_31st(start, count):
    days = [d.day for d in due_dates(start, count)]
    if start.day == 31:
        assert all(d.day == calendar.monthrange(d.year, d.month)[1] for d in due_dates(start, count))
    assert len(days) == count
