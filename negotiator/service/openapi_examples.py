"""The examples and the response headers the operations' builders leave out (issue 23, item 7).

Called by :func:`negotiator.service.openapi.build_spec` on the finished document: an operation that has
no example of a successful answer gets one here (by its ``operationId``), every problem answer without an
example gets one made from the problem table (the first code its description names, else the status's
usual code), and ``POST /v1/arrangements`` declares the headers it sends. ``tests/service/test_contract.py``
checks every example against its schema, so an example that drifts from the wire fails there.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from negotiator.app.problems import problem_body
from negotiator.core.problems import PROBLEMS
from negotiator.service.openapi_contacts import EXAMPLE_CONTACT
from negotiator.service.openapi_records import EXAMPLE_ARRANGEMENT

_AT = "2026-11-23T09:30:00+00:00"
_INSTALMENTS: list[dict[str, Any]] = EXAMPLE_ARRANGEMENT["instalments"]  # type: ignore[assignment]
_CONTACT = {**EXAMPLE_CONTACT, "contact_id": "c_8d1e0a6f3b2c4d5e6f70", "recorded_by": "agent",
            "recorded_at": "2027-01-04T15:00:05+00:00"}
_PREFERENCES = {"account_id": "ACC-1001", "refused": ["sms"], "quiet": [{"start": "12:00", "end": "14:00"}],
                "preferred": "email", "language": "en", "timezone": "America/New_York", "moratorium": False,
                "recorded_at": "2027-01-04T15:00:05+00:00"}
_PENDING = {**EXAMPLE_ARRANGEMENT, "approval": "supervisor", "channel": "agent", "accepted_by": "agent-7",
            "paid": "0.00", "outstanding": "2700.00",
            "instalments": [{**i, "paid": "0.00", "state": "due"} for i in _INSTALMENTS]}
_PAYMENT = {"reference": "PAY-0001", "amount": "1350.00", "paid_on": "2026-12-20",
            "recorded_at": "2026-12-20T11:02:00+00:00"}


def _event(event_id: int, kind: str, at: str, actor: str, before: str | None, after: str | None,
           detail: dict | None = None, instalment: int | None = None) -> dict:
    return {"event_id": event_id, "type": kind, "at": at, "channel": "portal", "actor": actor,
            "principal": "portal:k_portal", "request_id": f"3f2c9a0e5b7d4c1{event_id}",
            "trace_id": f"4bf92f3577b34da6a3ce929d0e0e473{event_id}",
            "quote_id": EXAMPLE_ARRANGEMENT["quote_id"], "instalment_number": instalment,
            "status_before": before, "status_after": after, "detail": detail}


def examples(engine: dict) -> dict[str, dict[str, object]]:
    """Per ``operationId``, per 2xx status: the example answer. ``engine`` is ``engine_examples()``."""
    stored_quote = {**copy.deepcopy(engine["quote"]), "account_id": None, "created_at": _AT,
                    "expires_at": "2026-12-23T09:30:00+00:00"}
    paid = {"payment": _PAYMENT, "arrangement": EXAMPLE_ARRANGEMENT}
    return {
        "getQuote": {"200": stored_quote},
        "decideArrangement": {"200": {**_PENDING, "decided_by": "sup-7", "status": "active"}},
        "cancelArrangement": {"200": {**EXAMPLE_ARRANGEMENT, "status": "cancelled"}},
        "recordPayment": {"201": {**paid, "replayed": False}, "200": {**paid, "replayed": True}},
        "listArrangementEvents": {"200": {"arrangement_id": EXAMPLE_ARRANGEMENT["arrangement_id"], "events": [
            _event(1, "accepted", _AT, "borrower", None, "active", {"option_id": "catch_up"}),
            _event(2, "payment_recorded", "2026-12-20T11:02:00+00:00", "portal:k_portal", "active", "active",
                   {"reference": "PAY-0001", "amount": "1350.00"}, 1)], "next_cursor": None}},
        "listAccountArrangements": {"200": {"account_id": "ACC-1001", "arrangements": [EXAMPLE_ARRANGEMENT],
                                            "next_cursor": None, "next_before": None}},
        "recordContact": {"201": _CONTACT},
        "listAccountContacts": {"200": {"account_id": "ACC-1001", "contacts": [_CONTACT], "next_cursor": None}},
        "setContactPreferences": {"201": _PREFERENCES},
        "listFollowUps": {"200": {"as_of": "2027-01-20", "follow_ups": [{
            "kind": "reminder", "account_id": "ACC-1001", "arrangement_id": EXAMPLE_ARRANGEMENT["arrangement_id"],
            "arrangement_status": "active", "policy": EXAMPLE_ARRANGEMENT["policy"], "currency": "CNY",
            "instalment": _INSTALMENTS[1], "days": 3, "channel": "email",
            "contact_window": {"allowed": True, "reasons": [], "next_allowed_at": None},
            "replan": None, "replan_error": None}], "next_cursor": None}},
    }


#: The code a problem answer's example shows when its description names none of its status.
USUAL_CODE = {400: "malformed_body", 401: "unauthorized", 403: "wrong_channel", 404: "not_found",
              409: "arrangement_exists", 413: "body_too_large", 415: "unsupported_media_type", 422: "invalid_input",
              429: "rate_limited", 503: "store_off"}


def problem_example(status: int, description: str) -> dict:
    """An example problem for a response: the first code of this status its description names.

    >>> problem_example(409, "The arrangement is not live (`not_live`).")["code"]
    'not_live'
    >>> problem_example(503, "Portal keys: the rate limit's store cannot be reached.")["code"]
    'rate_limit_unavailable'
    """
    named = [c for c in re.findall(r"`([a-z_]+)`", description) if c in PROBLEMS and PROBLEMS[c].status == status]
    if named:
        code = named[0]
    elif status == 503 and "rate limit" in description.lower():
        code = "rate_limit_unavailable"
    else:
        code = USUAL_CODE[status]
    return problem_body(code, PROBLEMS[code].description, request_id="3f2c9a0e5b7d4c1e")[1]


#: What ``POST /v1/arrangements`` answers in headers (negotiator/service/arrangements.py).
ACCEPT_HEADERS = {
    "Location": {"description": "The arrangement's own URL (`/v1/arrangements/{arrangement_id}`).",
                 "schema": {"type": "string", "format": "uri-reference"},
                 "example": "/v1/arrangements/a_5f0c1d2e3b4a59687766"},
    "Idempotent-Replayed": {"description": "`true` when this answer is the one stored for the Idempotency-Key "
                                           "(a retry), absent on the first answer.",
                            "schema": {"type": "string", "enum": ["true"]}},
}


def complete(doc: dict, engine: dict) -> None:
    """Add the missing examples and the accept's headers to ``doc`` in place."""
    by_id = {op["operationId"]: op for ops in doc["paths"].values() for op in ops.values()
             if isinstance(op, dict) and "operationId" in op}
    for op_id, answers in examples(engine).items():
        for status, example in answers.items():
            media = by_id[op_id]["responses"][status]["content"]["application/json"]
            media.setdefault("example", copy.deepcopy(example))
    accept = by_id["createArrangement"]["responses"]
    for status in ("201", "200"):
        if status in accept:
            accept[status]["headers"] = {**accept[status]["headers"], **copy.deepcopy(ACCEPT_HEADERS)}
    accept["400"]["description"] += (" No Idempotency-Key, or one that is not 8 to 128 letters, digits or . _ : - "
                                     "(`idempotency_key_invalid`).")
    accept["409"]["description"] += (" `idempotency_conflict`: a request with this Idempotency-Key is still being "
                                     "answered; retry it.")
    for ops in doc["paths"].values():
        for op in ops.values():
            for status, answer in op.get("responses", {}).items():
                media = answer.get("content", {}).get("application/problem+json")
                if media is not None and "example" not in media:
                    media["example"] = problem_example(int(status), answer["description"])
