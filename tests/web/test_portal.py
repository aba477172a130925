"""The borrower's page through Flask's test client: the invitation's scope, the form's token, bad input,
and the portal view (only plans needing no approval, no internal figure), on a real SQLite store."""

from __future__ import annotations

import re
import time

from service.conftest import headers

from negotiator.store.records import Caller
from negotiator.web.invitations import Invitation, sign

from .conftest import SECRET
from .pages import ACCOUNT, csrf, hidden

STAFF = Caller("agent", "agent:test")   # the store read as staff see it

FINANCES = {"monthly_income": "3500", "monthly_expenses": "2000", "other_debt_payments": "200",
            "household_size": "3"}


def _link(client, account_id: str = "ACC-1001", locale: str = "en") -> str:
    r = client.post("/v1/invitations", json={"account": {**ACCOUNT, "account_id": account_id}, "locale": locale},
                    headers=headers())
    return "/portal/" + r.get_json()["url"].rsplit("/portal/", 1)[1]


def _options(client, link: str, **fields):
    """The answers posted, and the options page they lead to (post/redirect/get)."""
    return client.post(link, data={"csrf_token": csrf(client.get(link)), **FINANCES, **fields}, follow_redirects=True)


def test_the_figures_come_from_the_invitation_not_the_form(web_client):
    link = _link(web_client)
    page = web_client.get(link).get_data(as_text=True)
    assert "CN¥12,300.00" in page and "ACC-1001" in page
    r = _options(web_client, link, balance="1.00", account_id="ACC-9")   # not fields of this form: not read
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "CN¥12,300.00" in text   # the instalment plan re-ages 12,300.00


def test_only_plans_needing_no_approval_and_no_internal_figures(web_client):
    link = _link(web_client)
    tight = {"monthly_income": "2200", "monthly_expenses": "1900", "other_debt_payments": "0",
             "lump_sum_available": "2000"}
    agent = web_client.post("/v1/quotes", json={"as_of": time.strftime("%Y-%m-%d"), "account": ACCOUNT,
                                               "finances": {**tight, "household_size": 3}}, headers=headers())
    needs = [o["type"] for o in agent.get_json()["options"] if o["approval"] != "none"]
    assert "interest_reduction" in needs    # an agent is offered it; the borrower is not
    text = _options(web_client, link, **tight).get_data(as_text=True)
    assert "Instalments at a lower rate" not in text
    words = re.sub(r'value="[^"]*"', "", text)     # a random form token may spell "npv" or "tier"
    assert not re.search(r"approv|npv|concession|supervisor|tier|limit", words, re.IGNORECASE)
    assert "We need to talk this through with you" in text and "Plans you can choose now" not in text


def test_a_quote_of_another_account_cannot_be_taken_with_this_link(web_app, web_client):
    mine, theirs = _link(web_client, "ACC-MINE"), _link(web_client, "ACC-THEIRS")
    other = _options(web_client, theirs)
    r = _options(web_client, mine)
    form = {"csrf_token": csrf(r), "quote_id": hidden(other, "quote_id")[0], "option_id": "instalment",
            "idem": hidden(r, "idem")[0]}
    refused = web_client.post(mine + "/accept", data=form)
    assert refused.status_code == 404
    records = web_app.extensions["negotiator"]["records"]
    assert records.account("ACC-THEIRS", STAFF)["arrangements"] == []
    taken = web_client.post(mine + "/accept", data={**form, "quote_id": hidden(r, "quote_id")[0]})
    assert taken.status_code == 303
    done = taken.headers["Location"]
    assert web_client.get(done).status_code == 200
    assert web_client.get(done.replace(mine, theirs)).status_code == 404   # another link cannot read it
    [arr] = records.account("ACC-MINE", STAFF)["arrangements"]
    assert (arr["channel"], arr["accepted_by"], arr["approval"]) == ("portal", "borrower", "none")


def test_bad_income_is_named_in_the_borrowers_words_and_nothing_is_quoted(web_app, web_client):
    link = _link(web_client, locale="zh-CN")
    r = web_client.post(link, data={"csrf_token": csrf(web_client.get(link)), **FINANCES, "monthly_income": "abc",
                                    "household_size": "-1"})
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and "有些内容需要修改" in text
    assert "finances." not in text and "monthly_income:" not in text
    assert re.search(r"<title>错误：", text)
    assert '<a href="#f-monthly_income">请用数字填写每月收入，例如 1,200.50</a>' in text
    assert '<a href="#f-household_size">请用整数填写家庭人数，例如 3</a>' in text
    assert re.search(r'id="e-monthly_income"><span class="visually-hidden">错误：</span>请用数字填写每月收入', text)
    assert re.search(r'id="f-monthly_income"[^>]*aria-describedby="h-monthly_income e-monthly_income"[^>]*'
                     r'aria-invalid="true"', text, re.S)
    assert 'value="abc"' in text    # what was typed stays, to correct
    with web_app.extensions["negotiator"]["records"].db.sessions() as s:
        import sqlalchemy as sa

        from negotiator.store.models import Quote
        assert s.execute(sa.select(sa.func.count()).select_from(Quote)).scalar() == 0


