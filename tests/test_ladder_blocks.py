"""The compiled ladder works many accounts in blocks of scratch rows (``ladder.BLOCK``): each account still gets
what it gets alone, whichever block (or last, partial block) it falls in."""

from __future__ import annotations

import numpy as np
import pytest
from test_solver_paths import _OUTPUTS, _portfolio

from negotiator import kernels
from negotiator.engine import compiled, ladder
from negotiator.engine.affordability import assess
from negotiator.engine.options import build
from negotiator.policy import PolicyRegistry


def test_unowned_is_the_row_itself_in_plain_python():
    row = [1, 2, 3]
    assert kernels.unowned(row) is row


@pytest.mark.parametrize("n", [ladder.BLOCK - 1, 2 * ladder.BLOCK + 3])
def test_compiled_blocks_give_each_account_what_it_gets_alone(n, monkeypatch):
    monkeypatch.setattr(compiled, "MODE", "compiled")
    policy = PolicyRegistry.load().get("default")
    acc = _portfolio(n, 11 + n, "CNY", 12)
    a = assess(acc, policy, "agent")
    together = build(acc, a, policy, "agent")
    for i in (0, n // 2, n - 1):
        alone = build(acc.take(np.array([i])), a.take(np.array([i])), policy, "agent")
        for t, s in alone.items():
            g = together[t]
            assert s.decline[0] == g.decline[i], (i, t)
            for name in _OUTPUTS:
                x, y = getattr(s, name)[0], getattr(g, name)[i]
                assert x == y or (x != x and y != y), (i, t, name)

