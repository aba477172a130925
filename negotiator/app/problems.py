"""Every error as ``application/problem+json`` (RFC 9457), translated once, here.

A problem carries ``type``, ``title``, ``status``, ``detail`` and the
request id; validation problems add ``errors``, a list of ``{field,
message}``. Nothing else leaves the service on failure: no HTML page and no
traceback (those go to the log, under the request id).
"""

from __future__ import annotations

import json
import logging
import re

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from negotiator.core.errors import NegotiatorError, RecordError, UnknownPolicyError, ValidationError
from negotiator.wire.messages import detail, is_message

PROBLEM_TYPE = "application/problem+json"
TYPE_BASE = "urn:negotiator:problem:"
log = logging.getLogger("negotiator.service")


class Problem(Exception):
    """An HTTP error raised by the service's own checks (body, content type, keys)."""

    def __init__(self, status: int, title: str, detail: str, slug: str, errors=None, headers=None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.slug = status, title, detail, slug
        self.errors, self.headers = errors, headers or {}


def problem_response(status: int, title: str, detail: str, slug: str, errors=None, headers=None) -> Response:
    body = {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail,
            "request_id": getattr(g, "request_id", None) or "-"}
    if errors is not None:
        body["errors"] = errors
    resp = Response(json.dumps(body, ensure_ascii=False, allow_nan=False), status=status, mimetype=PROBLEM_TYPE)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


_TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 409: "Conflict", 422: "Invalid input"}
_SLUGS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
          406: "not-acceptable", 411: "length-required", 413: "body-too-large", 414: "uri-too-long",
          415: "unsupported-media-type", 422: "invalid-input", 429: "rate-limited", 431: "headers-too-large"}


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
    return problem_response(status, exc.name, detail, _SLUGS.get(status, "http-error"), headers=headers)


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
    out = [{"field": echo(e["field"]), "message": e["message"]} for e in items[:MAX_ERRORS]]
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
                                    "unknown-fields", errors=errors, headers=language)
        # The errors' messages and the detail are in the request's locale (negotiator.wire.messages).
        return problem_response(422, exc.title, detail("invalid", exc.locale), "invalid-input", errors=errors,
                                headers=language)
    if isinstance(exc, RecordError):
        # A refusal of the records or of the rights table: its stable code as the type, its field named.
        return problem_response(exc.status, _TITLES.get(exc.status, "Refused"), exc.message, exc.code,
                                errors=[{"field": exc.field, "message": exc.message}])
    if isinstance(exc, UnknownPolicyError):
        return problem_response(404, exc.title, f"No policy named \"{echo(exc.name)}\"; known: "
                                f"{', '.join(exc.known)}.", "unknown-policy",
                                errors=[{"field": "policy", "message": "Unknown policy."}])
    status = exc.status if 400 <= exc.status < 500 else 400
    return problem_response(status, exc.title, str(exc), "domain-error")


def _own(exc: Problem) -> Response:
    return problem_response(exc.status, exc.title, exc.detail, exc.slug, exc.errors, exc.headers)


def _unexpected(exc: BaseException) -> Response:
    log.error("unhandled error", exc_info=exc,
              extra={"request_id": getattr(g, "request_id", None), "route": _route()})
    page = _page(exc if isinstance(exc, HTTPException) else InternalServerError())
    if page is not None:
        return page
    return problem_response(500, "Internal Server Error",
                            "The service failed to answer; the error is logged under this request id.", "internal")


def _route() -> str | None:
    rule = request.url_rule if request else None
    return rule.rule if rule is not None else None


def register(app: Flask) -> None:
    app.register_error_handler(Problem, _own)
    app.register_error_handler(NegotiatorError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
