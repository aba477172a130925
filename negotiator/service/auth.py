"""API keys: each bound to a channel (agent, portal, batch), compared in constant time.

A key is sent as ``X-API-Key: <key>`` or ``Authorization: Bearer <key>``.
Keys are held only as SHA-256 digests and never logged; the rate limiter
counts per digest prefix, not per key.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import g, request

from negotiator.app.problems import Problem


class KeyRing:
    """The configured keys; :meth:`channel` answers which channel a presented key belongs to."""

    def __init__(self, keys: dict[str, str]):
        self._entries = [(hashlib.sha256(k.encode()).digest(), ch) for k, ch in keys.items()]

    def channel(self, presented: str) -> tuple[str | None, str | None]:
        """``(channel, key_id)`` of a presented key, or ``(None, None)``.

        Every configured key is compared, each with :func:`hmac.compare_digest`
        on equal-length digests, so the time taken does not tell which (or
        whether a) key matched.
        """
        digest = hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest()
        found = None
        for entry, channel in self._entries:
            if hmac.compare_digest(entry, digest):
                found = channel
        return (found, digest.hex()[:16]) if found else (None, None)


def presented_key() -> str | None:
    key = request.headers.get("X-API-Key")
    if key is None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            key = value.strip()
    return key or None


def authenticate(ring: KeyRing) -> None:
    """Set ``g.channel``, ``g.key_id`` and ``g.principal`` (``channel:key id``, who the trail records) for the
    request's key; 401 when it has none that is known."""
    key = presented_key()
    if key is None:
        raise Problem(401, "Unauthorized", "An API key is required (X-API-Key header or Authorization: Bearer).",
                      "unauthorized", headers={"WWW-Authenticate": 'Bearer realm="negotiator"'})
    channel, key_id = ring.channel(key)
    if channel is None:
        raise Problem(401, "Unauthorized", "The API key is not valid.", "unauthorized",
                      headers={"WWW-Authenticate": 'Bearer realm="negotiator", error="invalid_token"'})
    g.channel, g.key_id, g.principal = channel, key_id, f"{channel}:{key_id}"
