"""The kinds' registry: one module per option type, and every list the engine keeps derived from it."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from negotiator.engine import compiled, ladder
from negotiator.engine.explain import MESSAGES
from negotiator.kinds import (
    BESIDE,
    KINDS,
    LADDER,
    MODULES,
    OPTION_SCHEMAS,
    ORDER,
    REAGING,
    decline_codes,
    dispatch_source,
)
from negotiator.kinds.kernel import BEYOND, NP, NX
from negotiator.policy import OPTION_TYPES, PolicyRegistry
from negotiator.store.records import REAGING_TYPES
from negotiator.web.text import OPTION_NAMES

#: The option types of the contract (api_spec/openapi.yaml's Option.type), written out here.
CONTRACT_TYPES = {"catch_up", "term_extension", "instalment", "interest_reduction", "fee_waiver",
                  "interest_free_instalment", "settlement", "payment_holiday", "step_up", "hardship_programme",
                  "token_payment", "payment_arrangement"}


def test_one_module_per_option_type_of_the_contract():
    folder = Path(MODULES[0].__file__).parent
    assert set(KINDS) == CONTRACT_TYPES
    assert {m.__name__.rsplit(".", 1)[1] for m in MODULES} == CONTRACT_TYPES
    for name in CONTRACT_TYPES:
        assert (folder / f"{name}.py").is_file()


def test_the_generated_dispatch_is_current():
    """``python -m negotiator.kinds`` writes it; a kind added or changed without it fails here."""
    path = Path(MODULES[0].__file__).with_name("dispatch.py")
    assert path.read_text(encoding="utf-8") == dispatch_source()


def test_the_ladder_and_the_kinds_beside_it_cover_every_kind_once():
    assert LADDER == ("catch_up", "term_extension", "instalment", "payment_arrangement", "interest_reduction",
                      "fee_waiver", "interest_free_instalment", "settlement")
    assert sorted(LADDER + BESIDE) == sorted(ORDER)


def test_the_policy_lists_the_registry_kinds_with_their_schemas():
    assert OPTION_TYPES == ORDER
    policy = PolicyRegistry.load().get("default")
    assert set(policy.options.rules) == set(ORDER)
    assert OPTION_SCHEMAS["settlement"] is KINDS["settlement"].schema


def test_the_store_counts_every_kind_that_reages():
    """FFIEC's limits count re-ages whatever the plan is called: a booked step-up or interest-free plan too."""
    assert REAGING_TYPES == REAGING == tuple(k for k in ORDER if KINDS[k].reages)
    assert {"instalment", "interest_reduction", "fee_waiver", "step_up", "interest_free_instalment",
            "payment_holiday", "hardship_programme"} == set(REAGING)


@pytest.mark.parametrize("name", sorted(CONTRACT_TYPES))
def test_every_kind_has_its_words_in_every_locale(name):
    kind = KINDS[name]
    for lang in ("en", "zh-CN"):
        assert OPTION_NAMES[lang][name] == kind.names[lang]
        assert kind.names[lang] != name, (name, lang)        # the catalogs name it
    for code in (*(c for c in decline_codes(kind) if c), *kind.messages):
        assert code in MESSAGES, code
        assert set(MESSAGES[code]) >= {"en", "zh-CN"}, code


def _tier_inputs():
    P = [0] * NP
    P[ladder.P_SHARE0], P[ladder.P_SHARE1], P[ladder.P_SHARE2] = 1_000_000, 1_000_000, 1_000_000
    X = [0] * NX
    X[ladder.X_TIER0] = X[ladder.X_TIER1] = X[ladder.X_TIER2] = 10**12
    return P, X


@pytest.mark.parametrize("way", ["python", "compiled"])
@pytest.mark.parametrize("lost", [math.nan, math.inf, -math.inf, 1e300, -1e300, 2e15])
def test_a_value_that_is_not_a_number_needs_more_than_any_authority(way, lost):
    """NaN or an overflowing forgone interest must never read as "no approval" (numba's int cast of NaN is the
    smallest integer, which every tier test passes)."""
    P, X = _tier_inputs()
    if way == "compiled" and os.environ.get("NEGOTIATOR_KERNELS") == "python":
        pytest.skip("kernels forced to plain Python (the mutation run: its code is not numba's)")
    if way == "python":
        fn = ladder.valued
    else:
        import numpy as np
        fn = compiled.load(required=True).valued
        P, X = np.array(P, dtype=np.int64), np.array(X, dtype=np.int64)
    value, tier = fn(lost, 0, 0, 1_000_000, P, X, 0)
    assert tier == BEYOND
    ok_value, ok_tier = fn(1000.4, 0, 0, 1_000_000, P, X, 0)
    assert (ok_value, ok_tier) == (1000, 0)
