"""Stored quotes and arrangements over HTTP: read a quote back, accept it, decide, pay, read, audit.

``GET /v1/quotes/{quote_id}``, ``POST /v1/arrangements`` (with an
``Idempotency-Key`` header), ``GET /v1/arrangements/{id}?as_of=DATE``,
``POST /v1/arrangements/{id}/decision`` (supervisor keys),
``POST /v1/arrangements/{id}/cancel`` (agent and supervisor keys),
``POST /v1/arrangements/{id}/payments``, ``GET /v1/arrangements/{id}/events``
and ``GET /v1/accounts/{account_id}/arrangements``. The views are thin: the
rules are in :mod:`negotiator.store.records` and
:mod:`negotiator.engine.arrangements`; a refusal there becomes a problem+json here
naming the field, with the refusal's code as its type. Who may call which is the rights table's
(:mod:`negotiator.app.rights`), checked by :class:`~negotiator.app.access.Access` before the store is read.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, g, request

from negotiator.app import paging, validators
from negotiator.app.access import Access
from negotiator.app.body import read_json
from negotiator.app.dates import read_day
from negotiator.app.idempotency import read_key
from negotiator.app.problems import Problem
from negotiator.app.query import takes
from negotiator.app.responses import json_response
from negotiator.core.errors import FieldError, RecordError, ValidationError
from negotiator.wire.records import ID_PATTERN

bp = Blueprint("arrangements", __name__)

_ACCOUNT_RE = re.compile(ID_PATTERN)


def _access() -> Access:
    return Access.of_request()


def _body():
    cfg = current_app.extensions["negotiator"]["config"]
    return read_json(cfg.max_body_bytes, cfg.max_json_depth)


def _as_of():
    """``?as_of=``: a date within NEGOTIATOR_AS_OF_DAYS of today (see :mod:`negotiator.app.dates`)."""
    return read_day()


def _id(value: str, field: str) -> str:
    """A record id from the path; one longer than any id is simply not found."""
    if len(value) > 40:
        what = "quote" if field == "quote_id" else "arrangement"   # arrangement_id, before
        raise RecordError(404, f"unknown_{what}", field, f"No {what} with this id.")
    return value


@bp.get("/v1/quotes/<quote_id>")
@takes()
def get_quote(quote_id: str):
    """A stored quote in the caller's view (a portal key reads only portal quotes)."""
    return validators.read(_access().get_quote(_id(quote_id, "quote_id")))


@bp.post("/v1/arrangements")
def accept():
    """Accept a quoted option; the Idempotency-Key makes a retry safe."""
    key = read_key()
    access = _access()
    access.caller("accept")   # a channel that cannot accept is refused before its body is read
    try:
        status, answer, replayed = access.accept(_body(), key, g.key_id)
    except RecordError as exc:
        if not exc.replayed:
            raise
        # The refusal this key and body were answered with, given again as it was (docs/service.md).
        raise Problem(exc.status, "", exc.message, exc.code, errors=[{"field": exc.field, "message": exc.message}],
                      headers={"Idempotent-Replayed": "true"}) from None
    resp = json_response(answer, status)
    resp.headers["Location"] = f"/v1/arrangements/{answer['arrangement_id']}"
    if replayed:
        resp.headers["Idempotent-Replayed"] = "true"
    return resp


@bp.get("/v1/arrangements/<arrangement_id>")
@takes("as_of")
def get_arrangement(arrangement_id: str):
    """The plan with every instalment's state, as of a date (default today)."""
    arr = _access().arrangement(_id(arrangement_id, "arrangement_id"), _as_of())
    return validators.read(arr, validators.modified(arr))


@bp.post("/v1/arrangements/<arrangement_id>/decision")
def decide(arrangement_id: str):
    """A supervisor approves or rejects an arrangement pending approval."""
    access = _access()
    access.caller("decide")
    arr = access.decide(_id(arrangement_id, "arrangement_id"), _body(), validators.expect())
    return validators.written(arr, validators.modified(arr))


@bp.post("/v1/arrangements/<arrangement_id>/cancel")
def cancel(arrangement_id: str):
    """An agent or supervisor cancels a live arrangement."""
    access = _access()
    access.caller("cancel")
    arr = access.cancel(_id(arrangement_id, "arrangement_id"), _body(), validators.expect())
    return validators.written(arr, validators.modified(arr))


@bp.post("/v1/arrangements/<arrangement_id>/payments")
def pay(arrangement_id: str):
    """Record a payment (idempotent by reference); it goes to the oldest instalment due."""
    access = _access()
    access.caller("pay")
    status, answer = access.pay(_id(arrangement_id, "arrangement_id"), _body(), validators.expect())
    return json_response(answer, status)


@bp.get("/v1/arrangements/<arrangement_id>/events")
@takes(*paging.PAGING)
def events(arrangement_id: str):
    """A page of the arrangement's audit trail, oldest first, from the quote it was made from."""
    errors: list[FieldError] = []
    limit = paging.limit_arg(errors)
    if errors:
        raise ValidationError(errors)
    page = _access().events(_id(arrangement_id, "arrangement_id"), limit, paging.cursor_arg())
    return paging.link(validators.read(page), page["next_cursor"])


@bp.get("/v1/accounts/<account_id>/arrangements")
@takes("as_of", "before", *paging.PAGING)
def account_arrangements(account_id: str):
    """A page of the account's arrangements (in the caller's view), newest first. ``before`` (an arrangement
    id) is the deprecated way to continue; ``cursor`` is the way (docs/changelog.md)."""
    errors: list[FieldError] = []
    if not _ACCOUNT_RE.match(account_id):
        errors.append(FieldError("account_id", "Must be 1 to 64 letters, digits or . _ : @ -."))
    limit = paging.limit_arg(errors)
    if errors:
        raise ValidationError(errors)
    before = request.args.get("before")
    if before is not None:
        _id(before, "before")
    page = _access().account(account_id, _as_of(), limit, before, paging.cursor_arg())
    return paging.link(validators.read(page), page["next_cursor"])
