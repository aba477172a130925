"""Every error as ``application/problem+json`` (RFC 9457), translated once, here.

A problem carries ``type`` (``urn:negotiator:problem:<code>``), ``code``,
``title``, ``status``, ``detail``, ``instance`` (this occurrence, by request
id), the request id and ``errors``, a list of ``{field, message}`` (empty when
no field is at fault; a field of the JSON body also has ``pointer``, its JSON
Pointer, RFC 6901). Each code has one status and one title, from the one table
:data:`negotiator.core.problems.PROBLEMS`. Nothing else leaves the service on
failure: no HTML page and no traceback (those go to the log, under the request
id).
"""

from __future__ import annotations

import json
import logging
import re

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from negotiator.core.errors import NegotiatorError, PolicyError, RecordError, UnknownPolicyError, ValidationError
from negotiator.core.problems import BY_STATUS, TYPE_BASE, lookup, pointer
from negotiator.wire.messages import detail, is_message

PROBLEM_TYPE = "application/problem+json"
INSTANCE_BASE = "urn:negotiator:request:"
#: Codes older releases answered, as the table names them now (docs/changelog.md).
LEGACY_CODES = {"idempotency-key": "idempotency_key_invalid", "rate-limit-store-unavailable": "rate_limit_unavailable",
                "domain-error": "refused", "http-error": "bad_request"}
log = logging.getLogger("negotiator.service")


def code_of(slug: str) -> str:
    """The table's code for a code or an older release's slug.

    >>> code_of("invalid-input"), code_of("idempotency-key"), code_of("quote_expired")
    ('invalid_input', 'idempotency_key_invalid', 'quote_expired')
    """
    return LEGACY_CODES.get(slug) or slug.replace("-", "_")


