"""The pages on the API: the agent console (``/console``) and the borrower portal (``/portal/...``).

:func:`register` adds them to the service's app, with the invitation
endpoint (``POST /v1/invitations``) that makes a portal link. Pages are
server-rendered Jinja2 templates; every form carries a CSRF token
(Flask-WTF's :class:`~flask_wtf.csrf.CSRFProtect`, checked only on these
pages: the JSON API is authenticated by keys, not cookies); every page is
sent with a Content-Security-Policy that allows only this site's own
scripts, styles and forms. The pages call the same functions as the API
(:func:`negotiator.engine.quote.quote`, :func:`negotiator.engine.proposals.propose`,
the store's :class:`~negotiator.store.records.Records`).

Switches (see :class:`negotiator.service.config.Config`): the console is on
behind a sign-on proxy (``NEGOTIATOR_CONSOLE_AGENT_HEADER``) or in
development mode (agent ``dev-agent``); the portal and invitations need
``NEGOTIATOR_SECRET_KEY`` (development mode keeps one in the data folder,
see :func:`dev_secret`).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path

from flask import Blueprint, Flask, current_app, request
from werkzeug.exceptions import HTTPException

from negotiator.web.headers import PAGE_HEADERS, page_headers
from negotiator.web.switches import console_on

__all__ = ["register", "error_page", "PAGE_HEADERS", "page_headers"]

#: The development secret's file, in the data folder (``NEGOTIATOR_DATA_DIR``, the embedded store's folder).
DEV_SECRET_FILE = "dev-secret-key"
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{32,200}")
log = logging.getLogger("negotiator.web")


def secret_key(cfg) -> str | None:
    """The configured secret; in development mode the one kept in the data folder; else None (portal off)."""
    if cfg.secret_key:
        return cfg.secret_key
    if not cfg.dev:
        return None
    from negotiator.store.db import default_data_dir
    return dev_secret(Path(cfg.data_dir) if cfg.data_dir.strip() else default_data_dir())


def dev_secret(folder: Path) -> str:
    """The development secret kept in ``folder/dev-secret-key``, made on first use (mode 0600), so that
    invitations and forms outlive a restart and all of a server's workers share it.

    Made in a private temporary file and linked into place, so that
    processes starting together agree on the first one. A file that is not
    the owner's alone, or not a secret this function writes, is left as it
    is and a random secret is used for this start only, as is one where the
    folder cannot hold the file; both are logged.
    """
    path = folder / DEV_SECRET_FILE
    try:
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{DEV_SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
            with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
                f.write(secrets.token_urlsafe(32) + "\n")
            try:
                os.link(tmp, path)      # fails if another process made it first: theirs is kept
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        kept = path.read_text(encoding="ascii").strip()
        if path.stat().st_mode & 0o077 or not _SECRET_RE.fullmatch(kept):
            log.warning("development secret %s is readable by others or malformed; using one for this start "
                        "only (delete the file to make a new one)", path)
            return secrets.token_urlsafe(32)
        return kept
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("development secret cannot be kept in %s (%s); using one for this start only", folder, exc)
        return secrets.token_urlsafe(32)


def register(app: Flask) -> None:
    """Add the console, the portal, their static files and the invitation endpoint to ``app``."""
    from flask_wtf.csrf import CSRFProtect

    from negotiator.web.console import bp as console_bp
    from negotiator.web.invitations import bp as invitations_bp
    from negotiator.web.portal import bp as portal_bp

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
    state["error_page"] = error_page
    app.jinja_env.filters["day"] = _day
    if cfg.console_oidc_issuer:
        from negotiator.web.signin import register as register_signin
        register_signin(app, cfg)


def _day(value: str | None) -> str:
    """The ``day`` filter: a wire date in the page's language (set by :func:`negotiator.web.text.helpers`)."""
    from flask import g

    from negotiator.web.text import day
    return day(value, g.get("page_lang", "en"))


def error_page(exc: HTTPException):
    """An error as a page under ``/portal``, and under ``/console`` while it is on; None elsewhere (the API's
    problem+json). The service's error handlers call it (``negotiator.app.problems``), for an address no
    view matches (which belongs to no blueprint) as for a failure inside a page.
    """
    def under(prefix: str) -> bool:
        return request.path == prefix or request.path.startswith(prefix + "/")

    cfg = current_app.extensions["negotiator"]["config"]
    if under("/portal"):
        from negotiator.web.portal import error_page as portal_page
        return portal_page(exc)
    if under("/console") and console_on(cfg):
        from negotiator.web.console import error_page as console_page
        return console_page(exc)
    return None
