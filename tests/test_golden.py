"""The golden answers: every example request and a seeded grid answer as they did when they were kept.

``scripts/golden.py write`` keeps them (only where a change of answer is meant and stated);
``scripts/golden.py check`` lists what differs.
"""

from __future__ import annotations

import importlib.util

from conftest import ROOT


def _golden():
    spec = importlib.util.spec_from_file_location("golden", ROOT / "scripts" / "golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_golden_answer_is_unchanged():
    golden = _golden()
    assert len(golden.requests()) > 1500
    assert golden.differences() == []
