"""The ``Idempotency-Key`` header, read one way for every operation that takes it (accepting an offer, making
an invitation).

A key is 8 to 128 letters, digits or ``. _ : -``; a malformed one (or a missing one where the operation needs
it) is a 400 ``idempotency_key_invalid`` naming the header. What a key does is the store's
(:meth:`negotiator.store.records.Records.accept` and :meth:`~negotiator.store.records.Records.once`): the same
key and body are answered the same for ``NEGOTIATOR_IDEMPOTENCY_HOURS`` (24), refusals included; then the key
is free again.
"""

from __future__ import annotations

import re

from flask import request

from negotiator.app.problems import Problem
from negotiator.wire.records import IDEMPOTENCY_KEY_PATTERN

_KEY_RE = re.compile(IDEMPOTENCY_KEY_PATTERN)


def read_key(required: bool = True) -> str | None:
    """This request's Idempotency-Key (None when absent and not required)."""
    key = request.headers.get("Idempotency-Key")
    if key is None and not required:
        return None
    if key is None or not _KEY_RE.match(key):
        what = "is required" if key is None else "must be 8 to 128 letters, digits or . _ : -"
        raise Problem(400, "Bad request", f"The Idempotency-Key header {what}.", "idempotency_key_invalid",
                      errors=[{"field": "Idempotency-Key", "message": f"The header {what}."}])
    return key
