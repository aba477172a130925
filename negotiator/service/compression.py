"""gzip for API answers when the client asks (``Accept-Encoding: gzip``), with the standard library's ``gzip``.

Only JSON and YAML answers of at least :data:`MIN_BYTES` are compressed
(quotes with schedules, lists, the OpenAPI document); a short answer would
grow. Never HTML pages, nor the invitation's answer: a page or answer that
holds a secret (a CSRF token, a signed link) beside text the request chose
can be read byte by byte through its compressed length (the BREACH attack),
so those are sent as they are. Every answer that could have been
compressed says ``Vary: Accept-Encoding`` so caches keep the two apart.

Why not Flask-Compress: it would add brotli and zstandard for answers of a
few kilobytes, and a cache; werkzeug parses ``Accept-Encoding`` and
``gzip.compress`` does the rest in a few lines.

>>> from werkzeug.http import parse_accept_header
>>> wants_gzip(parse_accept_header("gzip, br", Accept)), wants_gzip(parse_accept_header("gzip;q=0", Accept))
(True, False)
>>> wants_gzip(parse_accept_header("*", Accept)), wants_gzip(parse_accept_header("identity", Accept))
(True, False)
"""

from __future__ import annotations

import gzip

from flask import Response
from werkzeug.datastructures import Accept

MIN_BYTES = 1024
TYPES = frozenset({"application/json", "application/problem+json", "application/yaml", "text/plain"})
#: Answers never compressed: they hold a secret beside what the request chose (BREACH).
SECRET_ROUTES = frozenset({"/v1/invitations"})


def wants_gzip(accept: Accept) -> bool:
    """The client accepts gzip (named, or ``*``, with a quality above 0)."""
    return accept.quality("gzip") > 0


def compress(resp: Response, accept: Accept, route: str) -> Response:
    """``resp`` gzipped in place when the client asks and it is worth it (see the module)."""
    if resp.mimetype not in TYPES or route in SECRET_ROUTES or resp.direct_passthrough or resp.is_streamed:
        return resp
    resp.vary.add("Accept-Encoding")
    if (not wants_gzip(accept) or "Content-Encoding" in resp.headers or resp.status_code in (204, 304)
            or "Set-Cookie" in resp.headers):
        return resp
    body = resp.get_data()
    if len(body) < MIN_BYTES:
        return resp
    resp.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    resp.headers["Content-Encoding"] = "gzip"
    return resp
