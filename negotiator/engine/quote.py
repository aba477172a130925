"""The engine's front door: one request in, one quote out.

:func:`quote` validates a request body, prepares the account, builds the
options (:mod:`negotiator.engine.options`), decides between them
(:mod:`negotiator.engine.decide`) and renders the answer in the shape of
``QuoteResponse`` in ``api_spec/openapi.yaml``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from negotiator.core.errors import FieldError, ValidationError
from negotiator.engine.accounts import check, from_records
from negotiator.engine.affordability import assess
from negotiator.engine.decide import decide
from negotiator.engine.options import build
from negotiator.engine.render import Renderer
from negotiator.kinds import ORDER
from negotiator.policy import Policy, PolicyRegistry
from negotiator.wire.messages import ERRORS, errors_in
from negotiator.wire.schemas import load_request

# --------------------------------------------------------------------------- single quotes

def prepare(req: dict, registry: PolicyRegistry, today: dt.date | None = None, channel: str = "agent"):
    """Policy, as-of date and one-row arrays for a loaded request; all rule breaches at once.

    A portal caller is never told a policy limit: such a breach reads as
    something this service cannot quote.
    """
    policy = registry.get(req["policy"])
    as_of = req.get("as_of") or today or dt.date.today()
    acc, errors = from_records([req], as_of)
    errors += check(acc, policy, {0: {f for _, f, _ in errors}})
    if errors:
        seen, unique = set(), []
        for _, f, m in errors:
            if channel == "portal" and "under policy" in m:
                m = ERRORS["outside_service"]["en"]
            if (f, m) not in seen:
                seen.add((f, m))
                unique.append(FieldError(f, m))
        raise ValidationError(unique)
    return policy, as_of, acc


def quote_id(req: dict, policy: Policy, channel: str, as_of: dt.date) -> str:
    """A deterministic id: the same request, as-of date, policy version and channel give the same id."""
    canon = json.dumps({"r": req, "d": as_of.isoformat(), "p": [policy.name, policy.version], "c": channel},
                       sort_keys=True, default=str, separators=(",", ":"))
    return "q_" + hashlib.sha256(canon.encode()).hexdigest()[:20]


def quote(body: object, registry: PolicyRegistry, channel: str = "agent",
          today: dt.date | None = None) -> dict:
    """A full quote for one request body (as parsed from JSON), in the wire shape.

    Raises :class:`ValidationError` (every bad field) or
    :class:`UnknownPolicyError`; never returns NaN or infinity.
    """
    with errors_in(body):   # a zh-CN request is refused in Chinese (issue 18)
        req = load_request(body)
        policy, as_of, acc = prepare(req, registry, today, channel)
    asked = req.get("options")
    types = tuple(t for t in ORDER if t in set(asked)) if asked else None
    assessment = assess(acc, policy, channel)
    sets = build(acc, assessment, policy, channel, types)
    decision = decide(acc, sets, assessment.now, policy, channel)
    r = Renderer(acc, assessment, policy, channel, req["locale"], as_of)
    return r.quote(quote_id(req, policy, channel, as_of), sets, decision, req["schedules"])


__all__ = ["quote", "prepare", "quote_id"]
