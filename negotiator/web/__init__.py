"""The pages on the API: the agent console (``/console``) and the borrower portal (``/portal/...``).

:func:`register` adds them to the service's app, with the invitation
endpoint (``POST /v1/invitations``) that makes a portal link. Pages are
server-rendered Jinja2 templates; every form carries a CSRF token
(Flask-WTF's :class:`~flask_wtf.csrf.CSRFProtect`, checked only on these
pages: the JSON API is authenticated by keys, not cookies); every page is
sent with a Content-Security-Policy that allows only this site's own
scripts, styles and forms. The pages call the same functions as the API
(:func:`negotiator.engine.quote`, :func:`negotiator.proposals.propose`,
the store's :class:`~negotiator.store.records.Records`).

Switches (see :class:`negotiator.service.config.Config`): the console is on
behind a sign-on proxy (``NEGOTIATOR_CONSOLE_AGENT_HEADER``) or in
development mode (agent ``dev-agent``); the portal and invitations need
``NEGOTIATOR_SECRET_KEY`` (development mode makes one per start).
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Flask, current_app, request
from werkzeug.exceptions import HTTPException

#: Sent with every page: nothing but this site's own files, no framing, forms posted only here.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
                "Cache-Control": "no-store"}


def secret_key(cfg) -> str | None:
    """The configured secret, a random one in development mode, or None (portal off)."""
    if cfg.secret_key:
        return cfg.secret_key
    return secrets.token_urlsafe(32) if cfg.dev else None


def register(app: Flask) -> None:
    """Add the console, the portal, their static files and the invitation endpoint to ``app``."""
    from flask_wtf.csrf import CSRFProtect

    from .console import bp as console_bp
    from .invitations import bp as invitations_bp
    from .portal import bp as portal_bp

    state = app.extensions["negotiator"]
    cfg = state["config"]
    key = secret_key(cfg)
    state["secret"] = key
    app.config.update(
        SECRET_KEY=key, WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_TIME_LIMIT=4 * 3600,
        SESSION_COOKIE_NAME="negotiator_session", SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=cfg.public_url.startswith("https://"))
    app.extensions["csrf_protect"] = CSRFProtect(app)
    app.register_blueprint(Blueprint("assets", __name__, static_folder="static", static_url_path="/assets"))
    app.register_blueprint(invitations_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(portal_bp)
    for code in (404, 405):
        app.register_error_handler(code, _not_here)


def _not_here(exc: HTTPException):
    """404 and 405: a page under ``/portal``, elsewhere what the app answers other HTTP errors with.

    Registered on the app, not the portal's blueprint: an address no view
    matches belongs to no blueprint.
    """
    if request.path == "/portal" or request.path.startswith("/portal/"):
        from .portal import error_page
        return error_page(exc)
    fallback = current_app.error_handler_spec[None][None].get(HTTPException)
    return fallback(exc) if fallback else exc


def page_headers(resp):
    """The pages' security headers (an ``after_request`` of each page blueprint)."""
    for k, v in PAGE_HEADERS.items():
        resp.headers[k] = v
    return resp
