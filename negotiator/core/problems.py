"""The service's one vocabulary of problems (RFC 9457): each code with its one status and title.

Every error answer carries ``type`` = ``urn:negotiator:problem:<code>`` and
``code`` from this table, with the status and title the table gives, so a
client can switch on the code alone; a code not in the table is a bug the
answer refuses to make (:func:`lookup` raises). The table is published in
the OpenAPI document (``x-problem-types`` and the ``Problem.code`` enum) and in
``docs/problems.md``, both generated from here.

>>> lookup("quote_expired")
ProblemType(status=409, title='Quote expired', description='The quote is past its validity; quote again.')
>>> TYPE_BASE + "quote_expired"
'urn:negotiator:problem:quote_expired'
"""

from __future__ import annotations

from typing import NamedTuple

TYPE_BASE = "urn:negotiator:problem:"


class ProblemType(NamedTuple):
    status: int
    title: str
    description: str


_P = ProblemType

#: code -> its status, its one title and when it is answered. Sorted by status, then code.
PROBLEMS: dict[str, ProblemType] = {
    # 400: the request cannot be read as this contract's request
    "bad_request": _P(400, "Bad request", "The request line, a header or a query could not be read."),
    "malformed_body": _P(400, "Malformed request body", "The body is not well-formed JSON, or its framing is "
                         "broken."),
    "unknown_fields": _P(400, "Unknown fields", "The body carries fields the contract does not have."),
    "unknown_parameters": _P(400, "Unknown query parameters", "The query carries parameters this operation does "
                             "not take."),
    "idempotency_key_invalid": _P(400, "Idempotency key missing or invalid", "Accepting needs an Idempotency-Key "
                                  "header (an invitation may send one) of 8 to 128 letters, digits or . _ : -."),
    "incomplete_form": _P(400, "Incomplete form", "A page's form arrived without the fields it was sent with."),
    "invalid_cursor": _P(400, "Invalid cursor", "The cursor is not one this list gave out, or is for another list."),
    # 401, 403
    "unauthorized": _P(401, "Unauthorized", "No API key, or one the service does not know."),
    "forbidden": _P(403, "Forbidden", "This request is not allowed from here."),
    "own_booking": _P(403, "Own booking", "A supervisor cannot decide a plan they booked (the console)."),
    "wrong_channel": _P(403, "Not allowed for this channel", "The key's channel may not do this (the rights "
                        "table, docs/service.md)."),
    # 404
    "not_found": _P(404, "Not found", "No resource at this address."),
    "unknown_quote": _P(404, "Unknown quote", "No quote with this id for this channel."),
    "unknown_arrangement": _P(404, "Unknown arrangement", "No arrangement with this id for this channel."),
    "unknown_policy": _P(404, "Unknown policy", "No policy with this name (the path names one)."),
    # 405 .. 417
    "method_not_allowed": _P(405, "Method not allowed", "The method is not allowed here; Allow lists those that "
                             "are."),
    "not_acceptable": _P(406, "Not acceptable", "The service answers application/json (problems as "
                         "application/problem+json) and nothing the Accept header allows."),
    "arrangement_exists": _P(409, "Arrangement exists", "The account has a live arrangement: name it in "
                             "replaces, or the live one changed."),
    "idempotency_conflict": _P(409, "Idempotency conflict", "A request with this Idempotency-Key is still "
                               "being answered."),
    "quote_expired": _P(409, "Quote expired", "The quote is past its validity; quote again."),
    "not_pending": _P(409, "Not pending", "The arrangement is not waiting for a decision."),
    "not_live": _P(409, "Not live", "The arrangement is not live (active or pending)."),
    "payment_conflict": _P(409, "Payment conflict", "A payment with this reference is being recorded."),
    "arrangement_not_active": _P(409, "Arrangement not active", "Payments are recorded only on an active "
                                 "arrangement."),
    "length_required": _P(411, "Length required", "A body needs Content-Length or chunked framing."),
    "precondition_failed": _P(412, "Precondition failed", "If-Match names a version that is no longer current."),
    "body_too_large": _P(413, "Content too large", "The body is larger than the service accepts."),
    "uri_too_long": _P(414, "URI too long", "The request line is too long."),
    "unsupported_media_type": _P(415, "Unsupported media type", "The body must be UTF-8 JSON sent as "
                                 "application/json."),
    "expectation_failed": _P(417, "Expectation failed", "Only 'Expect: 100-continue' is supported."),
    # 422: read, but refused
    "invalid_input": _P(422, "Invalid input", "The request has invalid fields; errors lists each."),
    "unknown_policy_named": _P(422, "Unknown policy named", "The body names a policy the service does not have."),
    "invalid_policy": _P(422, "Invalid policy", "The named policy cannot be applied to this request."),
    "idempotency_key_reused": _P(422, "Idempotency key reused", "This Idempotency-Key was used with another "
                                 "request."),
    "account_id_required": _P(422, "Account id required", "Only a quote with an account id can be accepted."),
    "unknown_option": _P(422, "Unknown option", "Not an option of this quote."),
    "option_not_acceptable": _P(422, "Option not acceptable", "The option is not affordable or not within "
                                "policy."),
    "approval_required": _P(422, "Approval required", "The option needs an approval this channel cannot give."),
    "borrower_only": _P(422, "Borrower only", "On the portal the borrower accepts."),
    "replaces_not_live": _P(422, "Not the live arrangement", "replaces names an arrangement that is not the "
                            "account's live one."),
    "reference_reused": _P(422, "Reference reused", "This payment reference was used with other details."),
    "reason_required": _P(422, "Reason required", "Cancelling, replacing or rejecting a plan needs a reason."),
    "reason_too_long": _P(422, "Reason too long", "The reason is longer than the record keeps."),
    "decision_required": _P(422, "Decision required", "A decision is approve or reject."),
    "refused": _P(422, "Refused", "The request was read but cannot be answered as asked."),
    # 429, 431
    "rate_limited": _P(429, "Too many requests", "The key's quota is spent; Retry-After says when to try again."),
    "headers_too_large": _P(431, "Request header fields too large", "Too many header fields, or one too large."),
    # 5xx
    "internal": _P(500, "Internal server error", "The service failed; the error is logged under the request id."),
    "not_implemented": _P(501, "Not implemented", "This build does not have the feature."),
    "unsupported_transfer_coding": _P(501, "Unsupported transfer coding", "Transfer-Encoding must be chunked "
                                      "(or absent)."),
    "store_off": _P(503, "Store switched off", "The records store is switched off."),
    "portal_off": _P(503, "Portal switched off", "The portal is switched off (no secret key)."),
    "no_requote": _P(503, "Requote unavailable", "This store was opened without the engine to re-run a quote."),
    "rate_limit_unavailable": _P(503, "Rate limit unavailable", "The service cannot check its rate limit now."),
}


