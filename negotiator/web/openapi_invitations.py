"""The OpenAPI operation of ``POST /v1/invitations`` (called by :func:`negotiator.service.openapi.build_spec`)."""

from __future__ import annotations

from negotiator.web.invitations import InvitationRequestSchema, InvitationSchema
from negotiator.wire.records import IDEMPOTENCY_KEY_PATTERN

EXAMPLE_REQUEST = {"account": {"account_id": "ACC-1001", "currency": "CNY", "balance": "12000.00", "arrears": "1500.00",
                               "fees": "300.00", "apr": "0.18", "days_past_due": 45, "product": "credit_card",
                               "contractual_payment": "600.00"},
                   "policy": "default", "locale": "zh-CN", "expires_in_hours": 72}
EXAMPLE_ANSWER = {"invitation_id": "i_0d7c2b9e4f6a8c1e3b5d", "account_id": "ACC-1001",
                  "url": "https://portal.example.com/portal/.eJw9jrFuwzAMRP9F...awxXwQ.w-ijAG9_-HRSt_YJuvjIe8IbfCs",
                  "expires_at": "2026-11-26T09:30:00+00:00", "locale": "zh-CN", "policy": "default"}


def add_invitation_operation(spec, ok, problem, secured) -> None:
    """Register the schemas and the path; ``ok``/``problem`` build responses as the rest of the document does."""
    spec.components.schema("InvitationRequest", schema=InvitationRequestSchema)
    spec.components.schema("Invitation", schema=InvitationSchema)
    spec.path(path="/v1/invitations", operations={"post": {
        "operationId": "createInvitation", "summary": "A signed, expiring portal link for one account",
        "tags": ["portal"], "security": secured,
        "description": "For the lender's systems (agent, supervisor or batch keys): the answer's `url` opens the "
                       "borrower's page for this account only, in `locale`, until `expires_at`. The token in it is "
                       "signed (itsdangerous) and cannot be altered; the account's figures are checked as a quote "
                       "checks them.",
        "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                        "example": "7d3c9a1e-invite-1",
                        "description": "Optional: the same key and body give the same link (not a second one), "
                                       "with `Idempotent-Replayed: true`, for NEGOTIATOR_IDEMPOTENCY_HOURS (24); "
                                       "the same key with another body is a 422 (`idempotency_key_reused`).",
                        "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN}}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/InvitationRequest"}, "example": EXAMPLE_REQUEST}}},
        "responses": {"201": ok("Invitation", "The link to send to the borrower.", EXAMPLE_ANSWER),
                      **{str(s): problem(s, d) for s, d in (
                          (400, "Malformed body or unknown fields, or a malformed Idempotency-Key."),
                          (401, "No API key, or an unknown one."),
                          (403, "A portal key cannot invite borrowers."),
                          (413, "Body larger than the limit."), (415, "Content-Type is not application/json."),
                          (422, "Invalid input (`account.account_id` is required); `errors` names every bad "
                                "field; an unknown policy (`unknown_policy_named`); or an Idempotency-Key "
                                "used with another body (`idempotency_key_reused`)."),
                          (429, "Rate limit of a portal key exceeded."),
                          (409, "Another request with this Idempotency-Key is being answered "
                                "(`idempotency_conflict`); retry."),
                          (503, "The portal is switched off (no NEGOTIATOR_SECRET_KEY), or an Idempotency-Key "
                                "was sent with the store off (`store_off`)."))}}}})
    spec.tag({"name": "portal", "description": "Invitations to the borrower's self-service page."})


def require_account_id(doc: dict) -> None:
    """State in the document the rule the request schema checks: an invitation names its account."""
    props = doc["components"]["schemas"]["InvitationRequest"]["properties"]
    props["account"] = {"allOf": [props["account"], {"required": ["account_id"]}]}
