"""The OpenAPI document is the contract: generated, valid, committed, and what the service really does."""

from __future__ import annotations

import re

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec

from negotiator.service.openapi import build_spec, to_yaml

from .conftest import AGENT_KEY, BATCH_KEY, PORTAL_KEY, ROOT, headers, proposal_body, quote_body

SPEC_FILE = ROOT / "api_spec" / "openapi.yaml"
#: Blueprints of HTML pages (negotiator.web), not part of the JSON API the document describes.
PAGES = {"console", "portal", "assets"}


@pytest.fixture(scope="module")
def doc():
    return yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))


def test_committed_document_is_the_generated_one():
    assert SPEC_FILE.read_text(encoding="utf-8") == to_yaml(build_spec()), (
        "api_spec/openapi.yaml is stale: run .venv/bin/python -m negotiator.service.openapi > api_spec/openapi.yaml")


def test_document_is_valid_openapi_3_1(doc):
    assert doc["openapi"] == "3.1.0"
    validate_spec(doc)


def _served(app) -> set[tuple[str, str]]:
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.split(".")[0] in PAGES:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        out |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return out


def test_every_documented_route_is_served_and_vice_versa(app, doc):
    documented = {(p, m) for p, ops in doc["paths"].items() for m in ops if m in ("get", "post", "put", "delete")}
    assert documented == _served(app)


def schema_for(doc: dict, path: str, method: str, status: int, media: str) -> dict:
    responses = doc["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} answered {status}, which is not documented"
    content = responses[str(status)]["content"]
    assert media in content, f"{method.upper()} {path} {status} answered {media}, documented {list(content)}"
    return {**content[media]["schema"], "components": doc["components"]}


def check(doc: dict, path: str, method: str, response) -> None:
    """Validate a real response (status, media type, body, X-Request-ID) against the document."""
    schema = schema_for(doc, path, method, response.status_code, response.mimetype)
    assert "X-Request-ID" in response.headers
    if response.mimetype.endswith("json"):
        body = response.get_json()
    elif response.mimetype == "application/yaml":
        body = yaml.safe_load(response.get_data(as_text=True))
    else:
        body = response.get_data(as_text=True)
    errors = sorted(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(body), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


CASES = [
    ("/v1/quotes", "post", AGENT_KEY, quote_body()),
    ("/v1/quotes", "post", PORTAL_KEY, quote_body()),
    ("/v1/quotes", "post", BATCH_KEY, {**quote_body(), "schedules": "none", "locale": "zh-CN"}),
    ("/v1/quotes", "post", AGENT_KEY, {**quote_body(), "policy": "us-card"}),
    ("/v1/quotes", "post", AGENT_KEY, {**quote_body(), "policy": "uk-conc"}),
    ("/v1/quotes", "post", AGENT_KEY, {**quote_body(), "policy": "cn-card"}),
    ("/v1/quotes", "post", AGENT_KEY, {**quote_body(), "policy": "missing"}),
    ("/v1/quotes", "post", AGENT_KEY, {"account": {"balance": "x"}}),
    ("/v1/quotes", "post", AGENT_KEY, {**quote_body(), "surprise": 1}),
    ("/v1/quotes", "post", None, quote_body()),
    ("/v1/proposals", "post", AGENT_KEY, proposal_body()),
    ("/v1/proposals", "post", PORTAL_KEY, proposal_body()),
    ("/v1/proposals", "post", AGENT_KEY, proposal_body(term_months=36)),
    ("/v1/proposals", "post", AGENT_KEY, proposal_body(term_months=600)),
    ("/v1/proposals", "post", PORTAL_KEY, proposal_body(lump_sum="9000")),
    ("/v1/proposals", "post", AGENT_KEY, proposal_body(lump_sum="1")),
    ("/v1/proposals", "post", AGENT_KEY, proposal_body(monthly_payment="1")),
    ("/v1/proposals", "post", AGENT_KEY, proposal_body(monthly_payment="99999")),
    ("/v1/proposals", "post", AGENT_KEY, proposal_body(monthly_payment="1", term_months=3)),
    ("/v1/policies", "get", AGENT_KEY, None),
    ("/v1/policies", "get", None, None),
    ("/v1/policies/{name}", "get", AGENT_KEY, "default"),
    ("/v1/policies/{name}", "get", PORTAL_KEY, "cn-card"),
    ("/v1/policies/{name}", "get", AGENT_KEY, "nope"),
    ("/healthz", "get", None, None),
    ("/readyz", "get", None, None),
    ("/metrics", "get", None, None),
    ("/openapi.json", "get", None, None),
    ("/openapi.yaml", "get", None, None),
]


@pytest.mark.parametrize("path,method,key,arg", CASES)
def test_real_responses_match_the_document(client, doc, path, method, key, arg):
    h = headers(key) if key else {}
    if method == "post":
        r = client.post(path, json=arg, headers=h)
    else:
        r = client.get(path.replace("{name}", arg or ""), headers=h)
    check(doc, path, method, r)


@pytest.mark.parametrize("raw,ctype", [(b"{", "application/json"), (b"{}", "text/plain"),
                                       (b'{"a": NaN}', "application/json"), (b"x" * 70_000, "application/json")])
def test_error_responses_match_the_document(client, doc, raw, ctype):
    r = client.post("/v1/quotes", data=raw, headers=headers(**{"Content-Type": ctype}))
    check(doc, "/v1/quotes", "post", r)


def test_rate_limited_response_matches_the_document(doc):
    from negotiator.service import create_app

    from .conftest import make_config
    c = create_app(make_config(portal_rate_limit="1/minute")).test_client()
    c.get("/v1/policies", headers=headers(PORTAL_KEY))
    r = c.get("/v1/policies", headers=headers(PORTAL_KEY))
    assert r.status_code == 429
    check(doc, "/v1/policies", "get", r)


def _examples(doc):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                yield path, method, "request", body
            for status, resp in op["responses"].items():
                for _media, content in resp.get("content", {}).items():
                    if "example" in content:
                        yield path, method, status, content


def test_every_example_matches_its_schema(doc):
    seen = 0
    for path, method, where, content in _examples(doc):
        schema = {**content["schema"], "components": doc["components"]}
        errors = list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(content["example"]))
        assert not errors, (path, method, where, [e.message for e in errors[:3]])
        seen += 1
    assert seen >= 10


@pytest.mark.parametrize("path", ["/v1/quotes", "/v1/proposals"])
def test_request_examples_are_answered(client, doc, path):
    example = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["example"]
    r = client.post(path, json=example, headers=headers())
    assert r.status_code == 200
    check(doc, path, "post", r)
    documented = doc["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["example"]
    assert r.get_json()["recommended_option_id" if path == "/v1/quotes" else "within_policy"] == documented[
        "recommended_option_id" if path == "/v1/quotes" else "within_policy"]



def test_example_answers_are_what_the_service_answers(client, doc):
    from negotiator.service.openapi import EXAMPLE_PROPOSAL, EXAMPLE_QUOTE
    for path, body in (("/v1/quotes", EXAMPLE_QUOTE), ("/v1/proposals", EXAMPLE_PROPOSAL)):
        real = client.post(path, json=body, headers=headers()).get_json()
        assert doc["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["example"] == real
