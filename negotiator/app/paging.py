"""A page request read one way, and a page answered one way, for every list of the service (issue 23).

``limit`` is a whole number from 1 to :data:`~negotiator.core.limits.MAX_PAGE` (default
:data:`~negotiator.core.limits.PAGE`), else 422 ``invalid_input`` naming it; ``cursor`` is the previous page's
``next_cursor`` (the store checks it: :mod:`negotiator.store.cursors`, 400 ``invalid_cursor`` for any other).
A page with more after it carries ``next_cursor`` in its body and ``Link: <...>; rel="next"`` (RFC 8288), the
same query with the cursor moved on.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, request

from negotiator.core.errors import FieldError
from negotiator.core.limits import MAX_PAGE, PAGE
from negotiator.store.cursors import MAX_LENGTH

#: The query parameters of every paged list.
PAGING = ("limit", "cursor")


def limit_arg(errors: list[FieldError]) -> int:
    """``?limit=``; a bad one is added to ``errors`` (and the default returned)."""
    limit = request.args.get("limit", str(PAGE))
    if not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_PAGE):
        errors.append(FieldError("limit", f"A whole number from 1 to {MAX_PAGE}."))
        return PAGE
    return int(limit)


def cursor_arg() -> str | None:
    """``?cursor=`` as given (the store decodes it); one longer than any cursor is refused there too."""
    cursor = request.args.get("cursor")
    return cursor[:MAX_LENGTH + 1] if cursor is not None else None


def next_link(path: str, args, next_cursor: str) -> str:
    """The ``Link`` header's value for the next page: the same query, ``cursor`` moved on (``before`` dropped).

    >>> next_link("/v1/accounts/A/arrangements", [("limit", "2"), ("before", "a_1"), ("cursor", "x")], "y")
    '</v1/accounts/A/arrangements?limit=2&cursor=y>; rel="next"'
    """
    query = [(k, v) for k, v in args if k not in ("cursor", "before")] + [("cursor", next_cursor)]
    return f'<{path}?{urlencode(query)}>; rel="next"'


def link(resp: Response, next_cursor: str | None) -> Response:
    """``resp`` with the next page's ``Link`` when there is one."""
    if next_cursor is not None:
        resp.headers["Link"] = next_link(request.path, request.args.items(multi=True), next_cursor)
    return resp
