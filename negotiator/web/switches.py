"""Which pages are on: the console behind OpenID Connect, a trusted sign-on proxy's header, or in development mode."""

from __future__ import annotations


def console_on(cfg) -> bool:
    """The console is on behind OpenID Connect, a trusted sign-on proxy's header, or in development mode."""
    return bool(cfg.console_oidc_issuer or cfg.console_agent_header or cfg.dev)
