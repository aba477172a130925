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
    assert r.status_code == 201 and r.headers["Location"] == f"/v1/quotes/{r.get_json()['quote_id']}"
    check(doc, path, "post", r)
    documented = doc["paths"][path]["post"]["responses"]["201"]["content"]["application/json"]["example"]
    assert r.get_json()["recommended_option_id" if path == "/v1/quotes" else "within_policy"] == documented[
        "recommended_option_id" if path == "/v1/quotes" else "within_policy"]



def test_example_answers_are_what_the_service_answers(client, doc):
    from negotiator.service.openapi import EXAMPLE_PROPOSAL, EXAMPLE_QUOTE
    for path, body in (("/v1/quotes", EXAMPLE_QUOTE), ("/v1/proposals", EXAMPLE_PROPOSAL)):
        real = client.post(path, json=body, headers=headers()).get_json()
        assert doc["paths"][path]["post"]["responses"]["201"]["content"]["application/json"]["example"] == real


# ---------------------------------------------------------------- issue 23, item 7: the contract has no holes

OPEN = {("/healthz", "get"), ("/readyz", "get"), ("/metrics", "get"), ("/openapi.json", "get"),
        ("/openapi.yaml", "get")}


def _operations(doc):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method in ("get", "post", "put", "delete"):
                yield path, method, op


def test_every_operation_has_an_id_and_a_2xx_example(doc):
    ids = []
    for path, method, op in _operations(doc):
        ids.append(op["operationId"])
        ok = [c for s, r in op["responses"].items() if s.startswith("2") for c in r.get("content", {}).values()]
        assert ok and all("example" in c for c in ok), (path, method)
    assert len(ids) == len(set(ids))


def test_every_response_has_an_example_and_problems_show_a_code_of_their_status(doc):
    for path, method, op in _operations(doc):
        for status, answer in op["responses"].items():
            for media, content in answer.get("content", {}).items():
                assert "example" in content, (path, method, status, media)
                if media == "application/problem+json":
                    assert content["example"]["status"] == int(status), (path, method, status)


def test_open_operations_say_they_need_no_key_and_the_others_need_one(doc):
    for path, method, op in _operations(doc):
        assert (op["security"] == []) == ((path, method) in OPEN), (path, method)


def _amount_properties(doc, name, seen=None):
    """Every amount of a request schema (an Amount field is the one with the amount pattern)."""
    from negotiator.service.openapi import AMOUNT_STRING_PATTERN
    seen = set() if seen is None else seen
    if name in seen:
        return
    seen.add(name)
    for prop, schema in doc["components"]["schemas"][name].get("properties", {}).items():
        refs = [schema.get("$ref", "")] + [s.get("$ref", "") for s in schema.get("anyOf", [])]
        refs += [schema.get("items", {}).get("$ref", "")]
        if schema.get("pattern") == AMOUNT_STRING_PATTERN:
            yield f"{name}.{prop}", schema
        for ref in filter(None, refs):
            yield from _amount_properties(doc, ref.rsplit("/", 1)[1], seen)


def test_request_amounts_are_strings_only(doc):
    amounts = dict(a for req in ("QuoteRequest", "ProposalRequest", "PaymentRequest")
                   for a in _amount_properties(doc, req))
    assert {"Account.balance", "Proposal.monthly_payment", "PaymentRequest.amount"} <= set(amounts)
    for where, schema in amounts.items():
        assert schema["type"] == "string", where
        assert not {"minimum", "maximum", "exclusiveMinimum"} & set(schema), where


def test_numbers_for_amounts_are_still_read_though_undocumented(client):
    """The server's tolerance, kept for older clients (docs/changelog.md): a JSON number reads as its string."""
    body = quote_body()
    body["account"]["balance"] = 12000
    assert client.post("/v1/quotes", json=body, headers=headers()).status_code == 201


def test_arrangement_type_and_currencies_are_enumerated(doc):
    from negotiator.core.money import CURRENCIES
    from negotiator.policy import OPTION_TYPES
    schemas = doc["components"]["schemas"]
    assert schemas["Arrangement"]["properties"]["type"]["enum"] == list(OPTION_TYPES)
    for name in ("Arrangement", "QuoteResponse", "ProposalResponse", "StoredQuote", "FollowUp"):
        assert schemas[name]["properties"]["currency"]["enum"] == sorted(CURRENCIES), name


def test_the_supervisor_channel_is_in_the_description(doc):
    assert "`supervisor`" in doc["info"]["description"]
    assert "| supervisor |" in doc["info"]["description"]


def test_accept_declares_every_header_it_sends(tmp_path, doc):
    import datetime as dt

    from negotiator.service import create_app
    from negotiator.store import upgrade

    from .conftest import make_config
    upgrade(url := f"sqlite:///{tmp_path / 'store.sqlite3'}")
    app = create_app(make_config(database_url=url))
    app.extensions["negotiator"]["clock"].set(dt.date.fromisoformat(quote_body()["as_of"]))
    client = app.test_client()
    request = quote_body()
    request["account"]["account_id"] = "ACC-7"
    q = client.post("/v1/quotes", json=request, headers=headers()).get_json()
    body = {"quote_id": q["quote_id"], "option_id": q["recommended_option_id"], "accepted_by": "agent-7"}
    first = client.post("/v1/arrangements", json=body, headers=headers(**{"Idempotency-Key": "contract-7-0001"}))
    again = client.post("/v1/arrangements", json=body, headers=headers(**{"Idempotency-Key": "contract-7-0001"}))
    declared = doc["paths"]["/v1/arrangements"]["post"]["responses"]
    ours = {"location", "idempotent-replayed", "x-request-id"}   # the answer's own (not the generic ones)
    for r in (first, again):
        sent = {name.lower() for name, _ in r.headers.items()} & ours
        assert sent <= {h.lower() for h in declared[str(r.status_code)]["headers"]}, sent
    assert first.headers["Location"] == f"/v1/arrangements/{first.get_json()['arrangement_id']}"
    assert again.headers["Idempotent-Replayed"] == "true"
    missing = client.post("/v1/arrangements", json=body, headers=headers())
    assert missing.status_code == 400 and "idempotency_key_invalid" in declared["400"]["description"]
    assert "idempotency_conflict" in declared["409"]["description"]


def test_the_yaml_document_reads_as_text_for_a_generator(client):
    plain = client.get("/openapi.yaml", headers={"Accept": "text/plain"})
    assert plain.mimetype == "text/plain" and yaml.safe_load(plain.get_data(as_text=True))["openapi"] == "3.1.0"
    assert client.get("/openapi.yaml").mimetype == "application/yaml"
