"""What every operation of the document shares, added once to the built document.

Every operation takes an optional ``traceparent`` and ``tracestate`` (W3C
Trace Context, section 3) and every answer carries a ``traceparent`` naming
the request's span (and the ``tracestate`` it was given). Every answer of an
operation that takes a key may carry ``RateLimit`` and ``RateLimit-Policy``
(IETF draft-ietf-httpapi-ratelimit-headers): the portal channel's are
limited (docs/service.md, "Rate limit"). Every ``/v1`` operation may answer
406 (``not_acceptable``) to an ``Accept`` that allows neither
``application/json`` nor ``application/problem+json``.
"""

from __future__ import annotations

import copy

TRACE_PARAMETERS = {
    "traceparent": {"name": "traceparent", "in": "header", "required": False,
                    "description": "W3C Trace Context: the caller's trace and span (`00-<32 hex trace id>-<16 hex "
                                   "span id>-<2 hex flags>`); the request's span becomes its child. One that is "
                                   "not valid is ignored, never refused (a new trace is started), so the schema "
                                   "states no constraint.",
                    "example": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                    "schema": {"type": "string"}},
    "tracestate": {"name": "tracestate", "in": "header", "required": False,
                   "description": "W3C Trace Context: vendor entries, passed on with a valid traceparent (one "
                                  "that is not valid is dropped, never refused).",
                   "schema": {"type": "string"}},
}
TRACE_HEADERS = {
    "traceparent": {"description": "W3C Trace Context of this request's span (the trace id is the caller's "
                                   "traceparent's, when it sent a valid one); the same ids are in the request's "
                                   "log line and the audit events it wrote.",
                    "schema": {"type": "string"}},
    "tracestate": {"description": "The caller's tracestate, when it sent one with a valid traceparent.",
                   "schema": {"type": "string"}},
}
RATE_HEADERS = {
    "RateLimit-Policy": {"description": "The key's quota (portal keys; IETF draft-ietf-httpapi-ratelimit-headers): "
                                        "a structured-field list, one item per window, `q` requests in `w` "
                                        "seconds. Absent for channels the service does not limit.",
                         "example": '"minute";q=60;w=60, "second";q=10;w=1', "schema": {"type": "string"}},
    "RateLimit": {"description": "What is left of each window of `RateLimit-Policy`: `r` requests, and `t` "
                                 "seconds until the oldest counted request leaves the window (on a 429, the "
                                 "spent window's `t` is `Retry-After`).",
                  "example": '"minute";r=59;t=60, "second";r=9;t=1', "schema": {"type": "string"}},
}
NOT_ACCEPTABLE = {
    "description": "The Accept header allows neither application/json nor application/problem+json "
                   "(`not_acceptable`).",
    "headers": {"X-Request-ID": {"description": "The request id: the caller's X-Request-ID when sane, else a new "
                                                "one.", "schema": {"type": "string"}}},
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def add_shared_headers(doc: dict) -> None:
    """Trace Context parameters on every operation, its headers on every response, the rate limit's on every
    response of an operation that takes a key (but a 401: no key, no budget), a 406 on every ``/v1`` one,
    in place."""
    doc.setdefault("components", {}).setdefault("parameters", {}).update(TRACE_PARAMETERS)
    doc["components"].setdefault("headers", {}).update({**TRACE_HEADERS, **RATE_HEADERS})
    for path, item in doc.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = op.setdefault("parameters", [])
            params.extend({"$ref": f"#/components/parameters/{n}"} for n in TRACE_PARAMETERS)
            if path.startswith("/v1/"):
                op.setdefault("responses", {}).setdefault("406", copy.deepcopy(NOT_ACCEPTABLE))
            shared = [*TRACE_HEADERS, *(RATE_HEADERS if op.get("security") else ())]
            for status, resp in op.get("responses", {}).items():
                if "$ref" in resp:   # a shared response: no sibling keys
                    continue
                names = list(TRACE_HEADERS) if status == "401" else shared
                resp.setdefault("headers", {}).update({n: {"$ref": f"#/components/headers/{n}"} for n in names})
