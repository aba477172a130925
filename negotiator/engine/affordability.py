"""Affordability: what a borrower's income can carry, on whole arrays.

disposable income = income - essential expenses - other (priority) debt payments
affordable payment = min(share x max(disposable, 0), cap x income), in whole
minor units (rounded down: never more than the income allows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negotiator.core.money import RATE_SCALE, rate_to_ppm
from negotiator.engine.accounts import Accounts
from negotiator.policy import Policy


@dataclass
class Assessment:
    """Affordability of each account; ``flags`` maps a code to a boolean array."""

    disposable: np.ndarray
    affordable: np.ndarray
    flags: dict[str, np.ndarray]
    expense_flags: dict[str, tuple[np.ndarray, np.ndarray]]   # category -> (above, below)
    now: np.ndarray = None    # type: ignore[assignment]  # what a plan may take during a declared hardship

    def __post_init__(self):
        if self.now is None:
            self.now = self.affordable

    def take(self, idx) -> Assessment:
        return Assessment(self.disposable[idx], self.affordable[idx],
                          {k: v[idx] for k, v in self.flags.items()},
                          {k: (a[idx], b[idx]) for k, (a, b) in self.expense_flags.items()}, self.now[idx])

    def with_ceiling(self, ceiling: np.ndarray) -> Assessment:
        """The same assessment with what a plan may take replaced by ``ceiling`` (a what-if: the borrower's word)."""
        return Assessment(self.disposable, ceiling, self.flags, self.expense_flags, ceiling)


def assess(acc: Accounts, policy: Policy, channel: str = "agent", during_hardship: bool = False) -> Assessment:
    """Disposable income, affordable payment and flags for every account.

    Examples
    --------
    Income 8,000, expenses 5,200, other debts 500: a surplus of 2,300, of
    which the default policy lets a plan take 80% (1,840), under its cap of
    40% of income (3,200).

    >>> from negotiator.policy import PolicyRegistry
    >>> from negotiator.engine.accounts import from_records
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
    income = acc.income_during if during_hardship else acc.income
    disposable = income - acc.expenses - acc.other_debt
    by_share = np.maximum(disposable, 0) * share_ppm // RATE_SCALE
    by_income = income * pti_ppm // RATE_SCALE
    affordable = np.minimum(by_share, by_income)
    min_pay = policy.amount_array("min_payment", acc)
    flags = {
        "negative_surplus": disposable < 0,
        "no_surplus": disposable == 0,
        "capped_by_income": by_share > by_income,
        "payment_to_income_high": acc.contractual * RATE_SCALE > income * pti_ppm,
        "below_minimum_payment": (affordable > 0) & (affordable < min_pay),
        "apr_above_flag_limit": (acc.apr_ppm > rate_to_ppm(policy.apr_flag_above) if policy.apr_flag_above
                                 is not None else np.zeros(len(acc), dtype=bool)),
    }
    expense_flags = {}
    guides_by_cur = aff_policy.guidelines
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
            extra = acc.household[mask] - 1
            hi = g.max + extra * g.per_member_max
            lo = g.min + extra * g.per_member_min
            s = spent[mask]
            above[mask] = s > hi
            below[mask] = (s > 0) & (s < lo)
        if above.any() or below.any():
            expense_flags[cat] = (above, below)
    now = affordable
    if not during_hardship and (acc.income_during != acc.income).any():
        now = np.minimum(assess(acc, policy, channel, during_hardship=True).affordable, affordable)
    return Assessment(disposable, affordable, flags, expense_flags, now)
