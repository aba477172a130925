"""GET /v1/policies and GET /v1/policies/{name}: the whole policy for agents, the public part for portals."""

from __future__ import annotations

from importlib import resources

import pytest

from negotiator.policy import PolicyRegistry
from negotiator.service.policies import PUBLIC_KEYS

from .conftest import AGENT_KEY, BATCH_KEY, PORTAL_KEY, headers


@pytest.mark.parametrize("key", [AGENT_KEY, PORTAL_KEY, BATCH_KEY])
def test_list(client, key):
    r = client.get("/v1/policies", headers=headers(key))
    assert r.status_code == 200
    got = r.get_json()["policies"]
    expected = [(p.name, p.version) for p in PolicyRegistry.load()]
    assert [(p["name"], p["version"]) for p in got] == expected
    assert all(set(p) == {"name", "version", "description"} for p in got)


@pytest.mark.parametrize("name", PolicyRegistry.load().names())
def test_agent_sees_the_whole_policy(client, name):
    r = client.get(f"/v1/policies/{name}", headers=headers(AGENT_KEY))
    assert r.status_code == 200
    d = r.get_json()
    assert d == PolicyRegistry.load().get(name).public_dict()
    assert {"max_apr", "approval", "options", "portal"} <= set(d)


@pytest.mark.parametrize("name", PolicyRegistry.load().names())
def test_portal_sees_no_limits(client, name):
    r = client.get(f"/v1/policies/{name}", headers=headers(PORTAL_KEY))
    assert r.status_code == 200
    d = r.get_json()
    assert tuple(d) == PUBLIC_KEYS
    for hidden in ("max_apr", "discount_rate", "approval", "options", "apr_floor", "max_discount", "min_payment",
                   "max_concession", "surplus_share"):
        assert hidden not in r.get_data(as_text=True)


@pytest.mark.parametrize("name", ["nope", "Default", "a_b", "x" * 65, "..", "%00", "default%20"])
def test_unknown_policy_is_404(client, name):
    """A policy named in the path that is not there: 404 unknown_policy, the path's name at fault (no pointer)."""
    r = client.get(f"/v1/policies/{name}", headers=headers())
    assert r.status_code == 404
    assert r.mimetype == "application/problem+json"
    assert (r.get_json()["code"], r.get_json()["errors"]) == (
        "unknown_policy", [{"field": "name", "message": "Unknown policy."}])


def test_extra_policy_folder(tmp_path):
    from negotiator.service import create_app

    from .conftest import make_config
    text = resources.files("negotiator.policies").joinpath("default.yaml").read_text(encoding="utf-8")
    (tmp_path / "acme.yaml").write_text(text.replace("name: default", "name: acme", 1), encoding="utf-8")
    c = create_app(make_config(policy_dir=str(tmp_path))).test_client()
    names = [p["name"] for p in c.get("/v1/policies", headers=headers()).get_json()["policies"]]
    assert "acme" in names
