"""``POST /v1/quotes`` and ``POST /v1/proposals``: parse, call the engine, answer.

The engine validates the body against the marshmallow request schemas (one
instance each, built at import) and returns the wire response; this module
only reads the body safely, applies the channel's view and writes JSON that
is checked to hold no NaN or infinity. A quote or what-if the store keeps
is answered 201 with its ``Location`` (``/v1/quotes/{quote_id}``, where it is
read back); with the store off (``NEGOTIATOR_STORE=0``) nothing is kept and
the answer is 200.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, g

from negotiator.app.access import Access
from negotiator.app.body import read_json
from negotiator.app.problems import Problem
from negotiator.app.responses import json_response, portal_view
from negotiator.engine.quote import quote
from negotiator.policy import NAME_RE

bp = Blueprint("quotes", __name__)
log = logging.getLogger("negotiator.service")

def _state() -> dict:
    return current_app.extensions["negotiator"]


def _body():
    cfg = _state()["config"]
    body = read_json(cfg.max_body_bytes, cfg.max_json_depth)
    if isinstance(body, dict):
        name = body.get("policy", "default")
        g.policy = name if isinstance(name, str) and NAME_RE.match(name) else None
    return body


def _answer(result: dict) -> Response:
    """200, or 201 with ``Location`` naming where the kept quote is read back (RFC 9110, section 15.3.2)."""
    if g.channel == "portal":
        result = portal_view(result)
    if _state().get("records") is None:
        return json_response(result)
    resp = json_response(result, 201)
    resp.headers["Location"] = f"/v1/quotes/{result['quote_id']}"
    return resp


@bp.post("/v1/quotes")
def create_quote():
    """Every option for one account, with the recommendation."""
    return _issue(quote, "quote")


@bp.post("/v1/proposals")
def create_proposal():
    """What-if: the plan a borrower's proposal implies, its concessions, verdict and counter-offer."""
    try:
        from negotiator.engine.proposals import propose
    except ImportError:   # pragma: no cover - the module ships with the package
        raise Problem(501, "Not Implemented", "Proposals are not available in this build.", "not_implemented") from None
    return _issue(propose, "what_if")   # kept: its plan (or counter-offer) can be accepted like a quoted option


def _issue(engine, action: str) -> Response:
    """The body (with the account's stored history) through ``engine``, the answer kept, then given."""
    access = Access.of_request()
    access.caller(action)   # a channel that may not is refused before its body is read
    return _answer(access.issue(engine, _body(), action, _state()["registry"]))
