"""POST /v1/quotes and POST /v1/proposals through each channel."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from .conftest import AGENT_KEY, BATCH_KEY, PORTAL_KEY, headers, proposal_body, quote_body

INTERNAL = ("lender_npv", "concession_value")



@pytest.fixture(autouse=True)
def _examples_day(app):
    """The server's day is the examples' (a portal quote is as of today)."""
    app.extensions["negotiator"]["clock"].set(dt.date(2026, 11, 23))

def test_agent_quote_has_every_option_with_internal_figures(client):
    r = client.post("/v1/quotes", json=quote_body(), headers=headers(AGENT_KEY))
    assert r.status_code == 201
    assert r.mimetype == "application/json"
    q = r.get_json()
    assert q["channel"] == "agent"
    assert q["policy"] == {"name": "default", "version": q["policy"]["version"]}
    assert q["options"], "the example account has options"
    assert all("lender_npv" in o and "concession_value" in o for o in q["options"])
    assert q["recommended_option_id"] in {o["option_id"] for o in q["options"]}
    for o in q["options"]:
        pays = [line["payment"] for line in o["schedule"]]
        assert sum(map(float, pays)) == pytest.approx(float(o["total_payable"]))
        key = "arrears_after" if o["type"] == "catch_up" else "balance_after"
        assert o["schedule"][-1][key] in ("0.00", "0")


def test_portal_quote_hides_approval_options_and_internal_figures(client):
    agent = client.post("/v1/quotes", json=quote_body(), headers=headers(AGENT_KEY)).get_json()
    r = client.post("/v1/quotes", json=quote_body(), headers=headers(PORTAL_KEY))
    assert r.status_code == 201
    q = r.get_json()
    assert q["channel"] == "portal"
    assert all(o["approval"] == "none" for o in q["options"])
    for key in INTERNAL:
        assert key not in r.text
    # the portal's options are a subset of the agent's (by type)
    assert {o["type"] for o in q["options"]} <= {o["type"] for o in agent["options"]}


def test_portal_view_strips_internal_keys_even_if_the_engine_sent_them():
    from negotiator.app.responses import portal_view
    out = portal_view({"options": [{"lender_npv": "1", "concession_value": "2", "type": "x"}],
                       "plan": {"lender_npv": "1"}, "counter_offer": None})
    assert out == {"options": [{"type": "x"}], "plan": {}, "counter_offer": None}


def test_batch_key_is_served_like_an_agent(client):
    q = client.post("/v1/quotes", json=quote_body(), headers=headers(BATCH_KEY)).get_json()
    assert q["channel"] == "batch"
    assert all("lender_npv" in o for o in q["options"])


def test_bearer_authorization_is_accepted(client):
    r = client.post("/v1/quotes", json=quote_body(), headers={"Authorization": f"Bearer {AGENT_KEY}"})
    assert r.status_code == 201


@pytest.mark.parametrize("which,expected", [("none", 0), ("recommended", 1), ("all", None)])
def test_schedules_option(client, which, expected):
    body = {**quote_body(), "schedules": which}
    q = client.post("/v1/quotes", json=body, headers=headers()).get_json()
    with_schedule = sum(1 for o in q["options"] if "schedule" in o)
    assert with_schedule == (len(q["options"]) if expected is None else expected)


def test_same_request_gives_the_same_answer(client):
    a = client.post("/v1/quotes", json=quote_body(), headers=headers()).get_data()
    b = client.post("/v1/quotes", json=quote_body(), headers=headers()).get_data()
    assert a == b


def test_numbers_are_accepted_for_amounts(client):
    body = quote_body()
    body["account"]["balance"] = 12000
    body["account"]["apr"] = 0.18
    r = client.post("/v1/quotes", json=body, headers=headers())
    assert r.status_code == 201
    as_strings = client.post("/v1/quotes", json=quote_body(), headers=headers()).get_json()
    assert r.get_json()["options"] == as_strings["options"]


def test_locale_zh_cn(client):
    body = {**quote_body(), "locale": "zh-CN"}
    q = client.post("/v1/quotes", json=body, headers=headers()).get_json()
    assert any("\u4e00" <= ch <= "\u9fff" for o in q["options"] for r in o["reasons"] for ch in r["message"])


def test_unknown_policy_named_in_a_body_is_a_422_problem(client):
    """Issue 23 item 3: the body's field is refused (422), not a missing resource (404)."""
    r = client.post("/v1/quotes", json={**quote_body(), "policy": "nope"}, headers=headers())
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    p = r.get_json()
    assert p["code"] == "unknown_policy_named" and p["type"] == "urn:negotiator:problem:unknown_policy_named"
    assert p["errors"] == [{"field": "policy", "pointer": "/policy", "message": "Unknown policy."}]
    assert "default" in p["detail"]


