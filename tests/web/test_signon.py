"""Sign-on you cannot forge (issue 19, item 4): the console's header is honoured only from the sign-on proxy's
addresses (NEGOTIATOR_TRUSTED_PROXIES); without them the service does not start; every console action is
logged with the signed-in agent."""

from __future__ import annotations

import json
import logging

import pytest

from negotiator.service import ConfigError, create_app

from .conftest import AGENT_HEADER, web_config

MALLORY = {AGENT_HEADER: "mallory"}


def test_the_header_without_trusted_proxies_stops_the_start_naming_the_variable():
    with pytest.raises(ConfigError) as exc:
        web_config(trusted_proxies="").checked()
    assert exc.value.variable == "NEGOTIATOR_TRUSTED_PROXIES" and "any client can send the header" in str(exc.value)
    with pytest.raises(ConfigError) as exc:
        create_app(web_config(trusted_proxies="10.0.0.300/32", store=False))
    assert exc.value.variable == "NEGOTIATOR_TRUSTED_PROXIES"


@pytest.mark.parametrize("peer", ["203.0.113.9", "10.0.0.6", "::ffff:203.0.113.9", "2001:db8::1"])
def test_a_client_that_sends_the_header_itself_is_not_signed_in(peer):
    """The issue's curl: `curl -H 'X-Forwarded-User: mallory' /console/?example=1` from anywhere but the proxy."""
    client = create_app(web_config(trusted_proxies="10.0.0.5/32, 127.0.0.1", store=False)).test_client()
    for path in ("/console/?example=1", "/console/accounts?account_id=ACC-1001"):
        r = client.get(path, headers=MALLORY, environ_base={"REMOTE_ADDR": peer})
        text = r.get_data(as_text=True)
        assert r.status_code == 401 and "mallory" not in text and "Sign-on required" in text
    r = client.post("/console/quote", data={"account_id": "ACC-1"}, headers=MALLORY,
                    environ_base={"REMOTE_ADDR": peer})
    assert r.status_code == 401


@pytest.mark.parametrize("peer", ["10.0.0.5", "::ffff:10.0.0.5", "127.0.0.1"])
def test_the_proxy_signs_the_agent_in(peer):
    client = create_app(web_config(trusted_proxies="10.0.0.5/32, 127.0.0.1", store=False)).test_client()
    r = client.get("/console/", headers={AGENT_HEADER: "agent-7"}, environ_base={"REMOTE_ADDR": peer})
    assert r.status_code == 200 and "Signed in as agent-7" in r.get_data(as_text=True)


def test_every_console_action_is_logged_with_the_agent(web_client):
    import io

    from negotiator.service.logs import JsonFormatter
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("negotiator.access")
    access.addHandler(handler)
    try:
        web_client.get("/console/", headers={AGENT_HEADER: "agent-7"})
        web_client.get("/console/accounts?account_id=ACC-1001", headers={AGENT_HEADER: "agent-7"})
    finally:
        access.removeHandler(handler)
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert [(x["route"], x["principal"]) for x in lines] == [("/console/", "console:agent-7"),
                                                            ("/console/accounts", "console:agent-7")]
