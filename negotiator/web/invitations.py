"""Portal invitations: ``POST /v1/invitations`` makes a signed, expiring link for one account.

The lender's system (an agent or batch key) sends the account's figures,
the policy and the borrower's language; the answer is the link to send.
The token in the link is the invitation itself, signed with itsdangerous
(Flask's own signing library) under the service's secret and a salt used for
nothing else, so it cannot be altered, cannot stand in for any other signed
value (a form's CSRF token, a session), names exactly one account and
carries its expiry. The figures are signed, not encrypted: send the link
over HTTPS only, and keep full URLs out of proxy logs.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from dataclasses import dataclass

from flask import Blueprint, current_app, g, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as MmError

from negotiator.app import rights
from negotiator.app.body import read_json
from negotiator.app.idempotency import read_key
from negotiator.app.problems import Problem
from negotiator.app.responses import json_response
from negotiator.core.errors import ValidationError
from negotiator.policy import NAME_RE
from negotiator.wire.schemas import LOCALES, AccountSchema, StrictInt, _Strict, load_request

bp = Blueprint("invitations", __name__)

SALT = "negotiator.portal.invitation.v1"
MAX_HOURS = 720


class InvitationRequestSchema(_Strict):
    """``POST /v1/invitations``: the account as a quote takes it (``account_id`` required)."""

    account = fields.Nested(AccountSchema, required=True)
    policy = fields.String(load_default="default", validate=validate.Regexp(NAME_RE.pattern))
    locale = fields.String(load_default="en", validate=validate.OneOf(LOCALES),
                           metadata={"description": "The language the portal opens in (the borrower can switch)."})
    expires_in_hours = StrictInt((1, MAX_HOURS), metadata={
        "description": "How long the link works (default: the service's NEGOTIATOR_INVITATION_HOURS, 72)."})

    @validates_schema
    def _account_id(self, data, **kwargs):
        if "account_id" not in data.get("account", {}):
            raise MmError({"account": {"account_id": ["Required: an invitation is for one account."]}})


class InvitationSchema(Schema):
    """The answer: the link to send and when it stops working."""

    invitation_id = fields.String(required=True)
    account_id = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "The portal link (holds the signed token)."})
    expires_at = fields.DateTime(required=True)
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))
    policy = fields.String(required=True)


_REQUEST = InvitationRequestSchema()


@dataclass(frozen=True)
class Invitation:
    """A verified invitation: whose account, which figures, which policy and language, until when."""

    invitation_id: str
    account: dict
    policy: str
    locale: str
    expires: int          # Unix time

    @property
    def account_id(self) -> str:
        return self.account["account_id"]


class InvitationInvalid(Exception):
    """A token that was altered, cut short or never ours."""


class InvitationExpired(Exception):
    """A genuine token past its expiry; ``locale`` is its language and ``policy`` its policy (for the page that
    says so, and points to the policy's free debt advice)."""

    def __init__(self, locale: str = "en", policy: str | None = None):
        super().__init__(locale)
        self.locale, self.policy = locale, policy


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def sign(inv: Invitation, secret: str) -> str:
    """The token for ``inv``."""
    return _serializer(secret).dumps({"i": inv.invitation_id, "a": inv.account, "p": inv.policy, "l": inv.locale,
                                      "e": inv.expires})


def verify(token: str, secret: str, now: float | None = None) -> Invitation:
    """The invitation a token carries; :class:`InvitationInvalid` or :class:`InvitationExpired` otherwise."""
    try:
        data = _serializer(secret).loads(token, max_age=MAX_HOURS * 3600)
    except BadSignature as exc:   # SignatureExpired is a BadSignature: beyond any invitation's life
        if exc.__class__.__name__ == "SignatureExpired":
            raise InvitationExpired() from None
        raise InvitationInvalid() from None
    try:
        inv = Invitation(data["i"], dict(data["a"]), data["p"], data["l"], int(data["e"]))
    except (KeyError, TypeError, ValueError):
        raise InvitationInvalid() from None
    if (now if now is not None else time.time()) >= inv.expires:
        raise InvitationExpired(inv.locale if inv.locale in LOCALES else "en", inv.policy)
    return inv


def check_account(req: dict, registry) -> None:
    """The account's own rules under the policy, as a quote would check them (finances aside)."""
    from negotiator.engine.quote import prepare
    body = {"policy": req["policy"], "account": _wire(req["account"]),
            "finances": {"monthly_income": "1", "monthly_expenses": "0"}}
    try:
        prepare(load_request(body), registry, channel="agent")
    except ValidationError as exc:
        errors = [e for e in exc.errors if not e.field.startswith("finances")]
        if errors:
            raise ValidationError(errors) from None


def _wire(account: dict) -> dict:
    """A loaded account back in wire form (decimal strings, ISO dates), as it will be quoted."""
    def plain(v):
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, (int, str)) or v is None:
            return v
        return str(v)
    return plain(account)


def load(body) -> dict:
    """Validate an invitation request; every bad field at once (the quote's own reader, this schema)."""
    return load_request(body, schema=_REQUEST)


def portal_url(token: str) -> str:
    cfg = current_app.extensions["negotiator"]["config"]
    path = url_for("portal.start", token=token)
    if cfg.public_url:
        return cfg.public_url.rstrip("/") + path
    # Development mode only (loopback): the configuration refuses a portal without NEGOTIATOR_PUBLIC_URL elsewhere.
    return request.host_url.rstrip("/") + path


@bp.post("/v1/invitations")
def create_invitation():
    """A signed, expiring portal link for one account (agent, supervisor or batch keys)."""
    state = current_app.extensions["negotiator"]
    rights.require(g.channel, "invite")     # the lender's own systems (the rights table's `invite` row)
    secret = state.get("secret")
    if not secret:
        raise Problem(503, "Service Unavailable", "The portal is switched off (set NEGOTIATOR_SECRET_KEY).",
                      "portal_off")
    cfg = state["config"]
    key = read_key(required=False)
    records = state.get("records")
    if key is not None and records is None:
        raise Problem(503, "Service Unavailable", "The store is switched off (NEGOTIATOR_STORE=0): an "
                      "Idempotency-Key cannot be kept; send the request without one.", "store_off")
    body = read_json(cfg.max_body_bytes, cfg.max_json_depth)
    req = load(body)
    g.policy = req["policy"]
    check_account(req, state["registry"])

    def make() -> dict:
        hours = req.get("expires_in_hours", cfg.invitation_hours)
        expires = int(time.time()) + hours * 3600
        inv = Invitation("i_" + uuid.uuid4().hex[:20], _wire(req["account"]), req["policy"], req["locale"], expires)
        return {"invitation_id": inv.invitation_id, "account_id": inv.account_id,
                "url": portal_url(sign(inv, secret)),
                "expires_at": dt.datetime.fromtimestamp(expires, dt.UTC).isoformat(), "locale": inv.locale,
                "policy": inv.policy}

    if key is None:
        return json_response(make(), 201)
    # The same key and body give the same link (not a second one) for NEGOTIATOR_IDEMPOTENCY_HOURS.
    answer, replayed = records.once(f"invitation:{g.key_id}"[:40], key, body, make)
    resp = json_response(answer, 201)
    if replayed:
        resp.headers["Idempotent-Replayed"] = "true"
    return resp


TOKEN_RE = re.compile(r"^[A-Za-z0-9._-]{20,4000}$")
