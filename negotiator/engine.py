"""The engine's front door: decide between options and render a quote.

:func:`decide` applies the ladder (stop at the first affordable rung), the
channel's rules (a portal sees only options that need no approval, within
its bounds) and picks the recommended option, on whole arrays: the batch job
calls it on a million accounts, :func:`quote` on one. :func:`quote` then
renders one account as the wire response of BRIEF section 4.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import numpy as np

from . import compiled
from .accounts import Accounts, check, from_records
from .affordability import assess
from .errors import FieldError, ValidationError, flatten_messages
from .kinds import ORDER
from .options import OptionSet, acceptable_sets, build
from .policy import Policy, PolicyRegistry
from .schemas import QuoteRequestSchema

_QUOTE_SCHEMA = QuoteRequestSchema()


@dataclass
class Decision:
    """What each account is shown: per option type, visible and why not; the pick."""

    visible: dict[str, np.ndarray]
    decline: dict[str, np.ndarray]
    recommended: np.ndarray        # index into ORDER, -1 when nothing is affordable
    nearest: np.ndarray            # index into ORDER of the closest plan, -1 when none
    shortfall: np.ndarray          # minor units the nearest plan needs beyond affordable


def decide(acc: Accounts, sets: dict[str, OptionSet], affordable: np.ndarray, policy: Policy,
           channel: str) -> Decision:
    """Channel rules and recommendation for every account at once.

    The ladder itself is climbed in :func:`negotiator.options.build`, which
    declines the rungs above the first acceptable one.
    """
    n = len(acc)
    decline = {t: s.decline.copy() for t, s in sets.items()}
    good = dict(zip(sets, acceptable_sets(list(sets.values()), channel)))
    if channel == "portal":
        too_high = acc.balance + acc.fees > policy.amount_array("portal_max_balance", acc)
        for t, s in sets.items():
            d = decline[t]
            d[(d == None) & (s.tier > 0)] = "requires_agent"  # noqa: E711
            d[too_high] = "portal_debt_too_high"
            if not policy.portal.enabled:
                d[:] = "portal_disabled"
    visible = {t: decline[t] == None for t in sets}  # noqa: E711
    types = [t for t in ORDER if t in sets]
    k = len(types)
    if k:
        npv, usable, shown, max_payment = (np.concatenate(parts) for parts in zip(*(
            (sets[t].npv, visible[t] & good[t], visible[t], sets[t].max_payment) for t in types)))
        order = np.array([ORDER.index(t) for t in types], dtype=np.int64)
        picked = compiled.run("pick_many", n, [npv.astype(np.float64), usable, shown, max_payment.astype(np.int64),
                                               np.asarray(affordable, dtype=np.int64), order, k, n],
                              [(3 * n, np.int64)])[0].reshape(n, 3)
        recommended, nearest, shortfall = picked[:, 0], picked[:, 1], picked[:, 2]
    else:
        recommended = nearest = np.full(n, -1)
        shortfall = np.zeros(n, dtype=np.int64)
    return Decision(visible, decline, recommended, nearest, shortfall)


# --------------------------------------------------------------------------- single quotes

def load_request(body: object, schema=_QUOTE_SCHEMA) -> dict:
    """Validate a request body's shape; every bad field is reported at once."""
    from marshmallow import ValidationError as MmError
    if not isinstance(body, dict):
        raise ValidationError([FieldError("(body)", "Must be a JSON object.")])
    try:
        return schema.load(body)
    except MmError as exc:
        raise ValidationError([FieldError(f, m) for f, m in flatten_messages(exc.messages)]) from None


def prepare(req: dict, registry: PolicyRegistry, today: dt.date | None = None, channel: str = "agent"):
    """Policy, as-of date and one-row arrays for a loaded request; all rule breaches at once.

    A portal caller is never told a policy limit: such a breach reads as
    something this service cannot quote.
    """
    policy = registry.get(req["policy"])
    as_of = req.get("as_of") or today or dt.date.today()
    acc, errors = from_records([req], as_of)
    unparsed = {f for _, f, _ in errors}
    errors += [e for e in check(acc, policy) if e[1] not in unparsed]
    if errors:
        seen, unique = set(), []
        for _, f, m in errors:
            if channel == "portal" and "under policy" in m:
                m = "Is outside what this service can quote; please talk to our team."
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
    req = load_request(body)
    policy, as_of, acc = prepare(req, registry, today, channel)
    asked = req.get("options")
    types = tuple(t for t in ORDER if t in set(asked)) if asked else None
    assessment = assess(acc, policy, channel)
    sets = build(acc, assessment, policy, channel, types)
    decision = decide(acc, sets, assessment.now, policy, channel)
    r = Renderer(acc, assessment, policy, channel, req["locale"], as_of)
    return r.quote(quote_id(req, policy, channel, as_of), sets, decision, req["schedules"])


from .render import Renderer, format_effective_rate  # noqa: E402  (re-exported)

__all__ = ["quote", "decide", "prepare", "load_request", "Decision", "format_effective_rate", "Renderer"]
