"""Keeping an arrangement: where each instalment stands and what the arrangement's status is.

Pure rules, free of the database and of Flask, used by the read path (one
arrangement) and stated again, set-wise, in SQL by the nightly review
(:func:`negotiator.store.records.review`); a test holds the two side by side.

Payments go to the oldest instalment first, so an instalment is covered
once the payments made by the as-of date reach ``cum_due``, the sum of its
amount and every earlier one. Amounts are integers in minor units.

Instalment states, as of a date ``D``:

- ``paid``: fully covered by payments made on or before ``D``;
- ``part_paid``: partly covered and not yet past its due date;
- ``due``: nothing paid yet, due on or after ``D``;
- ``overdue``: not fully covered, past its due date but within the grace
  days (``due_date < D <= grace_ends``);
- ``missed``: not fully covered after the grace days (``D > grace_ends``).

Arrangement status of a stored ``active`` arrangement, in order:
``completed`` when everything is paid; ``broken`` when more instalments are
missed than the policy allows (``missed_instalments_allowed``); ``at_risk``
when any instalment is overdue or missed; else ``active``. Every other
stored status (``pending_approval``, ``broken``, ``completed``,
``cancelled``, ``superseded``, ``rejected``) is read as stored.

>>> import datetime as dt
>>> inst = [Due(1, dt.date(2027, 1, 1), dt.date(2027, 1, 15), 100, 100),
...         Due(2, dt.date(2027, 2, 1), dt.date(2027, 2, 15), 100, 200)]
>>> [s.state for s in instalment_states(inst, 150, dt.date(2027, 1, 20))]
['paid', 'part_paid']
>>> status_as_of("active", inst, 150, 200, dt.date(2027, 2, 10), missed_allowed=0)
'at_risk'
>>> status_as_of("active", inst, 150, 200, dt.date(2027, 2, 16), missed_allowed=0)
'broken'
>>> status_as_of("active", inst, 200, 200, dt.date(2027, 2, 16), missed_allowed=0)
'completed'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Due:
    """One instalment as stored: number, due date, last day of grace, amount and cumulative amount due."""

    number: int
    due_date: dt.date
    grace_ends: dt.date
    amount: int
    cum_due: int


@dataclass(frozen=True)
class InstalmentState:
    number: int
    due_date: dt.date
    amount: int
    paid: int
    state: str


def instalment_states(instalments: list[Due], paid_total: int, as_of: dt.date) -> list[InstalmentState]:
    """Each instalment's state as of ``as_of`` given ``paid_total`` (payments made by then), oldest first."""
    out = []
    for i in instalments:
        covered = max(0, min(i.amount, paid_total - (i.cum_due - i.amount)))
        if covered >= i.amount:
            state = "paid"
        elif as_of > i.grace_ends:
            state = "missed"
        elif as_of > i.due_date:
            state = "overdue"
        else:
            state = "part_paid" if covered > 0 else "due"
        out.append(InstalmentState(i.number, i.due_date, i.amount, covered, state))
    return out


def missed_count(instalments: list[Due], paid_total: int, as_of: dt.date) -> int:
    """Instalments past their grace and not covered: the rule the review states in SQL."""
    return sum(1 for i in instalments if i.grace_ends < as_of and i.cum_due > paid_total)


def status_as_of(stored: str, instalments: list[Due], paid_total: int, total_payable: int, as_of: dt.date,
                 missed_allowed: int) -> str:
    """The arrangement's status as of ``as_of`` (see the module's docstring for the order of the rules)."""
    if stored != "active":
        return stored
    if paid_total >= total_payable:
        return "completed"
    if missed_count(instalments, paid_total, as_of) > missed_allowed:
        return "broken"
    if any(i.due_date < as_of and i.cum_due > paid_total for i in instalments):
        return "at_risk"
    return "active"


def next_due(states: list[InstalmentState]) -> dt.date | None:
    """The due date of the oldest instalment not yet fully paid."""
    return next((s.due_date for s in states if s.state != "paid"), None)
