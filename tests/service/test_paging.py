"""Issue 23 item 1: every list a page at a time, on SQLite and on a real PostgreSQL.

``limit`` (1 to 100), an opaque ``next_cursor`` in the body and ``Link: rel="next"``, a stable order (ties in
time broken by id), a bad or foreign cursor a 400 ``invalid_cursor``, and every unknown query parameter of
every ``/v1`` read a 400 ``unknown_parameters`` naming it.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negotiator.service import create_app
from negotiator.store import cursors
from negotiator.store.models import Arrangement, Event, Quote

from .conftest import AGENT_KEY, KEYS, PORTAL_KEY, make_config

A = {"X-API-Key": AGENT_KEY}
NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
N_ARRANGEMENTS, N_EVENTS, N_CONTACTS = 13, 17, 11


@pytest.fixture
def app(database_url):
    app = create_app(make_config(database_url=database_url, api_keys=KEYS, portal_rate_limit="off"))
    app.extensions["negotiator"]["clock"].set(NOW.date())
    yield app
    app.extensions["negotiator"]["records"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def filled(app, client):
    """ACC-P with 13 arrangements (made at 5 instants: ties; agent's and portal's), the first with 17 more
    events; 11 contacts, some at the same time."""
    db = app.extensions["negotiator"]["records"].db
    with db.transaction() as s:
        for k in range(N_ARRANGEMENTS):
            made = NOW - dt.timedelta(days=30 - k // 3)
            qid, aid = f"q_page{k:04d}", f"a_page{(k * 7) % N_ARRANGEMENTS:04d}"
            channel = "portal" if k % 4 == 0 else "agent"
            s.add(Quote(quote_id=qid, channel=channel, account_id="ACC-P", policy_name="default",
                        policy_version="1", currency="CNY", as_of=made.date(), request={}, response={"options": []},
                        created_at=made, expires_at=made + dt.timedelta(days=30)))
            s.flush()
            s.add(Arrangement(arrangement_id=aid, account_id="ACC-P", quote_id=qid, option_id="instalment",
                              option_type="instalment", approval="none", channel=channel, accepted_by="borrower",
                              status="cancelled", currency="CNY", digits=2, policy_name="default",
                              policy_version="1", starts_on=made.date(), first_due=made.date(),
                              last_due=made.date(), monthly_payment=100, total_payable=100, paid_total=0,
                              term_months=1, grace_days=14, missed_allowed=1, created_at=made, updated_at=made))
            s.flush()
            s.add(Event(type="quote_issued", at=made, channel=channel, actor="x", account_id="ACC-P", quote_id=qid))
        for k in range(N_EVENTS):
            s.add(Event(type="payment_recorded", at=NOW - dt.timedelta(hours=k % 3), channel="batch", actor="feed",
                        account_id="ACC-P", arrangement_id="a_page0000", detail={"n": k}))
    for k in range(N_CONTACTS):
        body = {"account_id": "ACC-P", "policy": "us-card", "channel": "letter", "direction": "outbound",
                "at": f"2026-11-{10 + k // 4:02d}T10:00:00-05:00", "outcome": "no_answer", "person": "borrower"}
        assert client.post("/v1/contacts", json=body, headers=A).status_code == 201
    return db


LISTS = {  # path, the list's key, its id field
    "arrangements": ("/v1/accounts/ACC-P/arrangements", "arrangements", "arrangement_id"),
    "events": ("/v1/arrangements/a_page0000/events", "events", "event_id"),
    "contacts": ("/v1/accounts/ACC-P/contacts", "contacts", "contact_id"),
    "policies": ("/v1/policies", "policies", "name"),
}


def walk(client, path: str, key: str, limit: int | None, headers=A) -> tuple[list, int]:
    """Every item of a list, page by page following ``Link: rel="next"`` (checked equal to ``next_cursor``)."""
    url, items, pages = path + (f"?limit={limit}" if limit else ""), [], 0
    while url:
        r = client.get(url, headers=headers)
        assert r.status_code == 200, r.json
        page = r.json
        assert len(page[key]) <= (limit or 20)
        items += page[key]
        pages += 1
        link = r.headers.get("Link")
        if page["next_cursor"] is None:
            assert link is None
            url = None
        else:
            m = re.fullmatch(r'<([^>]+)>; rel="next"', link)
            assert m, link
            url = m.group(1)
            assert parse_qs(urlsplit(url).query)["cursor"] == [page["next_cursor"]]
    return items, pages


def whole(client, path: str, key: str, headers=A) -> list:
    r = client.get(path + "?limit=100", headers=headers)
    assert r.status_code == 200 and r.json["next_cursor"] is None
    return r.json[key]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(LISTS)), limit=st.integers(1, 25), portal=st.booleans())
def test_paging_yields_every_item_exactly_once_in_order(client, filled, name, limit, portal):
    """Whatever the limit, the pages put together are the list read at once: each item once, in its order."""
    path, key, ident = LISTS[name]
    headers = {"X-API-Key": PORTAL_KEY} if portal else A
    if portal and name == "contacts":
        headers = A   # the portal sees only its own contacts: none here
    every = whole(client, path, key, headers)
    paged, pages = walk(client, path, key, limit if limit <= 100 else None, headers)
    assert [i[ident] for i in paged] == [i[ident] for i in every]
    assert len({i[ident] for i in paged}) == len(paged)
    assert pages == max(1, -(-len(every) // limit))


def test_the_orders_are_stable_and_documented(client, filled):
    arrs = whole(client, *LISTS["arrangements"][:2])
    assert len(arrs) == N_ARRANGEMENTS
    made = [(a["created_at"], a["arrangement_id"]) for a in arrs]
    assert made == sorted(made, reverse=True)        # newest first, ties by id
    events = whole(client, *LISTS["events"][:2])
    assert [e["event_id"] for e in events] == sorted(e["event_id"] for e in events)   # oldest first
    assert len(events) == N_EVENTS + 1               # the quote it was made from, then its own
    contacts = whole(client, *LISTS["contacts"][:2])
    assert len(contacts) == N_CONTACTS
    portal = whole(client, LISTS["arrangements"][0], "arrangements", {"X-API-Key": PORTAL_KEY})
    assert {a["channel"] for a in portal} == {"portal"} and len(portal) == 4


def test_the_deprecated_before_still_pages(client, filled):
    first = client.get("/v1/accounts/ACC-P/arrangements?limit=5", headers=A).json
    old = client.get(f"/v1/accounts/ACC-P/arrangements?limit=5&before={first['next_before']}", headers=A)
    new = client.get(f"/v1/accounts/ACC-P/arrangements?limit=5&cursor={first['next_cursor']}", headers=A)
    assert old.status_code == new.status_code == 200 and old.json == new.json
    assert "before" not in old.headers["Link"]


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_cursor_not_given_or_given_for_another_list_is_a_400(client, filled, name):
    path, key, _ = LISTS[name]
    foreign = {"arrangements": cursors.encode("a", "ACC-Q", "2026-11-01T00:00:00+00:00", "a_x"),
               "events": cursors.encode("e", "a_page0001", 1), "contacts": cursors.encode("e", "ACC-P", 1),
               "policies": cursors.encode("a", "", "x")}[name]
    for bad in ("not-a-cursor", "x" * 201, foreign, cursors.encode("e", "a_page0000", "1")):
        r = client.get(f"{path}?cursor={bad}", headers=A)
        assert r.status_code == 400, (bad, r.json)
        assert r.json["code"] == "invalid_cursor" and r.json["errors"][0]["field"] == "cursor"
    for limit in ("0", "101", "x", "1.5"):
        r = client.get(f"{path}?limit={limit}", headers=A)
        assert r.status_code == 422 and r.json["errors"][0]["field"] == "limit", r.json


def _every_v1_read(app) -> list[str]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1/") and "GET" in rule.methods:
            out.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "a_page0000" if "arrangement" in m.group(1)
                              else "default" if m.group(1) == "name" else "ACC-P", rule.rule))
    return sorted(out)


def test_every_v1_read_refuses_unknown_query_parameters_naming_each(app, client, filled):
    reads = _every_v1_read(app)
    assert len(reads) >= 9
    for path in reads:
        r = client.get(f"{path}?limt=5&page=2", headers=A)
        assert r.status_code == 400, (path, r.json)
        assert r.json["code"] == "unknown_parameters"
        assert [e["field"] for e in r.json["errors"]] == ["limt", "page"], path
        assert "limt" in r.json["detail"] and "page" in r.json["detail"]
        assert client.head(f"{path}?limt=5", headers=A).status_code == 400, path


def test_known_parameters_pass_and_a_hostile_name_is_not_echoed(client, filled):
    assert client.get("/v1/accounts/ACC-P/arrangements?limit=2&as_of=2026-11-23", headers=A).status_code == 200
    r = client.get("/v1/policies?%3Cscript%3E=1", headers=A)
    assert r.status_code == 400 and "<" not in r.get_data(as_text=True)
