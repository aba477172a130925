"""Health, readiness, metrics, the served OpenAPI document, rate limits and JSON access logs."""

from __future__ import annotations

import re

import yaml

from negotiator.service import create_app
from negotiator.service.metrics import BUCKETS, Metrics

from .conftest import AGENT_KEY, PORTAL_KEY, PORTAL_KEY_2, ROOT, headers, make_config, quote_body


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_readyz_counts_policies(client):
    assert client.get("/readyz").get_json() == {"status": "ready", "policies": 5, "rate_limit_store": "ok"}


def test_readyz_503_without_policies(app):
    app.extensions["negotiator"]["registry"]._by_name.clear()
    r = app.test_client().get("/readyz")
    assert r.status_code == 503 and r.get_json() == {"status": "not_ready", "policies": 0, "rate_limit_store": "ok"}


def test_readyz_without_a_rate_limit_has_no_store_to_check():
    r = create_app(make_config(portal_rate_limit="off")).test_client().get("/readyz")
    assert r.status_code == 200 and r.get_json()["rate_limit_store"] == "off"


def test_readyz_503_when_the_rate_limit_file_is_gone(tmp_path):
    app = create_app(make_config(rate_limit_storage=f"sqlite:///{tmp_path}/rl.sqlite3"))
    assert app.test_client().get("/readyz").status_code == 200
    store = app.extensions["negotiator"]["limiter"].store
    store.local.db.close()
    store.local.db = None
    (tmp_path / "rl.sqlite3").unlink()     # deleted under the running service: the budget is lost
    r = app.test_client().get("/readyz")
    assert r.status_code == 503 and r.get_json()["rate_limit_store"] == "unavailable"


def _series(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def test_metrics_count_and_time_each_route_and_status(client):
    client.post("/v1/quotes", json=quote_body(), headers=headers())
    client.post("/v1/quotes", json=quote_body(), headers=headers())
    client.post("/v1/quotes", data="{", headers=headers(**{"Content-Type": "application/json"}))
    client.get("/nowhere")
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    s = _series(r.get_data(as_text=True))
    ok = 'route="/v1/quotes",method="POST",status="201"'
    assert s[f"negotiator_http_requests_total{{{ok}}}"] == 2
    assert s['negotiator_http_requests_total{route="/v1/quotes",method="POST",status="400"}'] == 1
    assert s['negotiator_http_requests_total{route="(unmatched)",method="GET",status="404"}'] == 1
    assert s[f'negotiator_http_request_duration_seconds_bucket{{{ok},le="+Inf"}}'] == 2
    assert s[f"negotiator_http_request_duration_seconds_count{{{ok}}}"] == 2
    assert 0 < s[f"negotiator_http_request_duration_seconds_sum{{{ok}}}"] < 10
    cumulative = [s[f'negotiator_http_request_duration_seconds_bucket{{{ok},le="{b}"}}'] for b in BUCKETS]
    assert cumulative == sorted(cumulative) and cumulative[-1] <= 2
    assert s["negotiator_policies_loaded"] == 5


def test_metrics_add_up_the_files_of_other_workers(tmp_path):
    import shutil

    from negotiator.service.metrics import read_file
    other = Metrics(str(tmp_path))
    for _ in range(5):
        other.observe("/healthz", "GET", 200, 0.0005)
    # Another worker's file, as a process that has since gone would have left it.
    own = next(tmp_path.glob("metrics-*.bin"))
    shutil.copy(own, tmp_path / "metrics-999999.bin")
    own.unlink()
    (tmp_path / "metrics-999998.bin").write_bytes(b"torn")        # an unreadable file is skipped
    m = Metrics(str(tmp_path))
    m.observe("/healthz", "GET", 200, 0.0005)
    s = _series(m.render())
    assert s['negotiator_http_requests_total{route="/healthz",method="GET",status="200"}'] == 6
    assert read_file(next(p for p in tmp_path.glob("metrics-*.bin") if p.name != "metrics-999999.bin"
                          and p.name != "metrics-999998.bin"))[0][:2] == (("/healthz", "GET", "200"), 1)


def test_openapi_served_equals_the_committed_document(client):
    committed = yaml.safe_load((ROOT / "api_spec" / "openapi.yaml").read_text(encoding="utf-8"))
    assert client.get("/openapi.json").get_json() == committed
    assert yaml.safe_load(client.get("/openapi.yaml").get_data(as_text=True)) == committed


def test_portal_keys_are_rate_limited_per_key(logs):
    app = create_app(make_config(portal_rate_limit="3/minute"))
    c = app.test_client()
    codes = [c.get("/v1/policies", headers=headers(PORTAL_KEY)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = c.post("/v1/quotes", json=quote_body(), headers=headers(PORTAL_KEY))
    assert r.status_code == 429
    assert r.mimetype == "application/problem+json"
    assert int(r.headers["Retry-After"]) > 0
    assert r.get_json()["type"].endswith(":rate_limited")
    # another portal key has its own budget; agents are not limited
    assert c.get("/v1/policies", headers=headers(PORTAL_KEY_2)).status_code == 200
    assert all(c.get("/v1/policies", headers=headers(AGENT_KEY)).status_code == 200 for _ in range(6))


def test_rate_limit_can_be_switched_off():
    c = create_app(make_config(portal_rate_limit="off")).test_client()
    assert all(c.get("/v1/policies", headers=headers(PORTAL_KEY)).status_code == 200 for _ in range(20))


def test_access_log_line(client, logs):
    body = quote_body()
    del body["as_of"]                     # a portal quote is as of the server's day
    r = client.post("/v1/quotes", json=body, headers=headers(PORTAL_KEY, **{"X-Request-ID": "req-42"}))
    assert r.status_code == 201
    (line,) = [x for x in logs.records("negotiator.access") if x.get("request_id") == "req-42"]
    assert line["route"] == "/v1/quotes" and line["method"] == "POST" and line["status"] == 201
    assert line["channel"] == "portal" and line["policy"] == "default"
    assert line["principal"].startswith("portal:") and PORTAL_KEY not in logs.text   # who, never the key
    assert line["latency_ms"] > 0
    # nothing personal: no amounts, income, expenses or free text from the body
    raw = logs.text
    for value in ("12000", "1500.00", "8000", "5200", "reduced working hours", "600.00"):
        assert value not in raw
    assert not re.search(r"\d+\.\d\d\b", raw.replace(str(line["latency_ms"]), ""))


def test_access_log_omits_unsafe_policy_names(client, logs):
    client.post("/v1/quotes", json={**quote_body(), "policy": "Robert'); DROP"}, headers=headers())
    (line,) = logs.records("negotiator.access")
    assert "policy" not in line
