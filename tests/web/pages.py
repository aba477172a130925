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
