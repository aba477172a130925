"""The reads' common contract in the OpenAPI document (issue 23): paging, query refusal, validators.

Called by :func:`negotiator.service.openapi.build_spec` on the finished document, so every ``/v1`` read is
covered whoever declared it: the paged lists get ``limit``, ``cursor`` and a ``Link`` header; every ``/v1``
GET documents the 400 of an unknown query parameter (``unknown_parameters``) and, on a list, of a bad cursor
(``invalid_cursor``); the record reads their ``ETag`` (an arrangement also ``Last-Modified``),
``If-None-Match`` and 304; the arrangement's changes ``If-Match`` and 412 (:mod:`negotiator.app.validators`).
"""

from __future__ import annotations

from negotiator.core.limits import MAX_PAGE, PAGE
from negotiator.store.cursors import MAX_LENGTH

#: The paged lists: operationId -> what a page holds and its order.
PAGED = {
    "listAccountArrangements": "arrangements, newest first",
    "listArrangementEvents": "events, oldest first",
    "listAccountContacts": "contacts, newest first",
    "listPolicies": "policies, by name",
    "listFollowUps": "the day's items, of at most `limit` arrangements with work, by account",
}
LIMIT = {"name": "limit", "in": "query", "required": False,
         "description": f"Items on the page: 1 to {MAX_PAGE} (default {PAGE}); any other is a 422 naming `limit`.",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": PAGE}}
CURSOR = {"name": "cursor", "in": "query", "required": False,
          "description": "The previous page's `next_cursor` (opaque; the `Link: rel=\"next\"` URL carries it). One "
                         "this list did not give is a 400 `invalid_cursor`.",
          "schema": {"type": "string", "maxLength": MAX_LENGTH}}
LINK = {"description": "`<...>; rel=\"next\"` (RFC 8288): the next page, the same query with `cursor` moved on; "
                       "absent on the last page.", "schema": {"type": "string"},
        "example": '</v1/accounts/ACC-1001/arrangements?limit=20&cursor=WyJhIiwiNjNhOTQwYjkiXQ>; rel="next"'}


def _bad_query(problem, paged: bool) -> dict:
    more = " or a `cursor` this list did not give (`invalid_cursor`)" if paged else ""
    return problem(400, "A query parameter this operation does not take (`unknown_parameters`, each named in "
                        f"`errors`){more}.")


def add_read_contract(doc: dict, problem) -> None:
    """Paging parameters and headers on the lists, the query's 400 on every /v1 GET."""
    for path, ops in doc["paths"].items():
        op = ops.get("get")
        if op is None or not path.startswith("/v1/"):
            continue
        paged = op["operationId"] in PAGED
        if paged:
            params = [p for p in op.get("parameters", []) if p["name"] not in ("limit", "cursor")]
            op["parameters"] = [*params, LIMIT, CURSOR]
            op["responses"]["200"]["headers"]["Link"] = LINK
            op["responses"].setdefault("422", problem(422, "`limit` is not a whole number from 1 to "
                                                           f"{MAX_PAGE}."))
            op["description"] = (op.get("description", "") + " A page of " + PAGED[op["operationId"]]
                                 + ": follow `next_cursor` (or `Link`) for the next.").strip()
        op["responses"]["400"] = _bad_query(problem, paged)
        op["responses"] = dict(sorted(op["responses"].items()))


#: The record reads that carry an ETag (and answer 304), and those that also carry Last-Modified.
VALIDATED = ("getQuote", "getArrangement", "listArrangementEvents", "listAccountArrangements", "listPolicies",
             "getPolicy", "listAccountContacts")
MODIFIED = ("getArrangement",)
#: The changes of an arrangement that take If-Match; those whose answer is the arrangement (its new ETag).
CHANGES = ("decideArrangement", "cancelArrangement", "recordPayment")
ANSWERS_RECORD = ("decideArrangement", "cancelArrangement")
ETAG = {"description": "The representation's strong validator (RFC 9110 section 8.8.3): send it back in "
                       "`If-None-Match` to read only if it changed, or (an arrangement) in `If-Match` to change it "
                       "only if it did not.", "schema": {"type": "string"},
        "example": '"68a2b0c20c30611afe4fd3687c0b55c8"'}
LAST_MODIFIED = {"description": "When the stored record last changed (an HTTP date).", "schema": {"type": "string"},
                 "example": "Sun, 20 Dec 2026 10:02:00 GMT"}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False,
                 "description": "ETags of a copy the client holds (or `*`): when the record's ETag is among them "
                                "the answer is a 304 with no body.",
                 "schema": {"type": "string"}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "description": "The arrangement's ETag as last read (`GET /v1/arrangements/{arrangement_id}` without "
                           "`as_of`: as of today), or `*`: the change is made only if the arrangement is still that "
                           "version, else 412 `precondition_failed` and nothing is written.",
            "schema": {"type": "string"}}


def add_validators(doc: dict, problem, rid: dict) -> None:
    """ETag, Last-Modified, If-None-Match and 304 on the record reads; If-Match and 412 on the changes."""
    for ops in doc["paths"].values():
        for op in ops.values():
            op_id = op.get("operationId")
            if op_id in VALIDATED:
                op["parameters"] = [*op.get("parameters", []), IF_NONE_MATCH]
                headers = op["responses"]["200"]["headers"]
                headers["ETag"] = ETAG
                if op_id in MODIFIED:
                    headers["Last-Modified"] = LAST_MODIFIED
                op["responses"]["304"] = {"description": "Not modified: the record's ETag is one `If-None-Match` "
                                                         "names; no body.",
                                          "headers": {"X-Request-ID": rid, **{k: v for k, v in headers.items()
                                                                              if k in ("ETag", "Link")}}}
            elif op_id in CHANGES:
                op["parameters"] = [*op.get("parameters", []), IF_MATCH]
                op["responses"]["412"] = problem(412, "`If-Match` names a version of the arrangement that is no "
                                                      "longer current (`precondition_failed`): read it again.")
                if op_id in ANSWERS_RECORD:
                    op["responses"]["200"]["headers"].update({"ETag": ETAG, "Last-Modified": LAST_MODIFIED})
            else:
                continue
            op["responses"] = dict(sorted(op["responses"].items()))
