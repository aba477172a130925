"""Opaque cursors: the one scheme every paged list of the service uses (issue 23).

A cursor is where the next page starts: the last row's keyset position (its sort columns), with the list it
belongs to (``kind``) and a digest of that list's scope (the account or arrangement), as unpadded base64url
JSON. It is opaque to clients and carries nothing a caller may not see. A cursor this service did not make, or
one made for another list (another kind, another account, another arrangement) is refused with 400
``invalid_cursor`` naming ``cursor``.

>>> c = encode("e", "a_1", 42); decode(c, "e", "a_1")
[42]
>>> decode(c, "e", "a_2")
Traceback (most recent call last):
...
negotiator.core.errors.RecordError: cursor: Not a cursor this list gave.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json

from negotiator.core.errors import RecordError
from negotiator.core.limits import MAX_PAGE, PAGE

__all__ = ["PAGE", "MAX_PAGE", "MAX_LENGTH", "encode", "decode", "instant", "stamp", "whole", "text"]

#: The longest cursor the service gives (and so takes).
MAX_LENGTH = 200


def _scope(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:8]


def encode(kind: str, scope: str, *position: str | int) -> str:
    """The cursor after the row at ``position`` (its sort columns) of the list ``kind`` of ``scope``."""
    raw = json.dumps([kind, _scope(scope), *position], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _refuse() -> RecordError:
    return RecordError(400, "invalid_cursor", "cursor", "Not a cursor this list gave.")


def decode(cursor: str, kind: str, scope: str, size: int = 1) -> list:
    """The position (``size`` values) a cursor of the list ``kind`` of ``scope`` holds; 400 ``invalid_cursor``
    for any other."""
    if not 0 < len(cursor) <= MAX_LENGTH:
        raise _refuse()
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _refuse() from None
    if not (isinstance(value, list) and len(value) == 2 + size and value[:2] == [kind, _scope(scope)]):
        raise _refuse()
    position = value[2:]
    if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in position):
        raise _refuse()
    return position


def instant(text) -> dt.datetime:
    """A position's UTC instant (as :func:`stamp` wrote it); 400 ``invalid_cursor`` when it is not one.

    >>> instant(stamp(dt.datetime(2027, 1, 4, 15, tzinfo=dt.UTC)))
    datetime.datetime(2027, 1, 4, 15, 0, tzinfo=datetime.timezone.utc)
    """
    try:
        when = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise _refuse() from None
    if when.tzinfo is None:
        raise _refuse()
    return when


def stamp(when: dt.datetime) -> str:
    """An instant as a position holds it (UTC, ISO 8601)."""
    return when.astimezone(dt.UTC).isoformat()


def whole(value) -> int:
    """A position's integer id; 400 ``invalid_cursor`` when it is not one."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise _refuse()
    return value


def text(value) -> str:
    """A position's string id; 400 ``invalid_cursor`` when it is not one."""
    if not isinstance(value, str) or len(value) > 64:
        raise _refuse()
    return value
