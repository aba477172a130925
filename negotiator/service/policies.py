"""``GET /v1/policies`` and ``GET /v1/policies/{name}``.

Agent and batch keys see a policy whole; portal keys see only what a
borrower may: its name, version, description, currencies, rounding,
first-payment offset and where to turn for help (``advice``), never its
limits, floors or approval tiers.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g

from negotiator.app.responses import json_response
from negotiator.core.errors import UnknownPolicyError
from negotiator.policy import NAME_RE

bp = Blueprint("policies", __name__)

PUBLIC_KEYS = ("name", "version", "description", "currencies", "rounding", "first_payment_offset_days", "advice")


def _registry():
    return current_app.extensions["negotiator"]["registry"]


@bp.get("/v1/policies")
def list_policies():
    """Name, version and description of every loaded policy."""
    return json_response({"policies": [{"name": p.name, "version": p.version, "description": p.description}
                                       for p in _registry()]})


@bp.get("/v1/policies/<name>")
def get_policy(name: str):
    """One policy as data; the portal view holds no internal figures."""
    registry = _registry()
    if not NAME_RE.match(name):
        raise UnknownPolicyError(name[:64], registry.names())
    policy = registry.get(name)
    g.policy = policy.name
    data = policy.public_dict()
    if g.channel == "portal":
        data = {k: data[k] for k in PUBLIC_KEYS}
    return json_response(data)
