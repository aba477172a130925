"""The OpenAPI 3.1 document, generated with apispec from the marshmallow schemas.

The request and response schemas of :mod:`negotiator.wire.schemas` are the one
source of the wire format; this module adds the paths, the errors and the
examples. ``api_spec/openapi.yaml`` is this module's output, committed; a
test checks they are equal. Regenerate it with::

    .venv/bin/python -m negotiator.service.openapi > api_spec/openapi.yaml
"""

from __future__ import annotations

import copy
import functools
import sys
from decimal import Decimal
from typing import Any

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from negotiator import __version__
from negotiator.app import rights
from negotiator.app.problems import problem_body
from negotiator.core.problems import PROBLEMS, pointer
from negotiator.wire.examples import EXAMPLE_ACCOUNT, EXAMPLE_PROPOSAL, EXAMPLE_QUOTE
from negotiator.wire.schemas import (
    Amount,
    HealthSchema,
    PolicyDetailSchema,
    PolicyListSchema,
    ProblemSchema,
    ProposalRequestSchema,
    ProposalResponseSchema,
    QuoteRequestSchema,
    QuoteResponseSchema,
    ReadySchema,
    StrictInt,
)

AMOUNT_STRING_PATTERN = r"^[0-9]{1,13}(\.[0-9]{1,8})?$"
METRICS_EXAMPLE = ('# HELP negotiator_policies_loaded Policies loaded by this process.\n'
                   '# TYPE negotiator_policies_loaded gauge\nnegotiator_policies_loaded 4\n')
DOCUMENT_EXAMPLE = {"openapi": "3.1.0", "info": {"title": "negotiator", "version": __version__}, "paths": {}}
DOCUMENT_YAML_EXAMPLE = f"openapi: 3.1.0\ninfo:\n  title: negotiator\n  version: {__version__}\n"


@functools.lru_cache(maxsize=1)
def engine_examples() -> dict:
    """Example answers made by running the engine on the example requests (shipped policies only).

    The document's examples are what the service really answers; after an engine change, regenerate
    ``api_spec/openapi.yaml``. The requests carry ``as_of``, so the answers (ids included) are fixed.
    """
    from negotiator.core.errors import ValidationError
    from negotiator.engine.proposals import propose
    from negotiator.engine.quote import quote
    from negotiator.policy import PolicyRegistry
    from negotiator.service.policies import PUBLIC_KEYS

    registry = PolicyRegistry.load(None)
    try:
        quote({**EXAMPLE_QUOTE, "account": {**EXAMPLE_ACCOUNT, "balance": "12,000"}}, registry)
        raise AssertionError("the invalid example request was accepted")
    except ValidationError as exc:
        errors = [e.as_dict() for e in exc.errors]
    policy = registry.get("default")
    return {
        "quote": quote(copy.deepcopy(EXAMPLE_QUOTE), registry, channel="agent"),
        "proposal": propose(copy.deepcopy(EXAMPLE_PROPOSAL), registry, channel="agent"),
        "policies": {"policies": [{"name": p.name, "version": p.version, "description": p.description}
                                  for p in sorted(registry, key=lambda p: p.name)], "next_cursor": None},
        "policy_portal": {k: policy.public_dict()[k] for k in PUBLIC_KEYS},
        "ready": {"status": "ready", "policies": len(registry.names()), "rate_limit_store": "ok"},
        "problem": problem_body("invalid_input", "The request has invalid fields; see errors.",
                                [{"field": e["field"], "pointer": pointer(e["field"]), "message": e["message"]}
                                 for e in errors], "3f2c9a0e5b7d4c1e")[1],
    }


