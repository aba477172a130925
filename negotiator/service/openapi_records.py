"""The OpenAPI operations of the stored records (quotes read back, arrangements, payments, events).

Called by :func:`negotiator.service.openapi.build_spec`; the shapes are the
marshmallow schemas of :mod:`negotiator.wire.records`.
"""

from __future__ import annotations

from negotiator.wire.records import (
    ID_PATTERN,
    IDEMPOTENCY_KEY_PATTERN,
    AcceptRequestSchema,
    ArrangementListSchema,
    ArrangementSchema,
    CancelRequestSchema,
    DecisionRequestSchema,
    EventListSchema,
    PaymentRequestSchema,
    PaymentResponseSchema,
    StoredProposalSchema,
    StoredQuoteSchema,
)

EXAMPLE_ARRANGEMENT = {
    "arrangement_id": "a_5f0c1d2e3b4a59687766", "account_id": "ACC-1001", "quote_id": "q_3c0dbd4cf2e1e0b0a4f1",
    "option_id": "catch_up", "type": "catch_up", "approval": "none", "status": "active", "channel": "portal",
    "accepted_by": "borrower", "decided_by": None, "replaces": None, "currency": "CNY",
    "policy": {"name": "default", "version": "2026.11.1"}, "monthly_payment": "1350.00", "total_payable": "2700.00",
    "paid": "1350.00", "outstanding": "1350.00", "term_months": 2, "first_payment_date": "2026-12-23",
    "next_due_date": "2027-01-23", "grace_days": 14, "missed_instalments_allowed": 1, "as_of": "2026-12-24",
    "created_at": "2026-11-23T09:30:00+00:00", "updated_at": "2026-12-20T10:02:00+00:00",
    "instalments": [{"number": 1, "due_date": "2026-12-23", "amount": "1350.00", "paid": "1350.00", "state": "paid"},
                    {"number": 2, "due_date": "2027-01-23", "amount": "1350.00", "paid": "0.00", "state": "due"}]}

_ID = {"type": "string", "pattern": ID_PATTERN}
_ARR_ID = {"name": "arrangement_id", "in": "path", "required": True, "example": "a_5f0c1d2e3b4a59687766",
           "schema": {"type": "string", "maxLength": 40}}
_AS_OF = {"name": "as_of", "in": "query", "required": False, "description": "Status and states as of this day "
          "(default today, the server's date); within NEGOTIATOR_AS_OF_DAYS (400) of today, else 422.",
          "schema": {"type": "string", "format": "date"}}
_CODES = ("Refusals carry a stable code as the problem type (`urn:negotiator:problem:<code>`) and name the field "
          "in `errors`.")


