"""The console's OpenID Connect sign-in (Authlib): agents sign in at the lender's provider; sessions expire.

With ``NEGOTIATOR_CONSOLE_OIDC_ISSUER`` set, ``/console/login`` sends the agent
to the provider (authorization code flow, with ``state`` and ``nonce``);
``/console/auth`` takes the code back, exchanges it at the provider's token
endpoint, checks the ID token (signature against the provider's keys, issuer,
audience, expiry, nonce: Authlib's ``authorize_access_token``) and signs the
agent in as the token's ``sub``. The sign-in is kept in the signed session
cookie for ``NEGOTIATOR_CONSOLE_SESSION_MINUTES`` (480), then the agent signs in
again; ``/console/logout`` ends it. Nothing a client sends in a header says
who the agent is.
"""

from __future__ import annotations

import logging
import re
import time

from flask import current_app, session

from negotiator.wire.records import ID_PATTERN

log = logging.getLogger("negotiator.web")
_ID_RE = re.compile(ID_PATTERN)
SIGNIN_ENDPOINTS = ("console.login", "console.auth", "console.logout")
#: The session keys of a sign-in.
AGENT, UNTIL = "console_agent", "console_until"


def register(app, cfg) -> None:
    """The provider's client, Authlib's (its metadata read on first use, from the issuer's discovery document)."""
    from authlib.integrations.flask_client import OAuth
    oauth = OAuth(app)
    oauth.register("console", client_id=cfg.console_oidc_client_id, client_secret=cfg.console_oidc_client_secret,
                   server_metadata_url=cfg.console_oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
                   client_kwargs={"scope": "openid"})
    app.extensions["negotiator"]["oauth"] = oauth


def _client():
    return current_app.extensions["negotiator"]["oauth"].console


def redirect_uri() -> str:
    cfg = current_app.extensions["negotiator"]["config"]
    return (cfg.console_url or cfg.public_url).rstrip("/") + "/console/auth"


def signed_in() -> str | None:
    """The signed-in agent, or None (never signed in, or the sign-in expired: it is forgotten)."""
    agent, until = session.get(AGENT), session.get(UNTIL)
    if not isinstance(agent, str) or not isinstance(until, (int, float)) or time.time() >= until:
        session.pop(AGENT, None)
        session.pop(UNTIL, None)
        return None
    return agent


def start(next_path: str):
    """To the provider; where to go after, kept in the session (a path of the console only)."""
    session["console_next"] = next_path if next_path.startswith("/console/") else "/console/"
    return _client().authorize_redirect(redirect_uri())


def finish() -> str:
    """The agent the provider signed in (ValueError when its answer is not one): kept for the session's life."""
    from authlib.common.errors import AuthlibBaseError
    try:
        token = _client().authorize_access_token()
    except (AuthlibBaseError, KeyError) as exc:
        raise ValueError(type(exc).__name__) from None
    claims = token.get("userinfo") or {}
    agent = claims.get("sub")
    if not isinstance(agent, str) or not _ID_RE.match(agent):
        raise ValueError("sub")
    minutes = current_app.extensions["negotiator"]["config"].console_session_minutes
    session[AGENT], session[UNTIL] = agent, time.time() + minutes * 60
    log.info("console sign-in", extra={"principal": f"console:{agent}"})
    return session.pop("console_next", "/console/")


def end() -> None:
    for k in (AGENT, UNTIL, "console_next"):
        session.pop(k, None)