def lookup(code: str) -> ProblemType:
    """The code's status and title; a :class:`KeyError` names a code missing from :data:`PROBLEMS`."""
    try:
        return PROBLEMS[code]
    except KeyError:
        raise KeyError(f"problem code {code!r} is not in negotiator.core.problems.PROBLEMS") from None


#: Status -> the generic code for an HTTP error with no code of its own.
BY_STATUS = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 406: "not_acceptable", 411: "length_required", 412: "precondition_failed",
             413: "body_too_large", 414: "uri_too_long", 415: "unsupported_media_type", 417: "expectation_failed",
             422: "invalid_input", 429: "rate_limited", 431: "headers_too_large", 500: "internal",
             501: "not_implemented"}


def pointer(field: str) -> str:
    """A field path as the errors give it (``finances.income_lines[0].amount``) as a JSON Pointer (RFC 6901).

    Headers and the body as a whole have no place in the body's document: they point at the root.

    >>> pointer("finances.income_lines[0].amount"), pointer("(body)"), pointer("Idempotency-Key")
    ('/finances/income_lines/0/amount', '', '')
    >>> pointer("a~b/c")
    '/a~0b~1c'
    """
    if not field or field.startswith("(") or field[0].isupper():
        return ""
    parts: list[str] = []
    for piece in field.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(piece.replace("~", "~0").replace("/", "~1"))
    return "".join("/" + p for p in parts)


def markdown() -> str:
    """The table as docs/problems.md shows it (a test keeps the page current)."""
    rows = ["| code | status | title | when |", "|---|---|---|---|"]
    rows += [f"| `{code}` | {k.status} | {k.title} | {k.description} |"
             for code, k in sorted(PROBLEMS.items(), key=lambda item: (item[1].status, item[0]))]
    return "\n".join(rows)
