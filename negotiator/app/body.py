"""Reading a JSON request body defensively: size, media type, encoding, syntax, depth, numbers.

Each failure is a :class:`~negotiator.app.problems.Problem` naming what
is wrong: 413 too large, 415 not JSON, 400 not UTF-8, not valid JSON (NaN
and Infinity included, and numbers too large for a float), nested too deep
or holding the same key twice.
"""

from __future__ import annotations

import json

from flask import request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from negotiator.app.problems import Problem
from negotiator.core.problems import pointer
from negotiator.wire import strict_json

JSON_TYPES = ("application/json",)


def _read_errors() -> tuple[type[BaseException], ...]:
    """What a WSGI server raises from ``wsgi.input`` when the body's framing is broken."""
    errors: list[type[BaseException]] = [ClientDisconnected, EOFError]
    try:
        from gunicorn.http.errors import NoMoreData, ParseException
    except ImportError:   # pragma: no cover - gunicorn is a dependency
        pass
    else:
        errors += [ParseException, NoMoreData]
    return tuple(errors)


_READ_ERRORS = _read_errors()


def _bad(detail: str, field: str = "(body)") -> Problem:
    return Problem(400, "Malformed request body", detail, "malformed_body",
                   errors=[{"field": field, "pointer": pointer(field), "message": detail}])


def _depth(value, limit: int) -> bool:
    """True when ``value`` nests objects/arrays deeper than ``limit`` (iterative, no recursion)."""
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = v.values()
        elif not isinstance(v, list):
            continue
        if d > limit:
            return True
        stack.extend((x, d + 1) for x in v if isinstance(x, (dict, list)))
    return False


def read_json(max_bytes: int, max_depth: int):
    """The request's JSON body as Python values (any JSON value, floats finite)."""
    mimetype = request.mimetype
    if mimetype not in JSON_TYPES and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        raise Problem(415, "Unsupported Media Type", "The body must be JSON sent as Content-Type: application/json.",
                      "unsupported_media_type")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise Problem(415, "Unsupported Media Type", "JSON bodies must be UTF-8.", "unsupported_media_type")
    if request.content_length is not None and request.content_length > max_bytes:
        raise _too_large(max_bytes)
    try:
        raw = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise _too_large(max_bytes) from None
    except _READ_ERRORS:
        # The server's reader refused the framing (a bad chunk size or terminator, a body cut short).
        # Its message quotes the raw body, so it is not passed on, and the connection is not reused.
        raise Problem(400, "Malformed request body", "The body's framing is broken (a bad chunk size, a missing "
                      "chunk terminator, or fewer bytes than announced).", "malformed_body",
                      errors=[{"field": "(body)", "pointer": "", "message": "The body could not be read."}],
                      headers={"Connection": "close"}) from None
    if len(raw) > max_bytes:
        raise _too_large(max_bytes)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise _bad("The body starts with a byte order mark (BOM); send the JSON text without it.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("The body is not valid UTF-8.") from None
    if not text.strip():
        raise _bad("The body is empty; a JSON object is required.")
    try:
        value = strict_json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(f"Not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.") from None
    except RecursionError:
        raise _bad(f"JSON nested deeper than {max_depth} levels.") from None
    except ValueError as exc:   # NaN/Infinity, huge numbers, duplicate keys, over-long integers
        raise _bad(f"Not valid JSON: {str(exc)[:120]}.") from None
    if _depth(value, max_depth):
        raise _bad(f"JSON nested deeper than {max_depth} levels.")
    return value


def _too_large(max_bytes: int) -> Problem:
    return Problem(413, "Content Too Large", f"The body is larger than {max_bytes} bytes.", "body_too_large")
