"""Hostile input: every failure is application/problem+json, never HTML, a traceback or a 5xx."""

from __future__ import annotations

import json

import pytest

from negotiator.service import create_app

from .conftest import AGENT_KEY, headers, make_config, quote_body

JSON = {"Content-Type": "application/json"}


def assert_problem(r, status: int) -> dict:
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.mimetype == "application/problem+json"
    p = r.get_json()
    assert p["status"] == status
    assert p["type"].startswith("urn:negotiator:problem:")
    assert p["title"] and p["detail"]
    assert p["request_id"] == r.headers["X-Request-ID"]
    text = r.get_data(as_text=True)
    assert "<html" not in text.lower() and "Traceback" not in text
    return p


@pytest.mark.parametrize("raw,needle", [
    (b"{", "Not valid JSON"),
    (b'{"a": NaN}', "NaN"),
    (b'{"a": Infinity}', "Infinity"),
    (b'{"a": -Infinity}', "Infinity"),
    (b'{"a": 1e999}', "too large"),
    (b'{"a": -1e400}', "too large"),
    (b'{"a": ' + b"9" * 5000 + b"}", "Not valid JSON"),
    (b'{"a": 1, "a": 2}', "duplicate key"),
    (b"[" * 20 + b"]" * 20, "nested deeper"),
    (b'{"a":' * 30 + b"1" + b"}" * 30, "nested deeper"),
    (b"[" * 30000, "nested deeper"),
    (b"\xff\xfe{}", "UTF-8"),
    (b"", "empty"),
    (b"   ", "empty"),
])
def test_malformed_bodies_are_400(client, raw, needle):
    r = client.post("/v1/quotes", data=raw, headers=headers(**JSON))
    p = assert_problem(r, 400)
    assert needle in p["detail"]
    assert p["errors"][0]["field"] == "(body)"


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                   "application/json; charset=latin-1", None])
def test_wrong_content_type_is_415(client, ctype):
    h = headers()
    if ctype:
        h["Content-Type"] = ctype
    r = client.post("/v1/quotes", data=json.dumps(quote_body()), headers=h)
    assert_problem(r, 415)


def test_json_with_charset_and_plus_json_are_accepted(client):
    for ctype in ("application/json; charset=utf-8", "application/problem+json"):
        r = client.post("/v1/quotes", data=json.dumps(quote_body()), headers=headers(**{"Content-Type": ctype}))
        assert r.status_code == 201, ctype


def test_body_over_the_limit_is_413(client):
    body = quote_body()
    body["finances"]["hardship"]["reason"] = "x" * 70_000
    r = client.post("/v1/quotes", data=json.dumps(body), headers=headers(**JSON))
    assert_problem(r, 413)


def test_huge_string_values_are_refused_by_field(client):
    body = quote_body()
    body["account"]["balance"] = "1" * 1000
    p = assert_problem(client.post("/v1/quotes", json=body, headers=headers()), 422)
    assert p["errors"][0]["field"] == "account.balance"


def test_wrong_method_is_405_with_allow(client):
    r = client.get("/v1/quotes", headers=headers())
    assert_problem(r, 405)
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"POST"}
    assert_problem(client.delete("/v1/policies", headers=headers()), 405)
    assert_problem(client.post("/healthz"), 405)


@pytest.mark.parametrize("path", ["/", "/v1", "/v2/quotes", "/v1/quotes/x", "/static/x", "/v1/policies/a/b"])
def test_unknown_route_is_404(client, path):
    assert_problem(client.get(path, headers=headers()), 404)


def test_unexpected_exception_is_a_logged_problem_500(monkeypatch, logs):
    app = create_app(make_config())

    def boom(*a, **k):
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr("negotiator.service.quotes.quote", boom)
    r = app.test_client().post("/v1/quotes", json=quote_body(), headers=headers())
    p = assert_problem(r, 500)
    assert "secret internals" not in r.get_data(as_text=True)
    errors = logs.records("negotiator.service")
    assert errors and "ZeroDivisionError" in errors[-1]["traceback"]
    assert errors[-1]["request_id"] == p["request_id"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_numbers_never_reach_a_response(monkeypatch, bad):
    app = create_app(make_config())
    monkeypatch.setattr("negotiator.service.quotes.quote", lambda *a, **k: {"options": [{"x": bad}]})
    r = app.test_client().post("/v1/quotes", json=quote_body(), headers=headers())
    assert_problem(r, 500)
    assert b"NaN" not in r.data and b"Infinity" not in r.data


@pytest.mark.parametrize("rid", ["bad id with spaces", "x" * 300, "<script>", "a\tb", "ünï"])
def test_unsafe_request_ids_are_replaced(client, rid):
    r = client.get("/healthz", headers={"X-Request-ID": rid})
    assert r.status_code == 200
    assert r.headers["X-Request-ID"] != rid
    assert len(r.headers["X-Request-ID"]) == 32


def test_request_id_is_echoed(client):
    r = client.post("/v1/quotes", json=quote_body(), headers=headers(**{"X-Request-ID": "abc-123.x"}))
    assert r.headers["X-Request-ID"] == "abc-123.x"
    r = client.post("/v1/quotes", data="{", headers=headers(**JSON, **{"X-Request-ID": "abc-124"}))
    assert r.get_json()["request_id"] == "abc-124"


def test_authentication_comes_before_body_parsing(client):
    r = client.post("/v1/quotes", data="{", headers=JSON)
    assert_problem(r, 401)


def test_problem_has_no_key(client):
    r = client.post("/v1/quotes", data="{", headers=headers(**JSON))
    assert AGENT_KEY not in r.get_data(as_text=True)


def test_a_zh_cn_request_is_refused_in_chinese(client):
    """Issue 18: the errors, and the problem's detail, in the request's locale; the fields by their paths."""
    body = quote_body()
    body["locale"] = "zh-CN"
    body["account"]["balance"] = "12000.001"
    r = client.post("/v1/quotes", json=body, headers=headers())
    p = assert_problem(r, 422)
    assert r.headers["Content-Language"] == "zh-CN"
    assert p["errors"] == [{"field": "account.balance", "pointer": "/account/balance",
                            "message": "小数位数超过 2 位。"}]
    assert p["detail"] == "请求中有无效字段，详见 errors。"
    body["locale"] = "en"
    p = assert_problem(client.post("/v1/quotes", json=body, headers=headers()), 422)
    assert p["errors"] == [{"field": "account.balance", "pointer": "/account/balance",
                            "message": "Has more than 2 decimal places."}]


def test_an_unknown_field_of_a_zh_cn_request_is_still_a_400(client):
    body = quote_body()
    body["locale"] = "zh-CN"
    body["account"]["surprise"] = 1
    p = assert_problem(client.post("/v1/quotes", json=body, headers=headers()), 400)
    assert p["title"] == "Unknown fields"
    assert p["errors"] == [{"field": "account.surprise", "pointer": "/account/surprise", "message": "未知字段。"}]
    assert p["detail"] == "接口约定中没有以下字段：account.surprise。"
