"""Bad input: every bad field is named, all at once (schema shape checks and accounts.check rules)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from conftest import BASE_BODY, LOAN_BODY, TODAY

from negotiator.core.errors import UnknownPolicyError, ValidationError
from negotiator.engine.accounts import check, from_records, months_between
from negotiator.engine.quote import quote
from negotiator.wire.schemas import load_request


def _errors(registry, body):
    with pytest.raises(ValidationError) as exc:
        quote(body, registry, today=TODAY)
    return exc.value.errors


def _set(body, path, value):
    *parents, last = path.split(".")
    node = body
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return body


DELETE = object()

BAD_FIELDS = [
    ("account.balance", "-1.00"), ("account.balance", "abc"), ("account.balance", "NaN"),
    ("account.balance", "Infinity"), ("account.balance", True), ("account.balance", "12.345"),
    ("account.balance", "1e400"), ("account.balance", "99999999999999999999"), ("account.balance", None),
    ("account.balance", "0"), ("account.balance", [1]), ("account.balance", {"a": 1}), ("account.balance", DELETE),
    ("account.arrears", "12000.01"), ("account.arrears", -5), ("account.arrears", False),
    ("account.fees", "12000.01"), ("account.fees", "nan"), ("account.fees", "1.001"),
    ("account.apr", "0.61"), ("account.apr", "-0.01"), ("account.apr", "1.5"), ("account.apr", "0.1234567"),
    ("account.apr", "18%"), ("account.apr", True),
    ("account.currency", "XXX"), ("account.currency", "cny"), ("account.currency", 156),
    ("account.product", "mortgage"), ("account.product", DELETE),
    ("account.days_past_due", -1), ("account.days_past_due", 3651), ("account.days_past_due", 4.5),
    ("account.days_past_due", "45"), ("account.days_past_due", True), ("account.days_past_due", 0),
    ("account.contractual_payment", "-1"), ("account.contractual_payment", "12300.01"),
    ("account.remaining_term_months", 24),                         # a card has no term
    ("account.unexpected", 1),
    ("finances.monthly_income", "-1"), ("finances.monthly_income", "1e10"), ("finances.monthly_income", "Infinity"),
    ("finances.monthly_expenses", "x"), ("finances.other_debt_payments", "-0.01"),
    ("finances.household_size", 0), ("finances.household_size", 21), ("finances.household_size", True),
    ("finances.lump_sum_available", "1.234"), ("finances.hardship.expected_months", 0),
    ("finances.hardship.expected_months", 25), ("finances.hardship.reason", ""), ("finances.surprise", "x"),
    ("locale", "fr"), ("policy", "Bad Name!"), ("as_of", "2026-13-01"), ("options", ["teleport"]),
    ("schedules", "some"), ("unknown_top", 1),
]


@pytest.mark.parametrize("path, value", BAD_FIELDS, ids=[f"{p}={v!r}" for p, v in BAD_FIELDS])
def test_each_bad_field_is_named(registry, path, value):
    body = _set(copy.deepcopy(BASE_BODY), path, value)
    fields = {e.field for e in _errors(registry, body)}
    assert any(f == path or f.startswith(path + ".") for f in fields), fields     # options.0 names the item
    assert all(e.message for e in _errors(registry, body))


LOAN_BAD = [("account.remaining_term_months", DELETE), ("account.remaining_term_months", 0),
            ("account.remaining_term_months", 601), ("account.remaining_term_months", "24")]


@pytest.mark.parametrize("path, value", LOAN_BAD, ids=[f"{p}={v!r}" for p, v in LOAN_BAD])
def test_loan_term_rules(registry, path, value):
    body = _set(copy.deepcopy(LOAN_BODY), path, value)
    assert path in {e.field for e in _errors(registry, body)}


def test_policy_limits_apply(registry):
    body = copy.deepcopy(BASE_BODY)
    body["policy"] = "us-card"                                  # USD only, max_apr 0.36
    body["account"]["apr"] = "0.40"
    fields = {e.field for e in _errors(registry, body)}
    assert {"account.currency", "account.apr"} <= fields


def test_every_bad_field_is_reported_at_once(registry):
    body = copy.deepcopy(BASE_BODY)
    body["account"].update(balance="-5", apr="NaN", days_past_due=99999, product="boat", fees=True)
    body["finances"].update(monthly_income="lots", household_size=0)
    body["locale"] = "xx"
    fields = {e.field for e in _errors(registry, body)}
    assert {"account.balance", "account.apr", "account.days_past_due", "account.product", "account.fees",
            "finances.monthly_income", "finances.household_size", "locale"} <= fields


def test_domain_rules_are_all_reported_together(registry):
    body = copy.deepcopy(BASE_BODY)
    body["account"].update(arrears="20000.00", fees="13000.00", apr="0.9", contractual_payment="99999.00")
    fields = {e.field for e in _errors(registry, body)}
    assert {"account.arrears", "account.fees", "account.apr", "account.contractual_payment"} <= fields


def test_arrears_and_days_past_due_must_agree(registry):
    body = copy.deepcopy(BASE_BODY)
    body["account"].update(arrears="0", days_past_due=45)
    assert "account.arrears" in {e.field for e in _errors(registry, body)}


@pytest.mark.parametrize("body", [None, [], "text", 42, True])
def test_a_body_that_is_not_an_object(registry, body):
    assert {e.field for e in _errors(registry, body)} == {"(body)"}


def test_unknown_policy_names_the_policy(registry):
    body = copy.deepcopy(BASE_BODY)
    body["policy"] = "nope"
    with pytest.raises(UnknownPolicyError, match="nope"):
        quote(body, registry, today=TODAY)


def test_itemised_lines_must_agree_with_the_total(registry):
    body = copy.deepcopy(BASE_BODY)
    body["finances"]["expense_lines"] = [{"category": "food", "amount": "100.00"}]
    assert "finances.monthly_expenses" in {e.field for e in _errors(registry, body)}


def test_itemised_lines_replace_the_total(registry):
    body = copy.deepcopy(BASE_BODY)
    del body["finances"]["monthly_expenses"]
    body["finances"]["expense_lines"] = [{"category": "food", "amount": "2000.00"},
                                         {"category": "housing", "amount": "3200.00"}]
    q = quote(body, registry, today=TODAY)
    assert q["affordability"]["disposable_income"] == "2300.00"          # 8000 - 5200 - 500


def test_history_dates_after_as_of_are_refused(registry):
    body = copy.deepcopy(BASE_BODY)
    body["account"]["history"] = {"opened_on": "2027-01-01", "reage_dates": ["2030-01-01"]}
    fields = {e.field for e in _errors(registry, body)}
    assert {"account.history.opened_on", "account.history.reage_dates"} <= fields


def test_from_records_and_check_on_arrays(registry):
    reqs = [load_request(copy.deepcopy(BASE_BODY)), load_request(copy.deepcopy(BASE_BODY))]
    reqs[1]["account"]["arrears"] = reqs[1]["account"]["balance"] + 1
    acc, errors = from_records(reqs, TODAY)
    assert errors == []
    assert acc.balance.tolist() == [1_200_000, 1_200_000]
    assert acc.apr_ppm.tolist() == [180_000, 180_000]
    bad = check(acc, registry.get("default"))
    assert [(row, field) for row, field, _ in bad] == [(1, "account.arrears")]


@pytest.mark.parametrize("earlier, later, months", [
    (dt.date(2026, 1, 31), dt.date(2026, 2, 28), 0), (dt.date(2026, 1, 15), dt.date(2026, 11, 15), 10),
    (dt.date(2026, 1, 15), dt.date(2026, 11, 14), 9), (dt.date(2025, 11, 23), dt.date(2026, 11, 23), 12),
])
def test_months_between(earlier, later, months):
    assert months_between(earlier, later) == months
