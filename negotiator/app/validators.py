"""Validators (RFC 9110 section 8.8 and 13): ETag and Last-Modified on every record read, ``If-None-Match``
answered 304, ``If-Match`` checked on every change of an arrangement (issue 23).

One helper for every route. A record's ETag is strong: the SHA-256 of its JSON representation exactly as the
service writes it (so two answers with the same ETag are byte-identical, and any change of the record, or of
the day it is read as of, gives another). ``Last-Modified`` is sent where the record keeps the time it last
changed (an arrangement's ``updated_at``). A change (decide, cancel, pay) sent with ``If-Match`` is done only
when the arrangement's current representation (as read today, ``GET /v1/arrangements/{id}`` without
``as_of``) still has that ETag; else 412 ``precondition_failed`` and nothing is written. The check runs in the
store's transaction, under the arrangement's row lock, so no change can slip between the check and the write.

>>> etag({"a": 1}) == etag({"a": 1}) != etag({"a": 2})
True
>>> matches('"x", "y"', '"y"'), matches('W/"y"', '"y"'), matches("*", '"y"'), matches('W/"y"', '"y"', weak=True)
(True, False, True, True)
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from flask import Response, request
from werkzeug.http import http_date, parse_etags, unquote_etag

from negotiator.app.problems import Problem
from negotiator.app.responses import dumps


def etag(payload: dict) -> str:
    """The strong ETag of ``payload`` as the service writes it."""
    return _tag(dumps(payload))


def _tag(text: str) -> str:
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


def matches(header: str | None, tag: str, weak: bool = False) -> bool:
    """Does the ``If-Match`` (strong comparison) or ``If-None-Match`` (``weak=True``) header name ``tag``?"""
    if header is None:
        return False
    tags = parse_etags(header)
    if tags.star_tag:
        return True
    value = unquote_etag(tag)[0]
    return tags.contains_weak(value) if weak else tags.contains(value)


def _headers(resp: Response, tag: str, modified: dt.datetime | None) -> Response:
    resp.headers["ETag"] = tag
    if modified is not None:
        resp.headers["Last-Modified"] = http_date(modified)
    return resp


def read(payload: dict, modified: dt.datetime | None = None) -> Response:
    """A record read: 200 with its ETag (and Last-Modified), or 304 with no body when the client's
    ``If-None-Match`` names that ETag (or is ``*``)."""
    text = dumps(payload)   # once: the answer and its tag are of the same text
    tag = _tag(text)
    if matches(request.headers.get("If-None-Match"), tag, weak=True):
        return _headers(Response(status=304), tag, modified)
    return _headers(Response(text, mimetype="application/json"), tag, modified)


def written(payload: dict, modified: dt.datetime | None = None, status: int = 200) -> Response:
    """A change's answer that is the record as read now: with its new ETag (and Last-Modified)."""
    text = dumps(payload)
    return _headers(Response(text, status=status, mimetype="application/json"), _tag(text), modified)


def expect() -> Callable[[dict], None] | None:
    """This request's ``If-Match`` as the check the store runs on the arrangement's current representation,
    under its row lock; None without the header."""
    header = request.headers.get("If-Match")
    if header is None:
        return None

    def check(current: dict) -> None:
        if not matches(header, etag(current)):
            raise Problem(412, "Precondition failed", "The arrangement changed since the version If-Match names; "
                          "read it again (GET, its ETag) and decide on what it is now.", "precondition_failed",
                          errors=[{"field": "If-Match", "message": "Not the arrangement's current ETag."}])
    return check


def modified(record: dict) -> dt.datetime | None:
    """A record's last change, from its ``updated_at`` (None when it keeps none).

    >>> modified({"updated_at": "2026-11-23T09:30:00+00:00"})
    datetime.datetime(2026, 11, 23, 9, 30, tzinfo=datetime.timezone.utc)
    """
    at = record.get("updated_at")
    return dt.datetime.fromisoformat(at) if isinstance(at, str) else None
