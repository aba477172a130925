"""Helpers of the pages' tests: the CSRF token of a page, the account of the examples, the words no portal
page may hold."""

from __future__ import annotations

import re

ACCOUNT = {"account_id": "ACC-1001", "currency": "CNY", "balance": "12000.00", "arrears": "1500.00", "fees": "300.00",
           "apr": "0.18", "days_past_due": 45, "product": "credit_card", "contractual_payment": "600.00"}


#: Words no portal page may hold: approval tiers, internal figures, the lender's measures (and LIMIT_WORDS).
INTERNAL_WORDS = re.compile(r"approv|supervisor|npv|concession|tier|lender|recovers|"
                            r"审批|批准|主管|净现值|让步|贷方|回收", re.IGNORECASE)


def csrf(response) -> str:
    """The CSRF token of the first form of a page."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert m, "no CSRF token on the page"
    return m.group(1)


def hidden(response, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]*)"', response.get_data(as_text=True))


#: What no person should read on a page: a code of the wire, an ISO date, an ISO currency code.
CODES = re.compile(r"(?<![A-Za-z0-9_])(credit_card|quote_issued|catch_up|term_months|from_apr|interest_reduction|"
                   r"pending_approval|CNY|GBP)(?![A-Za-z0-9_])|\b\d{4}-\d{2}-\d{2}\b")

#: Page states the browser tests checked (axe-core and human text), by language.
STATES: dict[str, int] = {}


def human_text(text: str, where: str) -> None:
    """No code, ISO date or ISO currency code in text a person reads.

    >>> human_text("Due 3 January 2027: CN¥1,100.00", "ok")
    >>> human_text("Due 2027-01-03", "bad")
    Traceback (most recent call last):
    AssertionError: bad: '2027-01-03' in: 'Due 2027-01-03'
    """
    m = CODES.search(text)
    if m is not None:
        raise AssertionError(f"{where}: {m.group(0)!r} in: {text[max(0, m.start() - 80):m.end() + 80]!r}")