def test_posts_need_the_form_token(web_client):
    link = _link(web_client)
    assert web_client.post(link, data=FINANCES).status_code == 400


def test_tampered_and_expired_links(web_client):
    link = _link(web_client)
    tampered = link[:-3] + ("x" if link[-3] != "x" else "y") + link[-2:]
    r = web_client.get(tampered)
    assert r.status_code == 400 and "This link does not work" in r.get_data(as_text=True)
    assert web_client.get("/portal/short").status_code == 400
    old = sign(Invitation("i_old", ACCOUNT, "default", "zh-CN", int(time.time()) - 1), SECRET)
    r = web_client.get(f"/portal/{old}")
    assert r.status_code == 410 and "此链接已过期" in r.get_data(as_text=True)
    assert web_client.post(f"/portal/{old}", data=FINANCES).status_code == 410


def test_posts_share_the_portal_rate_limit_per_invitation(tmp_path):
    from negotiator.service import create_app
    from negotiator.store import upgrade

    from .conftest import web_config
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    upgrade(url)
    client = create_app(web_config(database_url=url, portal_rate_limit="3/minute",
                                   rate_limit_storage="memory://")).test_client()
    link, other = _link(client, "ACC-R1"), _link(client, "ACC-R2")
    form = {"csrf_token": csrf(client.get(link)), **FINANCES}                        # 1: reading counts
    assert [client.post(link, data=form).status_code for _ in range(2)] == [303, 303]   # 2, 3
    r = client.post(link, data=form)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.headers["RateLimit-Policy"] == '"minute";q=3;w=60'
    assert r.headers["RateLimit"] == f'"minute";r=0;t={r.headers["Retry-After"]}'
    assert "Please try again in" in r.get_data(as_text=True)
    assert client.get(link).status_code == 429          # reading the page is limited too (issue 19, item 7)
    assert client.get(other).status_code == 200         # another invitation has its own budget


def _choose(client, link: str, option_id: str = "instalment", **fields):
    """The options page for ``link`` and the accept form of one of its plans."""
    r = _options(client, link, **fields)
    return r, {"csrf_token": csrf(r), "quote_id": hidden(r, "quote_id")[0], "option_id": option_id,
               "idem": hidden(r, "idem")[0]}


def test_another_link_to_an_account_with_a_plan_is_answered_in_plain_words(web_client):
    first, second = _link(web_client, "ACC-TWICE"), _link(web_client, "ACC-TWICE")
    _, form = _choose(web_client, first)
    assert web_client.post(first + "/accept", data=form).status_code == 303
    _, other = _choose(web_client, second)
    refused = web_client.post(second + "/accept", data=other)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "You already have a plan for this account." in text
    assert "See your plan" in text and "replaces" not in text and "Idempotency" not in text


def test_an_invitation_books_one_plan_then_leads_to_it(web_app, web_client):
    link = _link(web_client, "ACC-ONCE")
    page, form = _choose(web_client, link)
    booked = web_client.post(link + "/accept", data=form)
    assert booked.status_code == 303
    plan = booked.headers["Location"]
    records = web_app.extensions["negotiator"]["records"]
    [arr] = records.account("ACC-ONCE", STAFF)["arrangements"]
    # The exact form again (a double click, a reload), then another option of the quote: the plan booked.
    again = web_client.post(link + "/accept", data=form)
    assert (again.status_code, again.headers["Location"]) == (303, plan)
    lump = web_client.post(link + "/accept", data={**form, "option_id": "catch_up", "idem": "b" * 32})
    assert (lump.status_code, lump.headers["Location"]) == (303, plan)
    # The plan ends (an agent cancels it): the link still cannot quote or book another.
    records.cancel(arr["arrangement_id"], {"cancelled_by": "agent-7"}, STAFF, None)
    fresh = web_client.post(link, data={"csrf_token": csrf(page), **FINANCES, "monthly_income": "5000"})
    assert (fresh.status_code, fresh.headers["Location"]) == (303, plan)
    stale = web_client.post(link + "/accept", data={**form, "idem": "c" * 32})
    assert (stale.status_code, stale.headers["Location"]) == (303, plan)
    assert [a["status"] for a in records.account("ACC-ONCE", STAFF)["arrangements"]] == ["cancelled"]
    start = web_client.get(link).get_data(as_text=True)
    assert "See your plan" in start and 'name="monthly_income"' not in start
    cancelled = web_client.get(plan).get_data(as_text=True)
    assert "Cancelled" in cancelled and "This plan has ended" in cancelled and "is agreed" not in cancelled
    # A new invitation for the account can book again: the one-plan rule is the link's, not the account's.
    new = _link(web_client, "ACC-ONCE")
    assert 'name="monthly_income"' in web_client.get(new).get_data(as_text=True)
    _, other = _choose(web_client, new, monthly_income="3600")
    assert web_client.post(new + "/accept", data=other).status_code == 303
    assert len(records.account("ACC-ONCE", STAFF)["arrangements"]) == 2
