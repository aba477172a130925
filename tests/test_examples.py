"""The README's table of plans by name, checked against the engine: each example produces its plan."""

from __future__ import annotations

import json
import re

import pytest
from conftest import EXAMPLES, ROOT

from negotiator.engine.proposals import propose
from negotiator.engine.quote import quote
from negotiator.policy import PolicyRegistry


def _rows():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("### Plans by name", 1)[1]
    return re.findall(r"^\| [^|]+ \| (`?[a-z_ -]+`?) \| `([a-z-]+)` \| `([a-z_]+\.json)` \|$", table, re.MULTILINE)


ROWS = _rows()


def test_the_table_lists_every_named_plan():
    assert len(ROWS) == 14
    kinds = {k.strip("`") for k, _, _ in ROWS}
    assert {"interest_free_instalment", "step_up", "hardship_programme", "settlement", "token_payment",
            "payment_holiday", "term_extension", "payment_arrangement"} <= kinds


@pytest.mark.parametrize("kind,policy,name", ROWS, ids=[r[2] for r in ROWS])
def test_each_example_produces_its_plan(kind, policy, name):
    body = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    assert body["policy"] == policy
    registry = PolicyRegistry.load()
    if "proposal" in body:
        out = propose(body, registry)
        assert not out["acceptable"] and out["counter_offer"] is not None
        assert "proposal_below_capacity" in [r["code"] for r in out["reasons"]]
        return
    q = quote(body, registry)
    assert q["recommended_option_id"] == kind.strip("`"), [(o["type"], o["affordable"]) for o in q["options"]]
    rec = next(o for o in q["options"] if o["type"] == q["recommended_option_id"])
    if "held_until_review" in [f["code"] for f in q["affordability"]["flags"]]:
        # A break held until its review: within policy, its held payments fit; the plan after is reviewed.
        assert rec["within_policy"] and "recommended_until_review" in [r["code"] for r in rec["reasons"]]
        assert rec["schedule"][0]["payment"] == "0.00"
        return
    assert rec["affordable"] and rec["within_policy"]
