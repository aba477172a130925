"""The pages' security headers: a Content-Security-Policy that allows only this site's own files."""

from __future__ import annotations

#: Sent with every page: nothing but this site's own files, no framing, forms posted only here.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
                "Cache-Control": "no-store"}


def page_headers(resp):
    """The pages' security headers (an ``after_request`` of each page blueprint)."""
    for k, v in PAGE_HEADERS.items():
        resp.headers[k] = v
    return resp
