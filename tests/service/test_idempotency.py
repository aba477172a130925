"""Issue 23 item 6: Idempotency-Keys with an enforced expiry, refusals replayed as stored, invitations with keys;
on SQLite and on a real PostgreSQL.

Before: a key never expired, and the same key and body were answered 409 and then, once the live arrangement
was cancelled, 201 (refusals were not stored).
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from negotiator.service import ConfigError, create_app
from negotiator.service.config import Config
from negotiator.store.models import Arrangement, IdempotencyKey

from .conftest import AGENT_KEY, KEYS, PORTAL_KEY, make_config
from .test_arrangements import accept, at, count, quote

SECRET = "idempotency-secret-0123456789abcdef0123"
NOON = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)


@pytest.fixture
def app(database_url):
    app = create_app(make_config(database_url=database_url, api_keys=KEYS, portal_rate_limit="off",
                                 secret_key=SECRET, public_url="https://portal.example.com", idempotency_hours=24))
    at(app, "2026-11-23")
    yield app
    app.extensions["negotiator"]["records"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    return app.extensions["negotiator"]["records"].db


def _clock(client, when: dt.datetime) -> None:
    client.application.extensions["negotiator"]["clock"].set(when)


def _cancel(client, aid: str):
    r = client.post(f"/v1/arrangements/{aid}/cancel", json={"cancelled_by": "agent-7"},
                    headers={"X-API-Key": AGENT_KEY})
    assert r.status_code == 200, r.json


def test_a_refusal_is_stored_and_replayed_as_stored_not_answered_afresh(client, db):
    q = quote(client)
    live = accept(client, q, idem="first-key-0001")
    assert live.status_code == 201
    refused = accept(client, q, idem="second-key-0001")
    assert refused.status_code == 409 and refused.json["code"] == "arrangement_exists"
    assert "Idempotent-Replayed" not in refused.headers
    _cancel(client, live.json["arrangement_id"])                 # the account is free now...
    again = accept(client, q, idem="second-key-0001")            # ...but this key was answered 409
    assert again.status_code == 409 and again.json["code"] == "arrangement_exists"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["detail"] == refused.json["detail"] and again.json["errors"] == refused.json["errors"]
    assert count(db, Arrangement) == 1                           # the refusal wrote nothing but its key
    with db.sessions() as s:
        row = s.get(IdempotencyKey, (s.scalar(sa.select(IdempotencyKey.scope).limit(1)), "second-key-0001"))
        assert row.status == 409 and row.response["refusal"]["code"] == "arrangement_exists"
    other = accept(client, q, idem="second-key-0001", accepted_by="borrower", reason="another body")
    assert other.status_code in (400, 422) and other.json["code"] in ("idempotency_key_reused", "unknown_fields")
    fresh = accept(client, q, idem="third-key-00001")            # a new key is a new request
    assert fresh.status_code == 201


@pytest.mark.parametrize(("hours", "replayed"), [(23.99, True), (24, False), (30, False)])
def test_a_key_expires_after_the_configured_hours_and_is_free_again(client, db, hours, replayed):
    q = quote(client)
    live = accept(client, q, idem="first-key-0001")
    accept(client, q, idem="expiring-key-01")                    # refused: 409
    _cancel(client, live.json["arrangement_id"])
    _clock(client, NOON + dt.timedelta(hours=hours))
    again = accept(client, q, idem="expiring-key-01")
    if replayed:
        assert again.status_code == 409 and again.headers["Idempotent-Replayed"] == "true"
    else:                                                        # answered afresh: the account is free
        assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
        assert accept(client, q, idem="expiring-key-01").headers["Idempotent-Replayed"] == "true"


def test_expired_keys_are_forgotten_by_the_retention_run(app, client, db):
    records = app.extensions["negotiator"]["records"]
    q = quote(client)
    accept(client, q, idem="old-key-000001")
    _clock(client, NOON + dt.timedelta(hours=12))
    accept(client, q, idem="new-key-000001")
    _clock(client, NOON + dt.timedelta(hours=25))
    assert records.forget_keys() == 1
    with db.sessions() as s:
        assert [k for (k,) in s.execute(sa.select(IdempotencyKey.key))] == ["new-key-000001"]


def _invite(client, key: str | None = None, **over):
    body = {"account": {"account_id": "ACC-1001", "currency": "CNY", "balance": "12000.00", "arrears": "1500.00",
                        "fees": "300.00", "apr": "0.18", "days_past_due": 45, "product": "credit_card",
                        "contractual_payment": "600.00"}, "policy": "default", "locale": "en", **over}
    headers = {"X-API-Key": AGENT_KEY, **({"Idempotency-Key": key} if key else {})}
    return client.post("/v1/invitations", json=body, headers=headers)


def test_an_invitation_with_a_key_is_made_once(client, db):
    first = _invite(client, "invite-key-0001")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = _invite(client, "invite-key-0001")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json                              # the same link, not a second one
    other = _invite(client, "invite-key-0001", locale="zh-CN")
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
    assert _invite(client).json["invitation_id"] != _invite(client).json["invitation_id"]   # no key: each new
    bad = _invite(client, "short")
    assert bad.status_code == 400 and bad.json["code"] == "idempotency_key_invalid"
    # An accept's key and an invitation's are apart: the same key names two requests without conflict.
    assert accept(client, quote(client), idem="invite-key-0001").status_code == 201


def test_the_portal_key_cannot_invite_with_or_without_a_key(client):
    r = client.post("/v1/invitations", json={}, headers={"X-API-Key": PORTAL_KEY, "Idempotency-Key": "k-12345678"})
    assert r.status_code == 403


def test_the_setting_is_read_and_checked():
    env = {"NEGOTIATOR_API_KEYS": KEYS}
    assert Config.from_env({**env, "NEGOTIATOR_IDEMPOTENCY_HOURS": "48"}).idempotency_hours == 48
    assert Config.from_env(env).idempotency_hours == 24
    for bad in ("0", "8761", "x"):
        with pytest.raises(ConfigError, match="NEGOTIATOR_IDEMPOTENCY_HOURS"):
            Config.from_env({**env, "NEGOTIATOR_IDEMPOTENCY_HOURS": bad})


def test_an_expired_key_sent_by_ten_at_once_makes_one_arrangement(app, client, db):
    from .test_arrangements import _in_threads
    q = quote(client)
    live = accept(client, q, idem="race-expired-01")             # made, then the key expires
    _cancel(client, live.json["arrangement_id"])
    _clock(client, NOON + dt.timedelta(hours=25))

    def one(i):
        r = app.test_client().post("/v1/arrangements", json={
            "quote_id": q["quote_id"], "option_id": q["options"][0]["option_id"], "accepted_by": "borrower"},
            headers={"X-API-Key": PORTAL_KEY, "Idempotency-Key": "race-expired-01"})
        return r.status_code, r.json

    results = _in_threads(10, one)
    assert {s for s, _ in results} == {201}
    assert len({b["arrangement_id"] for _, b in results}) == 1 and count(db, Arrangement) == 2
