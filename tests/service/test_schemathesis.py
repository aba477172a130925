"""Schemathesis over every operation of the document, in process: no 5xx, nothing that breaks the document.

Bounded (``max_examples`` per operation) so the whole suite stays within a
few minutes on two cores. Checks left out, and why:

- ``positive_data_acceptance``: the document states shapes and ranges, but
  some rules join fields (arrears at most the balance, a term within the
  policy's), so schema-valid data can rightly get a 422.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from negotiator.service import create_app

from .conftest import AGENT_KEY, PORTAL_KEY, make_config

# With a secret key, so POST /v1/invitations is exercised (without one it answers 503: the portal is off).
app = create_app(make_config(portal_rate_limit="off", secret_key="schemathesis-secret-0123456789abcdef012345",
                             public_url="https://portal.example.com"))
schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
#: Schemathesis's WSGI transport asks for gzip (its requests-style default headers) but does not decode it.
IDENTITY = {"Accept-Encoding": "identity"}

EXCLUDED = [checks.positive_data_acceptance]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_agent(case):
    case.call_and_validate(headers={"X-API-Key": AGENT_KEY, **IDENTITY}, excluded_checks=EXCLUDED)


@schema.include(path_regex="^/v1/").parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_portal(case):
    response = case.call_and_validate(headers={"X-API-Key": PORTAL_KEY, **IDENTITY}, excluded_checks=EXCLUDED)
    served = response.request.method in ("GET", "POST") and (case.method == "POST" or case.path.endswith("{name}"))
    if served and response.status_code == 200:
        body = response.json()
        options = [*body.get("options", []), body.get("plan") or {}, body.get("counter_offer") or {}]
        assert not any(k in o for o in options for k in ("lender_npv", "concession_value"))
        if case.path == "/v1/policies/{name}":
            assert "approval" not in body and "max_apr" not in body


@pytest.mark.parametrize("check", [checks.not_a_server_error, checks.response_schema_conformance])
def test_the_checks_used_exist(check):
    assert callable(check)