class Problem(Exception):
    """An HTTP error raised by the service's own checks (body, content type, keys).

    ``status`` and ``title`` are those of the code's row in the table (the arguments are kept for callers
    that name them; a status that differs from the table's is a bug :func:`problem_response` refuses).
    """

    def __init__(self, status: int, title: str, detail: str, slug: str, errors=None, headers=None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.slug = status, title, detail, slug
        self.errors, self.headers = errors, headers or {}


def problem_body(code: str, detail: str, errors=None, request_id: str = "-") -> tuple[int, dict]:
    """The status and document of a problem with the table's ``code``.

    >>> status, body = problem_body("quote_expired", "Quote again.", request_id="r1")
    >>> status, body["type"], body["title"], body["instance"], body["errors"]
    (409, 'urn:negotiator:problem:quote_expired', 'Quote expired', 'urn:negotiator:request:r1', [])
    """
    kind = lookup(code)
    return kind.status, {"type": TYPE_BASE + code, "code": code, "title": kind.title, "status": kind.status,
                         "detail": detail, "instance": INSTANCE_BASE + request_id, "request_id": request_id,
                         "errors": list(errors or ())}


def problem_response(status: int, title: str, detail: str, slug: str, errors=None, headers=None) -> Response:
    code = code_of(slug)
    if lookup(code).status != status:
        raise RuntimeError(f"problem {code} answered with {status}, the table says {lookup(code).status}")
    status, body = problem_body(code, detail, errors, getattr(g, "request_id", None) or "-")
    resp = Response(json.dumps(body, ensure_ascii=False, allow_nan=False), status=status, mimetype=PROBLEM_TYPE)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _page(exc: HTTPException) -> Response | None:
    """The pages' own answer to an error at one of their addresses (the hook :mod:`negotiator.web` sets), else None.

    A page that cannot be made falls back to problem+json (the failure is logged).
    """
    hook = current_app.extensions.get("negotiator", {}).get("error_page")
    if hook is None:
        return None
    try:
        return hook(exc)
    except Exception:   # noqa: BLE001 - an error page must not fail the error's answer
        log.exception("error page failed", extra={"request_id": getattr(g, "request_id", None)})
        return None


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status >= 500:
        return _unexpected(exc)
    page = _page(exc)
    if page is not None:
        return page
    headers = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    detail = {404: f"No resource at {request.path}.",
              405: f"{request.method} is not allowed here."}.get(status, exc.description or exc.name)
    return problem_response(status, exc.name, detail, BY_STATUS.get(status, "bad_request" if status < 500
                                                                      else "internal"), headers=headers)


#: What a problem may repeat of the client's own words: field paths (which hold unknown key names) and
#: policy names are cut to this many characters, unsafe characters replaced; at most MAX_ERRORS errors.
MAX_ECHO = 64
MAX_ERRORS = 20
_UNSAFE = re.compile(r"[^A-Za-z0-9_.()\-]")


def echo(text: str) -> str:
    """A client-supplied name as a problem may repeat it: at most 64 safe characters.

    >>> echo("account.surprise"), echo("<script>alert(1)</script>"), len(echo("x" * 60_000))
    ('account.surprise', '?script?alert(1)??script?', 65)
    """
    text = str(text)
    cut = _UNSAFE.sub("?", text[:MAX_ECHO])
    return cut + "…" if len(text) > MAX_ECHO else cut


def _errors(items: list[dict], locale: str = "en") -> list[dict]:
    """Field errors; those of a request with a body each with its JSON Pointer (``""``: the body as a whole).

    A request without a body (GET, HEAD, DELETE) has only query parameters at fault: they have no pointer.
    """
    body = request.method not in ("GET", "HEAD", "DELETE", "OPTIONS")
    out = [{"field": echo(e["field"]), **({"pointer": pointer(echo(e["field"]))} if body else {}),
            "message": e["message"]} for e in items[:MAX_ERRORS]]
    if len(items) > MAX_ERRORS:
        out.append({"field": "(more)", "message": detail("not_shown", locale, count=len(items) - MAX_ERRORS)})
    return out


def _unknown(message: str) -> bool:
    """marshmallow's message for a key that RAISE refuses, in any locale."""
    return is_message(message, "unknown_field")


def _domain_error(exc: NegotiatorError) -> Response:
    if isinstance(exc, ValidationError):
        errors = _errors([e.as_dict() for e in exc.errors], exc.locale)
        unknown = [e["field"] for e in errors if _unknown(e["message"])]
        language = {"Content-Language": exc.locale}
        if unknown:
            # A field the contract does not have: the client speaks another wire format (400, not 422).
            more = sum(_unknown(e.message) for e in exc.errors) - len(unknown)
            names = ", ".join(unknown)
            if more:
                names = detail("more", exc.locale, names=names, more=more)
            return problem_response(400, "Unknown fields", detail("unknown", exc.locale, names=names),
                                    "unknown_fields", errors=errors, headers=language)
        # The errors' messages and the detail are in the request's locale (negotiator.wire.messages).
        return problem_response(422, exc.title, detail("invalid", exc.locale), "invalid_input", errors=errors,
                                headers=language)
    if isinstance(exc, RecordError):
        # A refusal of the records or of the rights table: its stable code as the type, its field named.
        return problem_response(exc.status, "", exc.message, exc.code,
                                errors=[{"field": exc.field, "message": exc.message}])
    if isinstance(exc, UnknownPolicyError):
        # Named in the path, the resource is not there (404); named in a body, the field is refused (422).
        named = f"No policy named \"{echo(exc.name)}\"; known: {', '.join(exc.known)}."
        if request.view_args and "name" in request.view_args:
            return problem_response(404, "", named, "unknown_policy",
                                    errors=[{"field": "name", "message": "Unknown policy."}])
        return problem_response(422, "", named, "unknown_policy_named",
                                errors=[{"field": "policy", "pointer": "/policy", "message": "Unknown policy."}])
    if isinstance(exc, PolicyError):
        return problem_response(422, "", str(exc), "invalid_policy")
    return problem_response(422, exc.title, str(exc), "refused")


def _own(exc: Problem) -> Response:
    return problem_response(exc.status, exc.title, exc.detail, exc.slug, exc.errors, exc.headers)


def _unexpected(exc: BaseException) -> Response:
    log.error("unhandled error", exc_info=exc,
              extra={"request_id": getattr(g, "request_id", None), "route": _route()})
    page = _page(exc if isinstance(exc, HTTPException) else InternalServerError())
    if page is not None:
        return page
    return problem_response(500, "",
                            "The service failed to answer; the error is logged under this request id.", "internal")


def _route() -> str | None:
    rule = request.url_rule if request else None
    return rule.rule if rule is not None else None


def register(app: Flask) -> None:
    app.register_error_handler(Problem, _own)
    app.register_error_handler(NegotiatorError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