def test_invalid_fields_are_422_naming_each(client):
    body = quote_body()
    body["account"]["balance"] = "lots"
    body["account"]["days_past_due"] = True
    body["finances"]["household_size"] = 2.5
    r = client.post("/v1/quotes", json=body, headers=headers())
    assert r.status_code == 422
    fields = {e["field"] for e in r.get_json()["errors"]}
    assert {"account.balance", "account.days_past_due", "finances.household_size"} <= fields


def test_unknown_fields_are_400_naming_them(client):
    body = quote_body()
    body["account"]["colour"] = "red"
    body["extra"] = 1
    r = client.post("/v1/quotes", json=body, headers=headers())
    assert r.status_code == 400
    p = r.get_json()
    assert p["title"] == "Unknown fields"
    assert {"account.colour", "extra"} <= {e["field"] for e in p["errors"]}


@pytest.mark.parametrize("body", [[], "text", 3, None])
def test_body_must_be_an_object(client, body):
    r = client.post("/v1/quotes", data=json.dumps(body), headers=headers(**{"Content-Type": "application/json"}))
    assert r.status_code == 422
    assert r.get_json()["errors"] == [{"field": "(body)", "pointer": "", "message": "Must be a JSON object."}]


# ------------------------------------------------------------------ proposals

@pytest.mark.parametrize("proposal", [{"monthly_payment": "300.00"}, {"term_months": 36}, {"lump_sum": "9000"}])
@pytest.mark.parametrize("key", [AGENT_KEY, PORTAL_KEY])
def test_proposal_kinds(client, proposal, key):
    r = client.post("/v1/proposals", json=proposal_body(**proposal), headers=headers(key))
    assert r.status_code == 201, r.text
    w = r.get_json()
    kind = next(iter(proposal))
    assert set(w["proposal"]) == {kind}
    assert isinstance(w["within_policy"], bool)
    assert w["plan"] is not None or w["counter_offer"] is not None or w["reasons"]
    if key == PORTAL_KEY:
        for k in INTERNAL:
            assert k not in r.text
    else:
        assert w["plan"] is None or "lender_npv" in w["plan"]


def test_proposal_needs_exactly_one_kind(client):
    r = client.post("/v1/proposals", json=proposal_body(monthly_payment="300", term_months=12), headers=headers())
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["field"] == "proposal"


def test_proposal_missing_is_named(client):
    body = proposal_body()
    del body["proposal"]
    body["locale"] = "en"
    r = client.post("/v1/proposals", json=body, headers=headers())
    assert r.status_code == 422
    assert {"field": "proposal", "pointer": "/proposal",
            "message": "Missing data for required field."} in r.get_json()["errors"]
    body["locale"] = "zh-CN"   # the example's own language: refused in it (issue 18)
    r = client.post("/v1/proposals", json=body, headers=headers())
    assert {"field": "proposal", "pointer": "/proposal", "message": "缺少必填字段。"} in r.get_json()["errors"]
