"""A client generated from api_spec/openapi.yaml walks the borrower's and the agent's paths (issue 23, item 7).

openapi-python-client (the dev extra) generates the client into a temporary folder at each run; nothing
generated is committed and nothing is edited by hand. It talks to the real Flask app, with its store on
SQLite, through httpx's WSGI transport. Skipped, saying why, only when the generator is not installed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
import subprocess
import sys

import pytest

from negotiator.service import create_app
from negotiator.store import upgrade

from .conftest import AGENT_KEY, KEYS, PORTAL_KEY, ROOT, make_config, proposal_body, quote_body

httpx = pytest.importorskip("httpx")
SUPERVISOR_KEY = "supervisor-key-0123456789abcdef"
PACKAGE = "negotiator_generated_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated package, imported (its modules are dropped again after the module's tests)."""
    tool = shutil.which("openapi-python-client", path=str(ROOT / ".venv" / "bin")) or shutil.which(
        "openapi-python-client")
    if tool is None:
        pytest.skip("openapi-python-client is not installed (pip install -e '.[dev]' installs it)")
    where = tmp_path_factory.mktemp("client")
    p = subprocess.run([tool, "generate", "--path", str(ROOT / "api_spec" / "openapi.yaml"), "--meta", "none",
                        "--output-path", str(where / PACKAGE)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    # Every operation made it into the client: no response, no parameter left out.
    assert "WARNING" not in p.stdout + p.stderr, p.stdout + p.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def app(tmp_path):
    upgrade(url := f"sqlite:///{tmp_path / 'store.sqlite3'}")
    app = create_app(make_config(database_url=url, api_keys=f"{KEYS},supervisor:{SUPERVISOR_KEY}",
                                 portal_rate_limit="off"))
    today(app, quote_body()["as_of"])
    yield app
    app.extensions["negotiator"]["records"].db.dispose()


def today(app, day: str) -> None:
    app.extensions["negotiator"]["clock"].set(dt.date.fromisoformat(day))


def client_for(generated, app, key: str):
    return generated.AuthenticatedClient(base_url="http://negotiator.test", token=key,
                                         raise_on_unexpected_status=True,
                                         httpx_args={"transport": httpx.WSGITransport(app=app)})


def op(generated, tag: str, name: str):
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")


def model(generated, name: str):
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def test_the_borrowers_path(generated, app):
    portal = client_for(generated, app, PORTAL_KEY)
    request = quote_body()
    del request["as_of"]                       # the portal quotes as of the server's today
    request["account"]["account_id"] = "ACC-GEN-1"
    quoted = op(generated, "quotes", "create_quote").sync_detailed(
        client=portal, body=model(generated, "QuoteRequest").from_dict(request))
    assert quoted.status_code == 201
    q = quoted.parsed
    assert quoted.headers["Location"] == f"/v1/quotes/{q.quote_id}"
    assert q.recommended_option_id and all(o.approval.value == "none" for o in q.options)
    accepted = op(generated, "arrangements", "create_arrangement").sync_detailed(
        client=portal, idempotency_key="generated-borrower-1",
        body=model(generated, "AcceptRequest").from_dict(
            {"quote_id": q.quote_id, "option_id": q.recommended_option_id, "accepted_by": "borrower"}))
    assert accepted.status_code == 201
    arrangement = accepted.parsed
    assert arrangement.status.value == "active" and arrangement.currency.value == "CNY"
    assert accepted.headers["Location"] == f"/v1/arrangements/{arrangement.arrangement_id}"
    read = op(generated, "arrangements", "get_arrangement").sync(arrangement.arrangement_id, client=portal)
    assert read.to_dict()["instalments"] == arrangement.to_dict()["instalments"]
    stored = op(generated, "arrangements", "get_quote").sync(q.quote_id, client=portal)
    assert stored.quote_id == q.quote_id and stored.to_dict()["options"] == q.to_dict()["options"]


def test_the_agents_path(generated, app):
    agent, supervisor = client_for(generated, app, AGENT_KEY), client_for(generated, app, SUPERVISOR_KEY)
    request = quote_body()
    request["account"]["account_id"] = "ACC-GEN-2"
    request["finances"]["monthly_income"] = "6000.00"
    q = op(generated, "quotes", "create_quote").sync(
        client=agent, body=model(generated, "QuoteRequest").from_dict(request))
    what_if = op(generated, "quotes", "create_proposal").sync(
        client=agent, body=model(generated, "ProposalRequest").from_dict(proposal_body()))
    assert what_if.to_dict()["proposal"] == {"monthly_payment": "300.00"}
    option = next(o for o in q.options if o.approval.value == "supervisor" and o.affordable)
    accepted = op(generated, "arrangements", "create_arrangement").sync_detailed(
        client=agent, idempotency_key="generated-agent-1",
        body=model(generated, "AcceptRequest").from_dict(
            {"quote_id": q.quote_id, "option_id": option.option_id, "accepted_by": "agent-7"}))
    assert accepted.status_code == 201 and accepted.parsed.status.value == "pending_approval"
    aid = accepted.parsed.arrangement_id
    decided = op(generated, "arrangements", "decide_arrangement").sync(
        aid, client=supervisor,
        body=model(generated, "DecisionRequest").from_dict({"decision": "approve", "decided_by": "sup-7"}))
    assert decided.status.value == "active" and decided.decided_by == "sup-7"
    first = decided.instalments[0]
    today(app, first.due_date.isoformat())
    paid = op(generated, "arrangements", "record_payment").sync_detailed(
        aid, client=agent, body=model(generated, "PaymentRequest").from_dict(
            {"reference": "GEN-PAY-1", "amount": first.amount, "paid_on": first.due_date.isoformat()}))
    assert paid.status_code == 201 and paid.parsed.arrangement.paid == first.amount
    trail = op(generated, "arrangements", "list_arrangement_events").sync(aid, client=agent)
    kinds = [e.type_.value for e in trail.events]
    assert kinds[-3:] == ["accepted", "approved", "payment_recorded"], kinds
