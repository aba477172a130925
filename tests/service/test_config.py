"""Configuration from the environment: defaults, overrides, and start-up errors that name the variable."""

from __future__ import annotations

import pytest

from negotiator.service import Config, ConfigError, create_app
from negotiator.service.config import DEV_KEYS

from .conftest import AGENT_KEY, KEYS, PORTAL_KEY


def test_defaults_with_keys():
    cfg = Config.from_env({"NEGOTIATOR_API_KEYS": KEYS})
    assert cfg.max_body_bytes == 65536 and cfg.max_json_depth == 16
    assert cfg.keys[AGENT_KEY] == "agent" and cfg.keys[PORTAL_KEY] == "portal"
    assert cfg.rate_limit_enabled and cfg.origins == []


def test_environment_overrides():
    cfg = Config.from_env({"NEGOTIATOR_API_KEYS": KEYS, "NEGOTIATOR_MAX_BODY_BYTES": "2048",
                           "NEGOTIATOR_PORTAL_RATE_LIMIT": "off", "NEGOTIATOR_LOG_LEVEL": "warning",
                           "NEGOTIATOR_CORS_ORIGINS": "https://a.example, http://localhost:3000"})
    assert cfg.max_body_bytes == 2048 and not cfg.rate_limit_enabled
    assert cfg.origins == ["https://a.example", "http://localhost:3000"]


def test_keys_file(tmp_path):
    f = tmp_path / "keys"
    f.write_text(f"# channel key\nagent {AGENT_KEY}\n\nportal   {PORTAL_KEY}\n")
    cfg = Config.from_env({"NEGOTIATOR_API_KEYS_FILE": str(f)})
    assert cfg.keys == {AGENT_KEY: "agent", PORTAL_KEY: "portal"}


def test_development_mode_uses_the_development_keys():
    cfg = Config.from_env({"NEGOTIATOR_DEV": "1"})
    assert cfg.keys == DEV_KEYS


@pytest.mark.parametrize("env,variable", [
    ({}, "NEGOTIATOR_API_KEYS"),
    ({"NEGOTIATOR_API_KEYS": "agent"}, "NEGOTIATOR_API_KEYS"),
    ({"NEGOTIATOR_API_KEYS": "root:0123456789abcdefgh"}, "NEGOTIATOR_API_KEYS"),
    ({"NEGOTIATOR_API_KEYS": "agent:short"}, "NEGOTIATOR_API_KEYS"),
    ({"NEGOTIATOR_API_KEYS": f"agent:{AGENT_KEY},portal:{AGENT_KEY}"}, "NEGOTIATOR_API_KEYS"),
    ({"NEGOTIATOR_API_KEYS": "agent:dev-agent-key"}, "NEGOTIATOR_API_KEYS"),
    ({"NEGOTIATOR_API_KEYS_FILE": "/nonexistent/keys"}, "NEGOTIATOR_API_KEYS_FILE"),
    ({"NEGOTIATOR_API_KEYS": KEYS, "NEGOTIATOR_DEV": "1"}, "NEGOTIATOR_DEV"),
    ({"NEGOTIATOR_DEV": "maybe"}, "NEGOTIATOR_DEV"),
    ({"NEGOTIATOR_API_KEYS": KEYS, "NEGOTIATOR_MAX_BODY_BYTES": "lots"}, "NEGOTIATOR_MAX_BODY_BYTES"),
    ({"NEGOTIATOR_API_KEYS": KEYS, "NEGOTIATOR_MAX_BODY_BYTES": "10"}, "NEGOTIATOR_MAX_BODY_BYTES"),
    ({"NEGOTIATOR_API_KEYS": KEYS, "NEGOTIATOR_MAX_JSON_DEPTH": "1000"}, "NEGOTIATOR_MAX_JSON_DEPTH"),
    ({"NEGOTIATOR_API_KEYS": KEYS, "NEGOTIATOR_PORTAL_RATE_LIMIT": "fast"}, "NEGOTIATOR_PORTAL_RATE_LIMIT"),
    ({"NEGOTIATOR_API_KEYS": KEYS, "NEGOTIATOR_RATE_LIMIT_STORAGE": "disk"}, "NEGOTIATOR_RATE_LIMIT_STORAGE"),
    ({"NEGOTIATOR_API_KEYS": KEYS, "NEGOTIATOR_LOG_LEVEL": "chatty"}, "NEGOTIATOR_LOG_LEVEL"),
    ({"NEGOTIATOR_API_KEYS": KEYS, "NEGOTIATOR_CORS_ORIGINS": "portal.example.com"}, "NEGOTIATOR_CORS_ORIGINS"),
    ({"NEGOTIATOR_API_KEYS": KEYS, "NEGOTIATOR_POLICY_DIR": "/nonexistent"}, "NEGOTIATOR_POLICY_DIR"),
])
def test_bad_values_fail_at_start_naming_the_variable(env, variable):
    with pytest.raises(ConfigError) as info:
        Config.from_env(env)
    assert info.value.variable == variable
    assert str(info.value).startswith(variable)
    for value in env.values():      # a key (or anything holding one) is never echoed
        if "0123456789" in value:
            assert value not in str(info.value)


def test_create_app_reads_the_environment(monkeypatch):
    monkeypatch.delenv("NEGOTIATOR_API_KEYS", raising=False)
    monkeypatch.delenv("NEGOTIATOR_DEV", raising=False)
    with pytest.raises(ConfigError, match="NEGOTIATOR_API_KEYS"):
        create_app()
    monkeypatch.setenv("NEGOTIATOR_API_KEYS", KEYS)
    app = create_app()
    assert app.extensions["negotiator"]["config"].keys[AGENT_KEY] == "agent"


def test_create_app_accepts_a_mapping():
    app = create_app({"dev": True})
    r = app.test_client().get("/v1/policies", headers={"X-API-Key": "dev-portal-key"})
    assert r.status_code == 200


def test_nothing_is_built_at_import():
    import importlib

    import negotiator.service as svc
    importlib.reload(svc)
    assert not any(isinstance(v, __import__("flask").Flask) for v in vars(svc).values())
