"""The golden answers: every example request and a seeded grid answer as they did when they were kept.

``scripts/golden.py write`` keeps them (only where a change of answer is meant and stated);
``scripts/golden.py check`` lists what differs.
"""

from __future__ import annotations

import importlib.util

import pytest
from conftest import ROOT


def _golden():
    spec = importlib.util.spec_from_file_location("golden", ROOT / "scripts" / "golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GOLDEN = _golden()
PARTS = 16


def test_the_golden_requests_are_all_kept():
    assert len(GOLDEN.requests()) > 1500
    kept = GOLDEN.kept_names()
    assert kept == {(n, c) for n, c, _ in GOLDEN.requests()}


@pytest.mark.parametrize("part", range(PARTS))
def test_every_golden_answer_is_unchanged(part):
    """In parts, so that a changed rule fails at the first part that shows it (mutation testing runs this)."""
    assert GOLDEN.differences(part, PARTS) == []