def add_record_operations(spec, ok, problem, secured) -> None:
    """Register the schemas and paths; ``ok``/``problem`` build responses as the rest of the document does."""
    for name, schema in (("AcceptRequest", AcceptRequestSchema), ("DecisionRequest", DecisionRequestSchema),
                         ("CancelRequest", CancelRequestSchema),
                         ("PaymentRequest", PaymentRequestSchema), ("Arrangement", ArrangementSchema),
                         ("PaymentResponse", PaymentResponseSchema), ("EventList", EventListSchema),
                         ("ArrangementList", ArrangementListSchema), ("StoredQuote", StoredQuoteSchema),
                         ("StoredProposal", StoredProposalSchema)):
        spec.components.schema(name, schema=schema)

    def body(schema: str, example: dict) -> dict:
        return {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{schema}"}, "example": example}}}

    def p(status: int, description: str) -> dict:
        return problem(status, description)

    base = {401: p(401, "No API key, or an unknown one."),
            429: p(429, "Rate limit of a portal key exceeded; retry after `Retry-After` seconds.")}
    writes = {400: p(400, "Malformed body or unknown fields."), 413: p(413, "Body larger than the limit."),
              415: p(415, "Content-Type is not application/json."), 503: p(503, "The store is switched off.")}

    def responses(*pairs, more=None):
        out = {str(k): v for k, v in pairs}
        out.update({str(k): v for k, v in {**base, **(more or {})}.items()})
        return out

    stored = ok("StoredQuote", "The quote or what-if as issued, with its expiry.")
    stored["content"]["application/json"]["schema"] = {"oneOf": [
        {"$ref": "#/components/schemas/StoredQuote"}, {"$ref": "#/components/schemas/StoredProposal"}]}
    spec.path(path="/v1/quotes/{quote_id}", operations={"get": {
        "operationId": "getQuote", "summary": "A stored quote or what-if, in the caller's view",
        "tags": ["arrangements"],
        "description": "A quote (`POST /v1/quotes`) or a what-if (`POST /v1/proposals`) as issued, by its "
                       "`quote_id`. Portal keys read only those made through the portal: any other is 404.",
        "security": secured,
        "parameters": [{"name": "quote_id", "in": "path", "required": True, "example": "q_c9e4455d70de28b7d505",
                        "schema": {"type": "string", "maxLength": 40}}],
        "responses": responses((200, stored),
                               more={404: p(404, "No such quote in the caller's view."),
                                  503: p(503, "The store is switched off.")})}})
    spec.path(path="/v1/arrangements", operations={"post": {
        "operationId": "createArrangement", "summary": "Accept a quoted option or a what-if's plan",
        "tags": ["arrangements"],
        "description": "`quote_id` names a quote or a what-if (`POST /v1/proposals`); of a what-if, the plan can "
                       "be accepted when the answer is `acceptable`, else its `counter_offer`. "
                       "The option must be in the caller's view, affordable and within policy; the portal accepts "
                       "only options needing no approval, agents `none` and `agent` (a `supervisor` option waits "
                       "in `pending_approval`). One live arrangement per account: name it in `replaces` to "
                       "supersede it. " + _CODES,
        "security": secured,
        "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True, "example": "7d3c9a1e-accept-1",
                        "description": "The same key and body replay the same answer, a refusal as much as an "
                                       "arrangement made (`Idempotent-Replayed: true`), for "
                                       "NEGOTIATOR_IDEMPOTENCY_HOURS (24); then the key is free again. The same "
                                       "key with another body is a 422 (`idempotency_key_reused`).",
                        "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN}}],
        "requestBody": body("AcceptRequest", {"quote_id": "q_3c0dbd4cf2e1e0b0a4f1", "option_id": "catch_up",
                                              "accepted_by": "borrower"}),
        "responses": responses(
            (201, ok("Arrangement", "The arrangement made (or, for a replayed key, the one made then).",
                     EXAMPLE_ARRANGEMENT)),
            more={**writes, 403: p(403, "This key's channel cannot accept offers."),
                         404: p(404, "No such quote in the caller's view (`unknown_quote`), or `replaces` names "
                                     "no arrangement in the caller's view (`unknown_arrangement`)."),
                         409: p(409, "`quote_expired`, or `arrangement_exists`: the account has a live "
                                     "arrangement not named in `replaces` (named in the answer only when the "
                                     "caller sees it)."),
                         422: p(422, "Invalid input, an option that cannot be accepted here, or an "
                                     "Idempotency-Key reused with another body.")})}})
    spec.path(path="/v1/arrangements/{arrangement_id}", operations={"get": {
        "operationId": "getArrangement", "summary": "An arrangement with each instalment's state",
        "tags": ["arrangements"], "security": secured, "parameters": [_ARR_ID, _AS_OF],
        "responses": responses((200, ok("Arrangement", "The arrangement as of the date.", EXAMPLE_ARRANGEMENT)),
                               more={404: p(404, "No such arrangement in the caller's view."),
                                  422: p(422, "`as_of` is not a date, or not within the range of today."),
                                  503: p(503, "The store is switched off.")})}})
    spec.path(path="/v1/arrangements/{arrangement_id}/decision", operations={"post": {
        "operationId": "decideArrangement", "summary": "A supervisor approves or rejects a pending arrangement",
        "tags": ["arrangements"], "security": secured, "parameters": [_ARR_ID],
        "requestBody": body("DecisionRequest", {"decision": "approve", "decided_by": "sup-7"}),
        "responses": responses((200, ok("Arrangement", "The arrangement after the decision.")),
                               more={**writes, 403: p(403, "Only supervisor keys decide."),
                                            404: p(404, "No such arrangement."),
                                            409: p(409, "The arrangement is not pending approval."),
                                            422: p(422, "Invalid input.")})}})
    spec.path(path="/v1/arrangements/{arrangement_id}/cancel", operations={"post": {
        "operationId": "cancelArrangement", "summary": "An agent or supervisor cancels a live arrangement",
        "tags": ["arrangements"], "security": secured, "parameters": [_ARR_ID],
        "requestBody": body("CancelRequest", {"cancelled_by": "agent-7", "reason": "borrower asked to stop"}),
        "responses": responses((200, ok("Arrangement", "The arrangement, cancelled.")),
                               more={**writes, 403: p(403, "Only agent and supervisor keys cancel."),
                                     404: p(404, "No such arrangement in the caller's view."),
                                     409: p(409, "The arrangement is not live (`not_live`)."),
                                     422: p(422, "Invalid input.")})}})
    spec.path(path="/v1/arrangements/{arrangement_id}/payments", operations={"post": {
        "operationId": "recordPayment", "summary": "Record a payment (idempotent by reference)",
        "tags": ["arrangements"], "security": secured, "parameters": [_ARR_ID],
        "description": "Payments go to the oldest instalment due. " + _CODES,
        "requestBody": body("PaymentRequest", {"reference": "PAY-0001", "amount": "1350.00",
                                               "paid_on": "2026-12-20", "as_of": "2026-12-24"}),
        "responses": responses(
            (201, ok("PaymentResponse", "Recorded.")),
            (200, ok("PaymentResponse", "This reference was recorded already, with the same amount and date: "
                                        "nothing counted twice.")),
            more={**writes, 403: p(403, "This key's channel cannot record payments (portal keys never do: "
                                        "`wrong_channel`)."),
                         404: p(404, "No such arrangement in the caller's view."),
                         409: p(409, "The arrangement is not active (`arrangement_not_active`)."),
                         422: p(422, "Zero, negative or too many decimals, more than is outstanding, before the plan "
                                     "starts or after as_of, or a reference used for another payment.")})}})
    spec.path(path="/v1/arrangements/{arrangement_id}/events", operations={"get": {
        "operationId": "listArrangementEvents", "summary": "The arrangement's audit trail, oldest first",
        "tags": ["arrangements"], "security": secured, "parameters": [_ARR_ID],
        "responses": responses((200, ok("EventList", "Every event, from the quote issued on.")),
                               more={404: p(404, "No such arrangement in the caller's view."),
                                  503: p(503, "The store is switched off.")})}})
    spec.path(path="/v1/accounts/{account_id}/arrangements", operations={"get": {
        "operationId": "listAccountArrangements", "summary": "An account's arrangements, a page at a time",
        "tags": ["arrangements"], "security": secured,
        "parameters": [{"name": "account_id", "in": "path", "required": True, "example": "ACC-1001",
                        "schema": {**_ID, "maxLength": 64}}, _AS_OF,
                       {"name": "before", "in": "query", "required": False, "deprecated": True,
                        "description": "Deprecated (use `cursor`): the previous page's `next_before`, arrangements "
                                       "made before this one.",
                        "schema": {"type": "string", "maxLength": 40}}],
        "description": "A page of the account's arrangements in the caller's view, newest first; its cost does "
                       "not grow with the account's history.",
        "responses": responses((200, ok("ArrangementList", "Newest first, each as of the date.")),
                               more={404: p(404, "`before` names no arrangement of this account in the caller's "
                                                 "view."),
                                     422: p(422, "`as_of` is not a date, or not within the range of today; "
                                                 "`limit` is not 1 to 100."),
                                     503: p(503, "The store is switched off.")})}})
    spec.tag({"name": "arrangements", "description": "Stored quotes, accepted arrangements, payments and their "
                                                     "audit trail."})


def add_record_links(doc: dict) -> None:
    """OpenAPI links for the quote -> accept -> pay -> read chain (followed by Schemathesis's stateful tests)."""
    arrangement = {"arrangement_id": "$response.body#/arrangement_id"}
    paths = doc["paths"]
    paths["/v1/quotes"]["post"]["responses"]["201"]["links"] = {
        "GetQuote": {"operationId": "getQuote", "parameters": {"quote_id": "$response.body#/quote_id"},
                     "description": "Read the stored quote back."},
        "AcceptFirstOption": {"operationId": "createArrangement", "description": "Accept the first option.",
                              "requestBody": {"quote_id": "$response.body#/quote_id",
                                              "option_id": "$response.body#/options/0/option_id",
                                              "accepted_by": "borrower"}}}
    paths["/v1/arrangements"]["post"]["responses"]["201"]["links"] = {
        "GetArrangement": {"operationId": "getArrangement", "parameters": arrangement},
        "RecordPayment": {"operationId": "recordPayment", "parameters": arrangement},
        "ListEvents": {"operationId": "listArrangementEvents", "parameters": arrangement},
        "Decide": {"operationId": "decideArrangement", "parameters": arrangement},
        "Cancel": {"operationId": "cancelArrangement", "parameters": arrangement},
        "ListAccount": {"operationId": "listAccountArrangements",
                        "parameters": {"account_id": "$response.body#/account_id"}}}
