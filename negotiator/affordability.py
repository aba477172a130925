"""Affordability: what a borrower's income can carry, on whole arrays.

disposable income = income - essential expenses - other (priority) debt payments
affordable payment = min(share x max(disposable, 0), cap x income), in whole
minor units (rounded down: never more than the income allows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .accounts import Accounts
from .money import RATE_SCALE, rate_to_ppm, to_minor
from .policy import Policy


@dataclass
class Assessment:
    """Affordability of each account; ``flags`` maps a code to a boolean array."""

    disposable: np.ndarray
    affordable: np.ndarray
    flags: dict[str, np.ndarray]
    expense_flags: dict[str, tuple[np.ndarray, np.ndarray]]   # category -> (above, below)

    def take(self, idx) -> Assessment:
        return Assessment(self.disposable[idx], self.affordable[idx],
                          {k: v[idx] for k, v in self.flags.items()},
                          {k: (a[idx], b[idx]) for k, (a, b) in self.expense_flags.items()})


def assess(acc: Accounts, policy: Policy, channel: str = "agent") -> Assessment:
    """Disposable income, affordable payment and flags for every account.

    Examples
    --------
    Income 8,000, expenses 5,200, other debts 500: a surplus of 2,300, of
    which the default policy lets a plan take 80% (1,840), under its cap of
    40% of income (3,200).

    >>> from negotiator.policy import PolicyRegistry
    >>> from negotiator.accounts import from_records
    >>> import datetime as dt
    >>> from decimal import Decimal as D
    >>> rec = {"account": {"currency": "CNY", "balance": D(12000), "arrears": D(1500), "fees": D(300),
    ...        "apr": D("0.18"), "days_past_due": 45, "product": "credit_card", "contractual_payment": D(600)},
    ...        "finances": {"monthly_income": D(8000), "monthly_expenses": D(5200), "other_debt_payments": D(500)}}
    >>> acc, _ = from_records([rec], dt.date(2026, 11, 23))
    >>> a = assess(acc, PolicyRegistry.load().get("default"))
    >>> int(a.disposable[0]), int(a.affordable[0])
    (230000, 184000)
    """
    aff_policy = policy.affordability
    share = policy.portal.surplus_share if channel == "portal" else aff_policy.surplus_share
    share_ppm = rate_to_ppm(share)
    pti_ppm = rate_to_ppm(aff_policy.max_payment_to_income)
    disposable = acc.income - acc.expenses - acc.other_debt
    by_share = np.maximum(disposable, 0) * share_ppm // RATE_SCALE
    by_income = acc.income * pti_ppm // RATE_SCALE
    affordable = np.minimum(by_share, by_income)
    min_pay = to_minor(policy.min_payment, 0) * acc.unit if len(acc) else 0
    flags = {
        "negative_surplus": disposable < 0,
        "no_surplus": disposable == 0,
        "capped_by_income": by_share > by_income,
        "payment_to_income_high": acc.contractual * RATE_SCALE > acc.income * pti_ppm,
        "below_minimum_payment": (affordable > 0) & (affordable < min_pay),
    }
    expense_flags = {}
    guides_by_cur = aff_policy.expense_guidelines
    for cat, spent in acc.expense_lines.items():
        above = np.zeros(len(acc), dtype=bool)
        below = np.zeros(len(acc), dtype=bool)
        for cur, guides in guides_by_cur.items():
            g = guides.get(cat)
            if g is None:
                continue
            mask = acc.currency == cur
            if not mask.any():
                continue
            unit = acc.unit[mask]
            extra = acc.household[mask] - 1
            hi = (to_minor(g.max, 2) + extra * to_minor(g.per_member_max, 2)) * unit // 100
            lo = (to_minor(g.min, 2) + extra * to_minor(g.per_member_min, 2)) * unit // 100
            s = spent[mask]
            above[mask] = s > hi
            below[mask] = (s > 0) & (s < lo)
        if above.any() or below.any():
            expense_flags[cat] = (above, below)
    return Assessment(disposable, affordable, flags, expense_flags)
