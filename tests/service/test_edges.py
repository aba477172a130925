"""The HTTP edges (issue 23, item 8): 406 for an Accept the service cannot answer, gzip when asked, CORS that
varies on Origin and exposes the API's headers, HSTS when configured, and 201 + Location for kept quotes."""

from __future__ import annotations

import gzip

import pytest

from negotiator.service import ConfigError, create_app

from .conftest import AGENT_KEY, PORTAL_KEY, headers, make_config, proposal_body, quote_body

ORIGIN = "https://portal.example.com"


@pytest.mark.parametrize("accept", ["application/xml", "text/html", "application/json;q=0, text/csv",
                                    "image/*"])
def test_an_accept_allowing_no_json_is_406(client, accept):
    r = client.get("/v1/policies", headers=headers(Accept=accept))
    assert r.status_code == 406 and r.mimetype == "application/problem+json"
    assert r.get_json()["type"].endswith(":not_acceptable")


@pytest.mark.parametrize("accept", [None, "*/*", "application/*", "application/json",
                                    "application/problem+json", "text/html, application/json;q=0.1"])
def test_an_accept_allowing_json_or_problems_is_answered(client, accept):
    extra = {} if accept is None else {"Accept": accept}
    assert client.get("/v1/policies", headers=headers(**extra)).status_code == 200


def test_406_is_only_for_the_api(client):
    assert client.get("/healthz", headers={"Accept": "application/xml"}).status_code == 200


def test_kept_quotes_and_what_ifs_are_201_with_their_location(client):
    for path, body in (("/v1/quotes", quote_body()), ("/v1/proposals", proposal_body())):
        r = client.post(path, json=body, headers=headers())
        assert r.status_code == 201 and r.headers["Location"] == f"/v1/quotes/{r.get_json()['quote_id']}"
        back = client.get(r.headers["Location"], headers=headers())
        assert back.status_code == 200 and back.get_json()["quote_id"] == r.get_json()["quote_id"]


def test_with_the_store_off_a_quote_is_200_without_location():
    c = create_app(make_config(store=False)).test_client()
    r = c.post("/v1/quotes", json=quote_body(), headers=headers())
    assert r.status_code == 200 and "Location" not in r.headers


def test_gzip_when_asked_and_only_then(client):
    plain = client.post("/v1/quotes", json=quote_body(), headers=headers())
    zipped = client.post("/v1/quotes", json=quote_body(), headers=headers(**{"Accept-Encoding": "gzip, br"}))
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert int(zipped.headers["Content-Length"]) < len(plain.get_data()) / 3
    refused = client.post("/v1/quotes", json=quote_body(), headers=headers(**{"Accept-Encoding": "gzip;q=0"}))
    assert "Content-Encoding" not in refused.headers


def test_short_answers_and_pages_are_not_compressed(client):
    r = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in r.headers                       # 15 bytes would only grow
    spec = client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert spec.headers["Content-Encoding"] == "gzip"


def test_cors_varies_on_origin_and_exposes_the_apis_headers(client):
    for origin in (ORIGIN, "https://elsewhere.example.com", None):
        extra = {"Origin": origin} if origin else {}
        r = client.get("/v1/policies", headers=headers(PORTAL_KEY, **extra))
        assert "Origin" in r.headers["Vary"], origin
    r = client.get("/v1/policies", headers=headers(PORTAL_KEY, Origin=ORIGIN))
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    exposed = {h.strip().lower() for h in r.headers["Access-Control-Expose-Headers"].split(",")}
    assert exposed >= {"location", "idempotent-replayed", "etag", "link", "ratelimit", "ratelimit-policy",
                       "retry-after", "x-request-id", "traceparent"}
    pre = client.options("/v1/quotes", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "traceparent, idempotency-key"})
    assert pre.status_code == 204
    assert "traceparent" in pre.headers["Access-Control-Allow-Headers"].lower()


def test_hsts_is_off_by_default_and_sent_when_set(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    c = create_app(make_config(hsts_seconds=31536000)).test_client()
    for path in ("/healthz", "/v1/policies"):
        assert c.get(path, headers=headers(AGENT_KEY)).headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("bad", [-1, 63072001])
def test_a_bad_hsts_setting_stops_the_start_naming_it(bad):
    with pytest.raises(ConfigError, match="NEGOTIATOR_HSTS_SECONDS"):
        create_app(make_config(hsts_seconds=bad))