DESCRIPTION = "\n\n".join([
    "Repayment-plan negotiation for consumer-debt collections: every option a borrower can be offered "
    "(`POST /v1/quotes`), the plan a borrower's own proposal implies (`POST /v1/proposals`), and the "
    "policies behind them.",
    "Amounts are decimal strings (`\"1350.00\"`, never a JSON number: binary floats cannot hold money); "
    "rates are decimal fractions (`\"0.18\"` is 18%); dates are ISO 8601.",
    "**Keys and channels.** Every `/v1` call needs an API key, sent as `X-API-Key: <key>` or "
    "`Authorization: Bearer <key>`. Each key is bound to a channel: `agent` (every option with its approval "
    "tier and the lender's figures), `supervisor` (as agent, and decides on arrangements that need a "
    "supervisor), `batch` (as agent: the lender's systems, e.g. the payment feed) or `portal` (only options that "
    "need no approval, no internal figures, rate-limited per key). A missing or unknown key gets 401.",
    "**Rights.** What each channel may do (`negotiator/app/rights.py`, the one table the API and the pages "
    "check):\n\n" + rights.markdown() + "\n\n" + rights.LEGEND,
    "**Dates are the server's** (its UTC date; a request cannot move them, nothing is clamped). A portal quote "
    "or what-if is as of today: leave `as_of` out; another `as_of` is a 422 naming it. Other callers' `as_of` "
    "(quotes, what-ifs, reads) is within `NEGOTIATOR_AS_OF_DAYS` (400) of today. A payment is dated from the "
    "plan's start to its `as_of`, which is at most tomorrow (one day of clock tolerance).",
    "**Errors** are `application/problem+json` (RFC 9457): `type` is `urn:negotiator:problem:<code>`, each "
    "`code` has one status and one title (the table `x-problem-types` below and docs/problems.md), `instance` "
    "names the occurrence by request id, and `errors` lists every field at fault (body fields with a JSON "
    "Pointer). "
    "Every response carries `X-Request-ID` (the caller's, when it sends a sane one).",
])

_RID = {"description": "The request id: the caller's X-Request-ID when sane, else a new one.",
        "schema": {"type": "string"}}
_PROBLEMS = {
    400: "Malformed body (not JSON, not UTF-8, NaN or Infinity, nested too deep, a duplicate key) or unknown "
         "fields (each named in `errors`).",
    401: "No API key, or an unknown one.",
    404: "No policy with this name (`unknown_policy`).",
    413: "Body larger than the configured limit (64 KiB by default).",
    415: "Content-Type is not application/json.",
    422: "Invalid input (`invalid_input`; `errors` names every bad field) or an unknown policy named in the body "
         "(`unknown_policy_named`).",
    429: "Rate limit of a portal key exceeded; retry after `Retry-After` seconds (only 429s carry it).",
    503: "Portal keys: the rate limit's store cannot be reached (see `/readyz`).",
}


