"""``GET /v1/policies`` and ``GET /v1/policies/{name}``.

Agent and batch keys see a policy whole; portal keys see only what a
borrower may: its name, version, description, currencies, rounding,
first-payment offset and where to turn for help (``advice``), never its
limits, floors or approval tiers.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g

from negotiator.app import paging, validators
from negotiator.app.query import takes
from negotiator.core.errors import FieldError, UnknownPolicyError, ValidationError
from negotiator.policy import NAME_RE
from negotiator.store import cursors

bp = Blueprint("policies", __name__)

PUBLIC_KEYS = ("name", "version", "description", "currencies", "rounding", "first_payment_offset_days", "advice")


def _registry():
    return current_app.extensions["negotiator"]["registry"]


@bp.get("/v1/policies")
@takes(*paging.PAGING)
def list_policies():
    """A page of the loaded policies' names, versions and descriptions, by name."""
    errors: list[FieldError] = []
    limit = paging.limit_arg(errors)
    if errors:
        raise ValidationError(errors)
    cursor = paging.cursor_arg()
    after = cursors.text(cursors.decode(cursor, "p", "")[0]) if cursor is not None else ""
    names = sorted(n for n in (p.name for p in _registry()) if n > after)
    page, more = names[:limit], len(names) > limit
    registry = _registry()
    answer = {"policies": [{"name": p.name, "version": p.version, "description": p.description}
                           for p in map(registry.get, page)],
              "next_cursor": cursors.encode("p", "", page[-1]) if more else None}
    return paging.link(validators.read(answer), answer["next_cursor"])


@bp.get("/v1/policies/<name>")
@takes()
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
    return validators.read(data)
