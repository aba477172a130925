"""The contact rules at their boundaries through the store and HTTP, on SQLite and PostgreSQL (issue 21).

Each test records contacts with ``POST /v1/contacts`` and asks ``GET /v1/accounts/{id}/contact-window``; the
rule is :func:`negotiator.engine.contact.window` (its own tests: tests/test_contact.py), here with the stored
log and preferences.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote as q

import pytest

from negotiator.service import create_app

from .conftest import AGENT_KEY, BATCH_KEY, KEYS, PORTAL_KEY, make_config

A = {"X-API-Key": AGENT_KEY}


@pytest.fixture
def app(database_url):
    app = create_app(make_config(database_url=database_url, api_keys=KEYS, portal_rate_limit="off"))
    app.extensions["negotiator"]["clock"].set(dt.datetime(2027, 1, 20, 12, tzinfo=dt.UTC))
    yield app
    app.extensions["negotiator"]["records"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def record(client, at: str, outcome="no_answer", account="ACC-1", policy="us-card", key=AGENT_KEY, **over):
    body = {"account_id": account, "policy": policy, "channel": "call", "direction": "outbound", "at": at,
            "outcome": outcome, **over}
    r = client.post("/v1/contacts", json=body, headers={"X-API-Key": key})
    assert r.status_code == 201, r.json
    return r.json


def ask(client, at: str, account="ACC-1", policy="us-card", tz="America/New_York", channel="call", **more):
    query = f"channel={channel}&at={q(at)}&policy={policy}" + (f"&timezone={q(tz)}" if tz else "")
    query += "".join(f"&{k}={q(v)}" for k, v in more.items())
    r = client.get(f"/v1/accounts/{account}/contact-window?{query}", headers=A)
    assert r.status_code == 200, r.json
    return r.json


def codes(answer: dict) -> list[str]:
    return [r["code"] for r in answer["reasons"]]


def test_the_seventh_call_in_seven_days_is_allowed_and_the_eighth_is_not(client):
    for day in range(1, 7):
        record(client, f"2027-01-{day:02d}T10:00:00-05:00")
    seventh = ask(client, "2027-01-07T10:00:00-05:00")
    assert seventh == {"allowed": True, "reasons": [], "next_allowed_at": None}
    record(client, "2027-01-07T10:00:00-05:00")
    eighth = ask(client, "2027-01-07T15:00:00-05:00")
    assert not eighth["allowed"] and codes(eighth) == ["call_limit"]
    assert eighth["next_allowed_at"] == "2027-01-08T08:00:00-05:00"   # the first call's day has left the window
    assert ask(client, "2027-01-08T08:00:00-05:00")["allowed"]


def test_calls_to_another_account_or_a_text_do_not_count(client):
    for day in range(1, 8):
        record(client, f"2027-01-{day:02d}T10:00:00-05:00", account="ACC-OTHER")
        record(client, f"2027-01-{day:02d}T11:00:00-05:00", channel="sms")
    assert ask(client, "2027-01-07T15:00:00-05:00")["allowed"]


@pytest.mark.parametrize("day, allowed", [("2027-01-10", False), ("2027-01-11", True)])
def test_no_call_on_the_seventh_day_after_a_conversation_and_a_call_on_the_eighth(client, day, allowed):
    record(client, "2027-01-04T10:00:00-05:00", outcome="conversation")
    answer = ask(client, f"{day}T10:00:00-05:00")
    assert answer["allowed"] is allowed
    if not allowed:
        assert codes(answer) == ["after_conversation"]
        assert answer["next_allowed_at"] == "2027-01-11T08:00:00-05:00"


@pytest.mark.parametrize("local, offset", [("2027-03-13", "-05:00"), ("2027-03-14", "-04:00")])
def test_2059_local_is_allowed_and_2100_is_not_either_side_of_the_dst_change(client, local, offset):
    """New York moves to EDT on 2027-03-14: the hours follow the borrower's clock, asked in UTC or local time."""
    assert ask(client, f"{local}T20:59:00{offset}")["allowed"]
    late = ask(client, f"{local}T21:00:00{offset}")
    assert not late["allowed"] and codes(late) == ["outside_hours"]
    nxt = dt.datetime.fromisoformat(late["next_allowed_at"])
    assert (nxt.hour, nxt.minute) == (8, 0)
    in_utc = dt.datetime.fromisoformat(f"{local}T21:00:00{offset}").astimezone(dt.UTC).isoformat()
    assert ask(client, in_utc) == late
    before = (dt.datetime.fromisoformat(f"{local}T20:59:00{offset}")).astimezone(dt.UTC).isoformat()
    assert ask(client, before)["allowed"]


def test_a_moratorium_stops_contact_while_on_and_its_end_lifts_it(client):
    prefs = "/v1/accounts/ACC-UK/contact-preferences"
    at = "2027-01-12T11:00:00+00:00"
    assert ask(client, at, account="ACC-UK", policy="uk-conc", tz="Europe/London")["allowed"]
    r = client.post(prefs, json={"moratorium": True, "timezone": "Europe/London"}, headers=A)
    assert r.status_code == 201 and r.json["moratorium"] is True
    on = ask(client, at, account="ACC-UK", policy="uk-conc", tz=None)   # the zone from the preferences
    assert (on["allowed"], codes(on), on["next_allowed_at"]) == (False, ["moratorium"], None)
    zh = ask(client, at, account="ACC-UK", policy="uk-conc", tz=None, locale="zh-CN")
    assert zh["reasons"][0]["message"] == "处于法定暂缓期：不得联系要求还款。"
    assert client.post(prefs, json={"moratorium": False, "timezone": "Europe/London"}, headers=A).status_code == 201
    assert ask(client, at, account="ACC-UK", policy="uk-conc", tz=None)["allowed"]


