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
            (sets[t].npv, visible[t] & good[t], visible[t] & sets[t].within_policy, sets[t].max_payment)
            for t in types)))
        order = np.array([ORDER.index(t) for t in types], dtype=np.int64)
        picked = compiled.run("pick_many", n, [npv.astype(np.float64), usable, shown, max_payment.astype(np.int64),
                                               np.asarray(affordable, dtype=np.int64), order, k, n],
                              [(3 * n, np.int64)])[0].reshape(n, 3)
        recommended, nearest, shortfall = picked[:, 0], picked[:, 1], picked[:, 2]
    else:
        recommended = nearest = np.full(n, -1)
        shortfall = np.zeros(n, dtype=np.int64)
    return Decision(visible, decline, recommended, nearest, shortfall)
