"""``POST /v1/invitations`` and its tokens: who may invite, what is checked, what a token resists."""

from __future__ import annotations

import time

import pytest
import yaml
from service.conftest import AGENT_KEY, BATCH_KEY, PORTAL_KEY, ROOT, headers, make_config
from service.test_contract import check

from negotiator.service import create_app
from negotiator.web.invitations import Invitation, InvitationExpired, InvitationInvalid, sign, verify

from .conftest import SECRET, web_config

ACCOUNT = {"account_id": "ACC-1001", "currency": "CNY", "balance": "12000.00", "arrears": "1500.00", "fees": "300.00",
           "apr": "0.18", "days_past_due": 45, "product": "credit_card", "contractual_payment": "600.00"}


@pytest.fixture(scope="module")
def doc():
    return yaml.safe_load((ROOT / "api_spec" / "openapi.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", [AGENT_KEY, BATCH_KEY])
def test_agent_and_batch_keys_get_a_link_for_the_account(web_client, doc, key):
    r = web_client.post("/v1/invitations", json={"account": ACCOUNT, "locale": "zh-CN", "expires_in_hours": 2},
                        headers=headers(key))
    assert r.status_code == 201, r.get_json()
    check(doc, "/v1/invitations", "post", r)
    body = r.get_json()
    assert body["account_id"] == "ACC-1001" and body["locale"] == "zh-CN" and body["policy"] == "default"
    token = body["url"].rsplit("/portal/", 1)[1]
    inv = verify(token, SECRET)
    assert inv.account_id == "ACC-1001" and inv.account["balance"] == "12000.00" and inv.locale == "zh-CN"
    assert 2 * 3600 - 60 <= inv.expires - time.time() <= 2 * 3600
    assert web_client.get(f"/portal/{token}").status_code == 200


def test_public_url_makes_the_link(tmp_path):
    from negotiator.store import upgrade
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    upgrade(url)
    client = create_app(web_config(database_url=url, public_url="https://portal.example.com")).test_client()
    r = client.post("/v1/invitations", json={"account": ACCOUNT}, headers=headers())
    assert r.get_json()["url"].startswith("https://portal.example.com/portal/")


@pytest.mark.parametrize("body,field", [
    ({"account": {k: v for k, v in ACCOUNT.items() if k != "account_id"}}, "account.account_id"),
    ({"account": {**ACCOUNT, "account_id": "<script>alert(1)</script>"}}, "account.account_id"),
    ({"account": {**ACCOUNT, "arrears": "99999.00"}}, "account.arrears"),
    ({"account": ACCOUNT, "locale": "fr"}, "locale"),
    ({"account": ACCOUNT, "expires_in_hours": 0}, "expires_in_hours"),
    ({"account": ACCOUNT, "expires_in_hours": 721}, "expires_in_hours"),
])
def test_bad_input_is_a_422_naming_the_field(web_client, doc, body, field):
    r = web_client.post("/v1/invitations", json=body, headers=headers())
    assert r.status_code == 422, r.get_json()
    check(doc, "/v1/invitations", "post", r)
    assert field in [e["field"] for e in r.get_json()["errors"]]
    assert "<script>" not in r.get_data(as_text=True)


def test_unknown_policy_in_the_body_is_a_422(web_client, doc):
    r = web_client.post("/v1/invitations", json={"account": ACCOUNT, "policy": "nope"}, headers=headers())
    assert (r.status_code, r.get_json()["code"]) == (422, "unknown_policy_named")
    check(doc, "/v1/invitations", "post", r)


def test_portal_keys_and_no_keys_are_refused(web_client, doc):
    r = web_client.post("/v1/invitations", json={"account": ACCOUNT}, headers=headers(PORTAL_KEY))
    assert r.status_code == 403
    check(doc, "/v1/invitations", "post", r)
    r = web_client.post("/v1/invitations", json={"account": ACCOUNT})
    assert r.status_code == 401
    check(doc, "/v1/invitations", "post", r)


def test_without_a_secret_the_portal_is_off(doc):
    client = create_app(make_config()).test_client()
    r = client.post("/v1/invitations", json={"account": ACCOUNT}, headers=headers())
    assert r.status_code == 503
    check(doc, "/v1/invitations", "post", r)
    token = sign(Invitation("i_x", ACCOUNT, "default", "en", int(time.time()) + 60), SECRET)
    assert client.get(f"/portal/{token}").status_code == 404


def _token(**over) -> str:
    values = {"invitation_id": "i_1", "account": ACCOUNT, "policy": "default", "locale": "en",
              "expires": int(time.time()) + 3600, **over}
    return sign(Invitation(**values), SECRET)


def test_a_changed_character_anywhere_breaks_the_token():
    token = _token()
    for i in range(0, len(token), 7):
        changed = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
        with pytest.raises((InvitationInvalid, InvitationExpired)):
            inv = verify(changed, SECRET)
            raise AssertionError(f"position {i} accepted: {inv}")


def test_other_secret_other_salt_and_expiry_are_refused():
    from itsdangerous import URLSafeTimedSerializer
    with pytest.raises(InvitationInvalid):
        verify(_token(), "another-secret-0123456789abcdef0123456789")
    payload = {"i": "i_1", "a": ACCOUNT, "p": "default", "l": "en", "e": int(time.time()) + 3600}
    for salt in ("itsdangerous", "flask-wtf csrf token", "cookie-session"):
        with pytest.raises(InvitationInvalid):
            verify(URLSafeTimedSerializer(SECRET, salt=salt).dumps(payload), SECRET)
    with pytest.raises(InvitationExpired) as exc:
        verify(_token(expires=int(time.time()) - 1, locale="zh-CN"), SECRET)
    assert exc.value.locale == "zh-CN"
    assert verify(_token(), SECRET, now=time.time() + 3599).account_id == "ACC-1001"
    with pytest.raises(InvitationExpired):
        verify(_token(), SECRET, now=time.time() + 3601)


def test_links_never_take_their_host_from_the_request():
    """Issue 19, item 9: a portal without NEGOTIATOR_PUBLIC_URL does not start; links use it, whatever Host says."""
    from negotiator.service import ConfigError
    with pytest.raises(ConfigError) as exc:
        web_config(public_url="").checked()
    assert exc.value.variable == "NEGOTIATOR_PUBLIC_URL"
    client = create_app(web_config(public_url="https://portal.example.com", store=False)).test_client()
    r = client.post("/v1/invitations", json={"account": ACCOUNT}, headers={**headers(), "Host": "evil.example"})
    assert r.status_code == 201 and r.get_json()["url"].startswith("https://portal.example.com/portal/")