def test_a_refused_channel_and_quiet_times_from_the_stored_preferences(client):
    r = client.post("/v1/accounts/ACC-1/contact-preferences", headers=A, json={
        "refused": ["call"], "quiet": [{"start": "12:00", "end": "14:00"}], "preferred": "email",
        "language": "es", "timezone": "America/Chicago"})
    assert r.status_code == 201
    call = ask(client, "2027-01-12T13:00:00-06:00", tz=None)
    assert codes(call) == ["channel_refused", "quiet_time"] and call["next_allowed_at"] is None
    mail = ask(client, "2027-01-12T13:00:00-06:00", tz=None, channel="email")
    assert codes(mail) == ["quiet_time"] and mail["next_allowed_at"] == "2027-01-12T14:00:00-06:00"


def test_no_third_party_under_cn_card(client):
    answer = ask(client, "2027-01-12T10:00:00+08:00", policy="cn-card", tz="Asia/Shanghai", person="third_party")
    assert codes(answer) == ["third_party"] and answer["next_allowed_at"] is None


def test_without_a_time_zone_the_question_is_refused_naming_it(client):
    r = client.get("/v1/accounts/ACC-Z/contact-window?channel=call", headers=A)
    assert r.status_code == 422 and [e["field"] for e in r.json["errors"]] == ["timezone"]


def test_every_bad_parameter_and_field_is_named(client):
    r = client.get("/v1/accounts/ACC-1/contact-window?channel=fax&at=tomorrow&timezone=Mars/Base&policy=X&"
                   "person=neighbour&locale=fr", headers=A)
    assert r.status_code == 422
    assert {e["field"] for e in r.json["errors"]} == {"channel", "at", "timezone", "policy", "person", "locale"}
    r = client.post("/v1/contacts", headers=A, json={"account_id": "", "policy": "nope", "channel": "fax",
                                                     "direction": "up", "at": "2027-01-04T10:00:00",
                                                     "outcome": "shouted", "person": "x"})
    assert r.status_code == 422
    assert {e["field"] for e in r.json["errors"]} == {"account_id", "channel", "direction", "at", "outcome",
                                                      "person"}
    unknown = client.post("/v1/contacts", headers=A, json={**_good(), "policy": "no-such-policy"})
    assert unknown.status_code == 422 and [e["field"] for e in unknown.json["errors"]] == ["policy"]
    future = client.post("/v1/contacts", headers=A, json={**_good(), "at": "2027-01-25T10:00:00+00:00"})
    assert future.status_code == 422 and [e["field"] for e in future.json["errors"]] == ["at"]
    zh = client.post("/v1/contacts", headers=A, json={**_good(), "at": "2027-01-04T10:00:00", "locale": "zh-CN"})
    assert zh.json["errors"] == [{"field": "at", "pointer": "/at", "message": "不是带时区偏移的有效日期时间。"}]
    prefs = client.post("/v1/accounts/ACC-1/contact-preferences", headers=A, json={
        "refused": ["fax"], "quiet": [{"start": "25:00", "end": "1pm"}], "timezone": "Nowhere", "moratorium": "yes"})
    assert {e["field"] for e in prefs.json["errors"]} == {"refused.0", "quiet.0.start", "quiet.0.end", "timezone",
                                                         "moratorium"}


def _good() -> dict:
    return {"account_id": "ACC-1", "policy": "us-card", "channel": "call", "direction": "outbound",
            "at": "2027-01-04T10:00:00-05:00", "outcome": "no_answer"}


def test_the_portal_records_only_the_borrowers_own_inbound_contact(client):
    r = client.post("/v1/contacts", headers={"X-API-Key": PORTAL_KEY}, json=_good())
    assert r.status_code == 422 and [e["field"] for e in r.json["errors"]] == ["direction"]
    mine = record(client, "2027-01-04T10:00:00-05:00", key=PORTAL_KEY, direction="inbound", outcome="conversation")
    assert mine["recorded_by"] == "portal"
    record(client, "2027-01-05T10:00:00-05:00", key=BATCH_KEY)
    seen = client.get("/v1/accounts/ACC-1/contacts", headers={"X-API-Key": PORTAL_KEY}).json["contacts"]
    assert [c["contact_id"] for c in seen] == [mine["contact_id"]]
    assert len(client.get("/v1/accounts/ACC-1/contacts", headers=A).json["contacts"]) == 2


def test_the_log_is_read_a_page_at_a_time_newest_first_with_an_opaque_cursor(client):
    made = [record(client, f"2027-01-{1 + k // 3:02d}T10:00:00-05:00", channel="letter") for k in range(7)]
    seen, cursor = [], None
    while True:
        r = client.get("/v1/accounts/ACC-1/contacts?limit=3" + (f"&cursor={cursor}" if cursor else ""), headers=A)
        assert r.status_code == 200
        seen += r.json["contacts"]
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
    assert [c["contact_id"] for c in seen] == [c["contact_id"] for c in reversed(made)]
    assert seen[0]["at"] == "2027-01-03T10:00:00-05:00"     # read back with the offset it was given
    bad = client.get("/v1/accounts/ACC-1/contacts?cursor=not-a-cursor", headers=A)
    assert bad.status_code == 400 and bad.json["code"] == "invalid_cursor"
    assert bad.json["errors"][0]["field"] == "cursor"
