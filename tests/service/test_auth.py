"""Keys and channels: 401 without a known key, constant-time comparison, keys never logged."""

from __future__ import annotations

import hmac

import pytest

from negotiator.service.auth import KeyRing

from .conftest import AGENT_KEY, PORTAL_KEY, headers, quote_body


@pytest.mark.parametrize("path,method", [("/v1/quotes", "post"), ("/v1/proposals", "post"),
                                         ("/v1/policies", "get"), ("/v1/policies/default", "get")])
@pytest.mark.parametrize("hdrs", [{}, {"X-API-Key": "wrong-key-0123456789"}, {"X-API-Key": ""},
                                  {"Authorization": "Bearer "}, {"Authorization": f"Basic {AGENT_KEY}"},
                                  {"X-API-Key": AGENT_KEY[:-1]}, {"X-API-Key": AGENT_KEY + "x"},
                                  {"X-API-Key": "dev-agent-key"}])
def test_missing_or_unknown_key_is_401(client, path, method, hdrs):
    r = getattr(client, method)(path, json=quote_body(), headers=hdrs)
    assert r.status_code == 401
    assert r.mimetype == "application/problem+json"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/openapi.json", "/openapi.yaml"])
def test_operations_endpoints_need_no_key(client, path):
    assert client.get(path).status_code == 200


def test_every_key_is_compared_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr("negotiator.service.auth.hmac.compare_digest", spy)
    ring = KeyRing({AGENT_KEY: "agent", PORTAL_KEY: "portal", "x" * 40: "batch"})
    assert ring.channel(AGENT_KEY)[0] == "agent"       # the first key matches ...
    assert len(calls) == 3                              # ... and every key is still compared
    assert all(a == b == 32 for a, b in calls)          # digests of equal length
    calls.clear()
    assert ring.channel("nope") == (None, None)
    assert len(calls) == 3


def test_keys_never_appear_in_logs_or_responses(client, logs):
    for key in (AGENT_KEY, PORTAL_KEY, "unknown-key-0123456789"):
        r = client.post("/v1/quotes", json=quote_body(), headers=headers(key))
        assert key not in r.get_data(as_text=True)
        assert key not in str(r.headers)
        client.get("/v1/policies", headers={"Authorization": f"Bearer {key}"})
    assert logs.records("negotiator.access"), "requests were logged"
    for key in (AGENT_KEY, PORTAL_KEY, "unknown-key-0123456789"):
        assert key not in logs.text


def test_cors_preflight_needs_no_key_and_names_allowed_origin(client):
    r = client.options("/v1/quotes", headers={"Origin": "https://portal.example.com",
                                              "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "X-API-Key, Content-Type"})
    assert r.status_code == 204   # no body, so no media type (issue 9.6)
    assert r.headers["Access-Control-Allow-Origin"] == "https://portal.example.com"
    assert "x-api-key" in r.headers["Access-Control-Allow-Headers"].lower()


def test_cors_answers_allowed_origin_only(client):
    ok = client.post("/v1/quotes", json=quote_body(), headers=headers(PORTAL_KEY, Origin="https://portal.example.com"))
    assert ok.headers["Access-Control-Allow-Origin"] == "https://portal.example.com"
    assert "X-Request-ID" in ok.headers["Access-Control-Expose-Headers"]
    other = client.post("/v1/quotes", json=quote_body(), headers=headers(PORTAL_KEY, Origin="https://evil.example"))
    assert "Access-Control-Allow-Origin" not in other.headers


def test_no_cors_headers_without_configured_origins():
    from negotiator.service import create_app

    from .conftest import make_config
    c = create_app(make_config(cors_origins="")).test_client()
    r = c.post("/v1/quotes", json=quote_body(), headers=headers(Origin="https://portal.example.com"))
    assert "Access-Control-Allow-Origin" not in r.headers
