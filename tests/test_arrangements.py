"""Instalment states and arrangement status (negotiator/engine/arrangements.py): the rules, case by case.

One plan throughout: three instalments of 100 due 2027-01-10, 02-10 and 03-10, 14 grace days each
(last day of grace 01-24, 02-24, 03-24); expected values worked out by hand from the module's rules.
"""

from __future__ import annotations

import datetime as dt

import pytest

from negotiator.engine.arrangements import Due, instalment_states, missed_count, next_due, status_as_of

D = dt.date
PLAN = [Due(1, D(2027, 1, 10), D(2027, 1, 24), 100, 100), Due(2, D(2027, 2, 10), D(2027, 2, 24), 100, 200),
        Due(3, D(2027, 3, 10), D(2027, 3, 24), 100, 300)]


@pytest.mark.parametrize("paid, as_of, states", [
    (0, D(2027, 1, 10), ["due", "due", "due"]),                     # due today is not late
    (0, D(2027, 1, 11), ["overdue", "due", "due"]),
    (0, D(2027, 1, 24), ["overdue", "due", "due"]),                 # last day of grace
    (0, D(2027, 1, 25), ["missed", "due", "due"]),
    (50, D(2027, 1, 5), ["part_paid", "due", "due"]),
    (1, D(2027, 1, 5), ["part_paid", "due", "due"]),                # one minor unit is a part payment
    (99, D(2027, 1, 10), ["part_paid", "due", "due"]),              # one short is not paid
    (100, D(2027, 1, 11), ["paid", "due", "due"]),                  # exactly the instalment: paid
    (50, D(2027, 1, 25), ["missed", "due", "due"]),                 # part paid after grace is still missed
    (150, D(2027, 2, 1), ["paid", "part_paid", "due"]),             # oldest first
    (300, D(2027, 12, 31), ["paid", "paid", "paid"]),
])
def test_instalment_states(paid, as_of, states):
    assert [s.state for s in instalment_states(PLAN, paid, as_of)] == states


def test_paid_amounts_go_to_the_oldest_instalment_first():
    assert [s.paid for s in instalment_states(PLAN, 250, D(2027, 1, 1))] == [100, 100, 50]
    assert next_due(instalment_states(PLAN, 250, D(2027, 1, 1))) == D(2027, 3, 10)
    assert next_due(instalment_states(PLAN, 300, D(2027, 1, 1))) is None


@pytest.mark.parametrize("stored, paid, as_of, allowed, status", [
    ("active", 0, D(2027, 1, 10), 1, "active"),
    ("active", 0, D(2027, 1, 11), 1, "at_risk"),                    # late within grace
    ("active", 0, D(2027, 1, 25), 1, "at_risk"),                    # one missed, one allowed
    ("active", 0, D(2027, 1, 25), 0, "broken"),                     # one missed, none allowed
    ("active", 100, D(2027, 2, 25), 0, "broken"),
    ("active", 100, D(2027, 2, 25), 1, "at_risk"),
    ("active", 0, D(2027, 2, 25), 1, "broken"),                     # two missed, one allowed
    ("active", 300, D(2027, 1, 1), 0, "completed"),                 # paid ahead: completed at once
    ("active", 100, D(2027, 1, 20), 1, "active"),                   # exactly what is due by now: on track
    ("active", 99, D(2027, 1, 20), 1, "at_risk"),                   # one minor unit short: at risk
    ("active", 299, D(2027, 12, 31), 5, "at_risk"),                 # one short of the total: not completed
    ("pending_approval", 0, D(2027, 6, 1), 0, "pending_approval"),  # other stored statuses read as stored
    ("broken", 300, D(2027, 6, 1), 0, "broken"),
    ("superseded", 0, D(2027, 6, 1), 0, "superseded"),
])
def test_status(stored, paid, as_of, allowed, status):
    assert status_as_of(stored, PLAN, paid, 300, as_of, allowed) == status


def test_missed_count_is_the_rule_the_review_states_in_sql():
    assert missed_count(PLAN, 0, D(2027, 1, 24)) == 0
    assert missed_count(PLAN, 0, D(2027, 1, 25)) == 1
    assert missed_count(PLAN, 199, D(2027, 3, 1)) == 1
    assert missed_count(PLAN, 200, D(2027, 3, 1)) == 0              # exactly covered: not missed
    assert missed_count(PLAN, 0, D(2027, 2, 25)) == 2
    assert missed_count(PLAN, 200, D(2027, 3, 1)) == 0
