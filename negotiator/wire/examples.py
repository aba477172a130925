"""The contract's example requests: the API document's examples and the console's starting form.

>>> EXAMPLE_QUOTE["account"]["currency"], EXAMPLE_PROPOSAL["proposal"]
('CNY', {'monthly_payment': '300.00'})
"""

from typing import Any

EXAMPLE_ACCOUNT = {"currency": "CNY", "balance": "12000.00", "arrears": "1500.00", "fees": "300.00",
                   "apr": "0.18", "days_past_due": 45, "product": "credit_card", "contractual_payment": "600.00"}
EXAMPLE_FINANCES = {"monthly_income": "8000.00", "monthly_expenses": "5200.00", "other_debt_payments": "500.00",
                    "household_size": 3, "lump_sum_available": "2000.00",
                    "hardship": {"reason": "reduced working hours", "expected_months": 3}}
EXAMPLE_QUOTE: dict[str, Any]
#: The request of ``examples/requests/card_cny.json`` (schedules only for the recommended option).
EXAMPLE_QUOTE = {"policy": "default", "as_of": "2026-11-23", "locale": "en", "account": EXAMPLE_ACCOUNT,
                 "finances": EXAMPLE_FINANCES, "schedules": "recommended"}
EXAMPLE_PROPOSAL = {"policy": "default", "as_of": "2026-11-23", "locale": "en", "account": EXAMPLE_ACCOUNT,
                    "finances": {k: v for k, v in EXAMPLE_FINANCES.items() if k != "hardship"},
                    "proposal": {"monthly_payment": "300.00"}, "schedules": "none"}
