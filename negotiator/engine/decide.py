"""The decision: which options each account is shown, and which is recommended.

:func:`decide` applies the channel's rules (a portal sees only options that
need no approval, within its bounds) and picks the recommended option, on
whole arrays: the batch job calls it on a million accounts, a quote on one.
The ladder itself is climbed in :func:`negotiator.engine.options.build`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negotiator.engine import compiled
from negotiator.engine.accounts import Accounts
from negotiator.engine.options import OptionSet, acceptable_sets
from negotiator.kinds import ORDER
from negotiator.policy import Policy


@dataclass
class Decision:
    """What each account is shown: per option type, visible and why not; the pick."""

    visible: dict[str, np.ndarray]
    decline: dict[str, np.ndarray]
    recommended: np.ndarray        # index into ORDER, -1 when nothing is affordable
    nearest: np.ndarray            # index into ORDER of the closest plan, -1 when none
    shortfall: np.ndarray          # minor units the nearest plan needs beyond affordable
    review: np.ndarray = None      # type: ignore[assignment]  # recommended as a break held until its review


def decide(acc: Accounts, sets: dict[str, OptionSet], affordable: np.ndarray, policy: Policy,
           channel: str) -> Decision:
    """Channel rules and recommendation for every account at once.

    The ladder itself is climbed in :func:`negotiator.engine.options.build`, which
    declines the rungs above the first acceptable one.
    """
    n = len(acc)
    decline = {t: s.decline.copy() for t, s in sets.items()}
    good = dict(zip(sets, acceptable_sets(list(sets.values()), channel)))
    if channel == "portal":
        too_high = acc.balance + acc.fees > policy.amount_array("portal_max_balance", acc)
        for t, s in sets.items():
            d = decline[t]
            d[(d == None) & (s.tier > 0)] = "requires_agent"  # noqa: E711
            d[too_high] = "portal_debt_too_high"
            if not policy.portal.enabled:
                d[:] = "portal_disabled"
    visible = {t: decline[t] == None for t in sets}  # noqa: E711
    types = [t for t in ORDER if t in sets]
    k = len(types)
    if k:
        # The nearest plan, where none is usable, is one the lender can grant: within policy (issue 18).
        npv, usable, shown, max_payment = (np.concatenate(parts) for parts in zip(*(
            (sets[t].npv, visible[t] & good[t], visible[t] & sets[t].within_policy, a_month(sets[t]))
            for t in types)))
        order = np.array([ORDER.index(t) for t in types], dtype=np.int64)
        picked = compiled.run("pick_many", n, [npv.astype(np.float64), usable, shown, max_payment.astype(np.int64),
                                               np.asarray(affordable, dtype=np.int64), order, k, n],
                              [(3 * n, np.int64)])[0].reshape(n, 3)
        recommended, nearest, shortfall = picked[:, 0], picked[:, 1], picked[:, 2]
    else:
        recommended = nearest = np.full(n, -1)
        shortfall = np.zeros(n, dtype=np.int64)
    review = held_until_review(acc, sets, visible, affordable, recommended, types)
    if review.any():
        nearest, shortfall = np.where(review, -1, nearest), np.where(review, 0, shortfall)
    return Decision(visible, decline, recommended, nearest, shortfall, review)


def a_month(s: OptionSet) -> np.ndarray:
    """A plan's largest payment as a monthly amount (x payments a year / 12, rounded up): what the monthly budget
    and the shortfall named to the borrower ("a month more") compare with, whatever the frequency (issue 18).

    >>> from negotiator.engine.plans import Plans
    >>> s = OptionSet.__new__(OptionSet)
    >>> s.max_payment, s.plans = np.array([10827, 50000]), Plans.build(0, ppy=[52, 12])
    >>> a_month(s).tolist()
    [46917, 50000]
    """
    return -(-s.max_payment.astype(np.int64) * s.plans.ppy // 12)


def held_until_review(acc: Accounts, sets: dict[str, OptionSet], visible: dict[str, np.ndarray],
                      affordable: np.ndarray, recommended: np.ndarray, types: list[str]) -> np.ndarray:
    """Where a temporary hardship is declared and no plan fits it to the end, the break held until a review.

    Temporary: the income declared during the hardship is below the usual one (a borrower with nothing to spare
    for good is pointed to advice, not to a break that leads nowhere).

    A held plan shorter than the hardship is not affordable (its later payments fall while the hardship lasts),
    yet silence helps nobody: the answer is the break whose held payments fit the budget during the hardship,
    with its review date and its approval (FCA CONC 7.3.4R, 7.3.5G: forbearance, and a review of it; issue 18).
    Of those, the longest break, then the least approval, then the ladder's order. ``recommended`` (index
    into ORDER) is set in place where one is found; the answer is where that happened.
    """
    n = len(acc)
    # A temporary hardship: declared, with less coming in while it lasts than after it.
    want = (recommended < 0) & (acc.hardship_months > 0) & (acc.income_during < acc.income) & ~acc.in_moratorium
    review = np.zeros(n, dtype=bool)
    if not want.any():
        return review
    best_hold = np.zeros(n, dtype=np.int64)
    best_tier = np.full(n, 99, dtype=np.int64)
    for t in types:
        s = sets[t]
        p = s.plans
        per_period = np.asarray(affordable, dtype=np.int64) * 12 // p.ppy
        fits = (want & visible[t] & s.offered & s.within_policy & (p.hold > 0)
                & (p.hold_payment <= per_period))
        better = fits & ((p.hold > best_hold) | ((p.hold == best_hold) & (s.tier < best_tier)))
        if better.any():
            recommended[better] = ORDER.index(t)
            best_hold = np.where(better, p.hold, best_hold)
            best_tier = np.where(better, s.tier, best_tier)
            review |= better
    return review
