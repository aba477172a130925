"""The console's OpenID Connect sign-in, end to end against a real provider the test starts (oidc-provider-mock,
a Flask OpenID provider on a loopback port): the agent signs in there, the code is exchanged and the ID token
checked by Authlib over HTTP, the console acts as the token's subject, the sign-in expires, and nothing a client
sends (a header, a forged cookie) signs anyone in."""

from __future__ import annotations

import time
import warnings
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from negotiator.service import ConfigError, create_app

from .conftest import AGENT_HEADER, web_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")   # the provider imports authlib.jose


@pytest.fixture(scope="module")
def provider():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from oidc_provider_mock import run_server_in_thread
    with run_server_in_thread(port=0, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def oidc_config(issuer: str, **over):
    values = {"console_agent_header": "", "trusted_proxies": "", "console_oidc_issuer": issuer,
              "console_oidc_client_id": "negotiator-console", "console_oidc_client_secret": "console-secret-1",
              "console_url": "http://console.test", "store": False}
    return web_config(**{**values, **over})


def sign_in(client, as_who: str = "agent-7", start: str = "/console/accounts?account_id=ACC-1"):
    """The browser's part: the console sends it to the provider, the agent signs in there, it comes back."""
    r = client.get(start)
    assert r.status_code == 302 and r.headers["Location"].startswith("/console/login")
    r = client.get(r.headers["Location"])
    assert r.status_code == 302
    authorize = r.headers["Location"]                       # the provider's authorization endpoint
    q = parse_qs(urlsplit(authorize).query)
    assert q["redirect_uri"] == ["http://console.test/console/auth"] and q["nonce"] and q["state"]
    answer = requests.post(authorize, data={"sub": as_who}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/console/auth"
    return client.get(f"/console/auth?{back.query}")       # Authlib exchanges the code at the provider


def test_an_agent_signs_in_at_the_provider_and_acts_as_its_subject(provider):
    client = create_app(oidc_config(provider)).test_client()
    done = sign_in(client)
    assert done.status_code == 303 and done.headers["Location"] == "/console/accounts?account_id=ACC-1"
    page = client.get("/console/")
    assert page.status_code == 200 and "Signed in as agent-7" in page.get_data(as_text=True)
    from .pages import csrf
    out = client.post("/console/logout", data={"csrf_token": csrf(page)})
    assert out.status_code == 303 and client.get("/console/").status_code == 302      # signed out


def test_the_sign_in_expires(provider):
    client = create_app(oidc_config(provider, console_session_minutes=5)).test_client()
    sign_in(client)
    assert client.get("/console/").status_code == 200
    with client.session_transaction() as s:
        assert time.time() + 4 * 60 < s["console_until"] <= time.time() + 5 * 60
        s["console_until"] = time.time() - 1               # five minutes later
    r = client.get("/console/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/console/login")


def test_nothing_a_client_sends_signs_it_in(provider):
    app = create_app(oidc_config(provider))
    client = app.test_client()
    # The sign-on header means nothing here; a POST without a sign-in is refused, not redirected.
    r = client.get("/console/", headers={AGENT_HEADER: "mallory"})
    assert r.status_code == 302
    assert client.post("/console/quote", data={}, headers={AGENT_HEADER: "mallory"}).status_code == 401
    # A session cookie signed with another key is no session.
    from flask.sessions import SecureCookieSessionInterface
    other = create_app(oidc_config(provider, secret_key="another-secret-0123456789abcdef0123456"))
    forged = SecureCookieSessionInterface().get_signing_serializer(other).dumps(
        {"console_agent": "mallory", "console_until": time.time() + 3600})
    client.set_cookie("negotiator_session", forged, domain="localhost")
    assert client.get("/console/").status_code == 302
    # A code that is not the provider's is refused.
    client.get("/console/login")
    with client.session_transaction() as s:
        state = next(k for k in s if k.startswith("_state_console_")).removeprefix("_state_console_")
    r = client.get(f"/console/auth?code=made-up&state={state}")
    assert r.status_code == 401 and "Sign-on required" in r.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_one_sign_on_at_a_time_and_a_console_address_is_needed(provider):
    with pytest.raises(ConfigError) as exc:
        oidc_config(provider, console_agent_header=AGENT_HEADER, trusted_proxies="127.0.0.1").checked()
    assert exc.value.variable == "NEGOTIATOR_CONSOLE_OIDC_ISSUER"
    with pytest.raises(ConfigError) as exc:
        oidc_config(provider, console_url="", public_url="").checked()
    assert exc.value.variable in ("NEGOTIATOR_CONSOLE_URL", "NEGOTIATOR_PUBLIC_URL")