def _problem(status: int, description: str | None = None, example: dict | None = None) -> dict:
    out: dict[str, Any]
    out = {"description": description or _PROBLEMS[status],
           "headers": {"X-Request-ID": _RID},
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    if example is not None:
        out["content"]["application/problem+json"]["example"] = example
    if status == 429:
        out["headers"]["Retry-After"] = {"description": "Seconds to wait.", "schema": {"type": "string"}}
    return out


def _ok(schema: str, description: str, example=None, media="application/json") -> dict:
    content = {"schema": {"$ref": f"#/components/schemas/{schema}"}}
    if example is not None:
        content["example"] = example
    return {"description": description, "headers": {"X-Request-ID": _RID}, "content": {media: content}}


def _created(schema: str, example) -> dict:
    """A quote or what-if kept: 201 with where it is read back."""
    out = _ok(schema, "The answer, in the channel's view, kept: read it back at `Location`.", example)
    out["headers"]["Location"] = {"description": "Where the kept answer is read back: `/v1/quotes/{quote_id}`.",
                                  "schema": {"type": "string"},
                                  "example": f"/v1/quotes/{example.get('quote_id', 'q_7ba85e1ae8fa027c3f0f')}"}
    return out


def _amount_attributes(self, field, ret, **kwargs) -> dict:
    """Amounts are documented as decimal strings only (a generated client never sends a float for money);
    StrictInt is an integer.

    The server still reads a JSON number (an older client's), as docs/changelog.md says; the document
    does not offer it. The upper bound is the pattern's 13 digits and the field's ``maximum`` (in words).
    """
    if isinstance(field, Amount):
        for key in ("minimum", "maximum", "exclusiveMinimum"):
            ret.pop(key, None)
        out = {"type": "string", "pattern": AMOUNT_STRING_PATTERN, "maxLength": 40,
               "description": " ".join(filter(None, [ret.get("description") or field.metadata.get("description"),
                                                     f"A decimal string, at most {_plain(field.maximum)}"
                                                     + (", more than zero." if field.positive else ".")]))}
        if field.positive:
            # The pattern allows all zeros: spell out that such a string is refused.
            out["not"] = {"pattern": r"^0+(\.0+)?$"}
        return out
    if isinstance(field, StrictInt):
        return {"type": "integer"}
    return {}


def _plain(value):
    """Decimals (defaults, limits) as JSON numbers, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _schema_name_resolver(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    return name[:-6] if name.endswith("Schema") else name


def build_spec() -> dict:
    """The whole OpenAPI document as plain data."""
    ma = MarshmallowPlugin(schema_name_resolver=_schema_name_resolver)
    spec = APISpec(title="negotiator", version=__version__, openapi_version="3.1.0", plugins=[ma],
                   info={"description": DESCRIPTION, "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
                   servers=[{"url": "http://127.0.0.1:8080", "description": "negotiator serve (local)"}])
    assert ma.converter is not None   # the plugin makes its converter when APISpec(plugins=[ma]) initialises it
    ma.converter.add_attribute_function(_amount_attributes)
    for name, schema in (("QuoteRequest", QuoteRequestSchema), ("ProposalRequest", ProposalRequestSchema),
                         ("QuoteResponse", QuoteResponseSchema), ("ProposalResponse", ProposalResponseSchema),
                         ("PolicyList", PolicyListSchema), ("PolicyDetail", PolicyDetailSchema),
                         ("Problem", ProblemSchema), ("Health", HealthSchema), ("Ready", ReadySchema)):
        spec.components.schema(name, schema=schema)
    spec.components.security_scheme("ApiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"})
    spec.components.security_scheme("Bearer", {"type": "http", "scheme": "bearer"})
    secured: list[dict[str, list[str]]] = [{"ApiKey": []}, {"Bearer": []}]
    ex = engine_examples()

    def post(path, op_id, summary, req, req_example, resp, resp_example, tag):
        spec.path(path=path, operations={"post": {
            "operationId": op_id, "summary": summary, "tags": [tag], "security": secured,
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{req}"}, "example": req_example}}},
            "responses": {"201": _created(resp, resp_example),
                          "200": _ok(resp, "The answer, not kept: the store is off (`NEGOTIATOR_STORE=0`).",
                                 resp_example),
                          **{str(s): _problem(s, example=ex["problem"] if s == 422 else None)
                             for s in (400, 401, 413, 415, 422, 429, 503)}}}})

    post("/v1/quotes", "createQuote", "Every option for one account, with the recommended one",
         "QuoteRequest", EXAMPLE_QUOTE, "QuoteResponse", ex["quote"], "quotes")
    post("/v1/proposals", "createProposal",
         "What-if: the plan, concessions, verdict and counter-offer a borrower's proposal implies",
         "ProposalRequest", EXAMPLE_PROPOSAL, "ProposalResponse", ex["proposal"], "quotes")
    spec.path(path="/v1/policies", operations={"get": {
        "operationId": "listPolicies", "summary": "The loaded policies", "tags": ["policies"], "security": secured,
        "responses": {"200": _ok("PolicyList", "Name, version and description of each policy.", ex["policies"]),
                      "401": _problem(401), "429": _problem(429), "503": _problem(503)}}})
    spec.path(path="/v1/policies/{name}", operations={"get": {
        "operationId": "getPolicy", "summary": "One policy (portal keys see only its public fields)",
        "tags": ["policies"], "security": secured,
        "parameters": [{"name": "name", "in": "path", "required": True, "example": "default",
                        "schema": {"type": "string", "maxLength": 64}}],
        "responses": {"200": _ok("PolicyDetail", "The policy (example: a portal key's view).", ex["policy_portal"]),
                      "401": _problem(401), "404": _problem(404), "429": _problem(429),
                      "503": _problem(503)}}})
    spec.path(path="/healthz", operations={"get": {
        "operationId": "healthz", "summary": "Liveness", "tags": ["operations"], "security": [],
        "responses": {"200": _ok("Health", "The process answers.", {"status": "ok"})}}})
    spec.path(path="/readyz", operations={"get": {
        "operationId": "readyz", "summary": "Readiness: policies loaded, rate-limit store answering",
        "tags": ["operations"], "security": [],
        "responses": {"200": _ok("Ready", "Ready to serve.", ex["ready"]),
                      "503": _ok("Ready", "Not ready (no policy loaded, or the rate-limit store unreachable).",
                                 {"status": "not_ready", "policies": 4, "rate_limit_store": "unavailable"})}}})
    text = {"description": "Prometheus text format 0.0.4.", "headers": {"X-Request-ID": _RID},
            "content": {"text/plain": {"schema": {"type": "string"}, "example": METRICS_EXAMPLE}}}
    spec.path(path="/metrics", operations={"get": {
        "operationId": "metrics", "summary": "Prometheus metrics: requests and latency per route and status",
        "tags": ["operations"], "security": [], "responses": {"200": text}}})
    spec.path(path="/openapi.json", operations={"get": {
        "operationId": "openapiJson", "summary": "This document, as JSON", "tags": ["operations"], "security": [],
        "responses": {"200": {"description": "The OpenAPI document.", "headers": {"X-Request-ID": _RID},
                              "content": {"application/json": {"schema": {"type": "object"},
                                                               "example": DOCUMENT_EXAMPLE}}}}}})
    spec.path(path="/openapi.yaml", operations={"get": {
        "operationId": "openapiYaml", "summary": "This document, as YAML", "tags": ["operations"], "security": [],
        "description": "`application/yaml` (RFC 9512); `text/plain` when the caller's `Accept` prefers it.",
        "responses": {"200": {"description": "The OpenAPI document, as YAML text.", "headers": {"X-Request-ID": _RID},
                              # Parsed, the YAML is a mapping; as text/plain, a string (what a generator reads).
                              "content": {"application/yaml": {"schema": {"type": "object"},
                                                               "example": DOCUMENT_EXAMPLE},
                                          "text/plain": {"schema": {"type": "string"},
                                                         "example": DOCUMENT_YAML_EXAMPLE}}}}}})
    spec.tag({"name": "quotes", "description": "Options and what-if proposals."})
    spec.tag({"name": "policies", "description": "The lender policies the service applies."})
    spec.tag({"name": "operations", "description": "Health, readiness, metrics and this document."})
    from negotiator.service.openapi_records import add_record_operations
    add_record_operations(spec, _ok, _problem, secured)
    from negotiator.service.openapi_contacts import add_contact_operations
    add_contact_operations(spec, _ok, _problem, secured)
    from negotiator.web.openapi_invitations import add_invitation_operation, require_account_id
    add_invitation_operation(spec, _ok, _problem, secured)
    doc = _plain(copy.deepcopy(spec.to_dict()))
    require_account_id(doc)
    from negotiator.service.openapi_records import add_record_links
    add_record_links(doc)
    from negotiator.service.openapi_reads import add_read_contract, add_validators
    add_read_contract(doc, _problem)
    add_validators(doc, _problem, _RID)
    from negotiator.service.openapi_headers import add_shared_headers
    add_shared_headers(doc)                  # first: the shared 406 gets its example from complete()
    from negotiator.service.openapi_examples import complete
    complete(doc, ex)
    schemas = doc["components"]["schemas"]
    # Cross-field rules the engine enforces, stated where a client can see them.
    schemas["Proposal"].update(minProperties=1, maxProperties=1,
                               description="Exactly one of monthly_payment, term_months or lump_sum.")
    schemas["Finances"]["description"] = ("Give monthly_income or income_lines, and monthly_expenses or "
                                          "expense_lines (lines are added up; given both, they must agree).")
    # Each `required` beside the property it names (Redocly's no-required-schema-properties-undefined).
    term = schemas["Account"]["properties"]["remaining_term_months"]
    schemas["Account"]["allOf"] = [
        {"if": {"properties": {"product": {"const": "credit_card"}}, "required": ["product"]},
         "then": {"not": {"properties": {"remaining_term_months": term}, "required": ["remaining_term_months"]}}},
        {"if": {"properties": {"product": {"const": "loan"}}, "required": ["product"]},
         "then": {"properties": {"remaining_term_months": term}, "required": ["remaining_term_months"]}}]
    schemas["Account"]["description"] = "remaining_term_months: required for a loan, refused for a credit card."
    doc["x-problem-types"] = {code: {"status": k.status, "title": k.title, "description": k.description}
                              for code, k in PROBLEMS.items()}
    order = ("openapi", "info", "servers", "tags", "paths", "components")
    return {k: doc[k] for k in order if k in doc} | {k: v for k, v in doc.items() if k not in order}


def to_yaml(spec: dict) -> str:
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=110)


def main() -> int:
    sys.stdout.write(to_yaml(build_spec()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
