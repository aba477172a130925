"""The ladder over many accounts at once gives each account what it gives that account alone (plain Python).

A quote is one account; the batch and the array path are many. Every per-account kernel indexes its inputs
and outputs by account (``x = i * NX``, ``b = slot * NO * n + i``): this holds that indexing, and the
decision's, without the compiler (the mutation run uses it; ``test_solver_paths`` compares the two speeds).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_solver_paths import _OUTPUTS, _portfolio

from negotiator.engine import compiled
from negotiator.engine.affordability import assess
from negotiator.engine.decide import decide
from negotiator.engine.options import build
from negotiator.policy import PolicyRegistry


@pytest.mark.parametrize("policy_name, channel, ppy", [("default", "agent", 12), ("cn-card", "portal", 12),
                                                        ("us-card", "agent", 12), ("uk-conc", "agent", 52),
                                                        ("cn-loan", "agent", 12)])
def test_many_accounts_at_once_are_each_as_alone(policy_name, channel, ppy, monkeypatch):
    monkeypatch.setattr(compiled, "MODE", "python")
    policy = PolicyRegistry.load().get(policy_name)
    acc = _portfolio(24, len(policy_name) * 7 + ppy, (policy.currencies or ("CNY",))[0], ppy)
    a = assess(acc, policy, channel)
    together = build(acc, a, policy, channel)
    chosen = decide(acc, together, a.now, policy, channel)
    for i in range(len(acc)):
        one, ai = acc.take(np.array([i])), a.take(np.array([i]))
        alone = build(one, ai, policy, channel)
        assert alone.keys() == together.keys()
        for t, s in alone.items():
            g = together[t]
            assert s.decline[0] == g.decline[i], (i, t)
            for name in _OUTPUTS:
                assert getattr(s, name)[0] == getattr(g, name)[i], (i, t, name)
            for name, v in s.plans.__dict__.items():
                assert v[0] == getattr(g.plans, name)[i], (i, t, name)
            for name in ("level", "final", "term"):
                assert getattr(s.solved, name)[0] == getattr(g.solved, name)[i], (i, t, name)
        d = decide(one, alone, ai.now, policy, channel)
        for name in ("recommended", "nearest", "shortfall"):
            assert getattr(d, name)[0] == getattr(chosen, name)[i], (i, name)
