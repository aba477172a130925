"""The agent console through Flask's test client: access, CSRF, quoting from fields or a paste, what-if,
booking (a supervisor's plan waits for approval) and the account's trail, on a real SQLite store."""

from __future__ import annotations

import html

import pytest
from service.conftest import REQUESTS

from negotiator.service import Config, ConfigError, create_app
from negotiator.store.records import Caller

from .conftest import AGENT_HEADER, web_config
from .pages import csrf, hidden

STAFF = Caller("agent", "agent:test")   # the store read as staff see it

AGENT = {AGENT_HEADER: "agent-7"}
EXAMPLE = {"account_id": "ACC-1001", "currency": "CNY", "balance": "12000.00", "arrears": "1500.00", "fees": "300.00",
           "apr": "0.18", "days_past_due": "45", "product": "credit_card", "contractual_payment": "600.00",
           "policy": "default", "as_of": "2026-11-23", "monthly_income": "8000.00", "monthly_expenses": "5200.00",
           "other_debt_payments": "500.00", "household_size": "3"}


def _form(client, **fields) -> dict:
    return {"csrf_token": csrf(client.get("/console/", headers=AGENT)), "lang": "en", **EXAMPLE, **fields}


def test_off_unless_configured():
    client = create_app(Config(api_keys="agent:agent-key-0123456789abcdef")).test_client()
    assert client.get("/console/", headers=AGENT).status_code == 404


def test_the_sign_on_header_is_required(web_client):
    assert web_client.get("/console/").status_code == 401
    assert "Sign-on required" in web_client.get("/console/").get_data(as_text=True)
    assert web_client.get("/console/", headers={AGENT_HEADER: "<b>x</b>"}).status_code == 401
    r = web_client.get("/console/", headers=AGENT)
    assert r.status_code == 200 and "Signed in as agent-7" in r.get_data(as_text=True)
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]


def test_unknown_console_pages_are_pages_while_the_console_is_on(web_client):
    from negotiator.web import PAGE_HEADERS
    for r, status in ((web_client.get("/console/nope?lang=zh-CN", headers=AGENT), 404),
                      (web_client.get("/console/quote", headers=AGENT), 405)):
        assert r.status_code == status and r.mimetype == "text/html"
        assert {k: r.headers.get(k) for k in PAGE_HEADERS} == PAGE_HEADERS
    assert "<h1>未找到该页面</h1>" in web_client.get("/console/nope?lang=zh-CN", headers=AGENT).get_data(as_text=True)
    assert r.headers["Allow"] == "OPTIONS, POST"
    off = create_app(web_config(console_agent_header="", store=False)).test_client()
    for path in ("/console/", "/console/nope"):       # switched off: nothing there, as for any unknown address
        assert off.get(path).mimetype == "application/problem+json"


def test_development_mode_has_a_development_agent(tmp_path):
    client = create_app(Config(dev=True, data_dir=str(tmp_path), store=False)).test_client()
    assert "Signed in as dev-agent" in client.get("/console/").get_data(as_text=True)


@pytest.mark.parametrize("over,variable", [
    ({"console_agent_header": AGENT_HEADER, "secret_key": ""}, "NEGOTIATOR_SECRET_KEY"),
    ({"secret_key": "short"}, "NEGOTIATOR_SECRET_KEY"),
    ({"console_agent_header": "X Bad: header"}, "NEGOTIATOR_CONSOLE_AGENT_HEADER"),
    ({"public_url": "javascript:alert(1)"}, "NEGOTIATOR_PUBLIC_URL"),
    ({"invitation_hours": 0}, "NEGOTIATOR_INVITATION_HOURS"),
])
def test_bad_settings_stop_the_start_naming_the_variable(over, variable):
    with pytest.raises(ConfigError) as exc:
        web_config(**over).checked()
    assert exc.value.variable == variable


def test_a_post_without_the_form_token_says_the_session_ended(web_client):
    r = web_client.post("/console/quote", data=EXAMPLE, headers=AGENT)
    text = r.get_data(as_text=True)
    assert r.status_code == 400 and "Your session has ended" in text and "sign in again" in text
    assert "Please correct these fields" not in text
    r = web_client.post("/console/quote", data={**EXAMPLE, "csrf_token": "forged"}, headers=AGENT)
    assert r.status_code == 400


def _quote(client, lang: str = "en", **fields):
    """Quote from the form: a 303 to the quote's own address (post/redirect/get), and that page."""
    r = client.post("/console/quote", data={**_form(client, **fields), "lang": lang}, headers=AGENT)
    assert r.status_code == 303 and "/console/quotes/q_" in r.headers["Location"], r.get_data(as_text=True)[:2000]
    page = client.get(r.headers["Location"], headers=AGENT)
    assert page.status_code == 200
    return page


def test_quote_from_fields_shows_the_ladder_recommended_first(web_client):
    r = _quote(web_client)
    text = r.get_data(as_text=True)
    assert text.index("Catch up on missed payments") < text.index("Recommended</span>")
    assert "CN¥2,300.00" in text           # disposable income, 8000 - 5200 - 500
    assert hidden(r, "option_id")[0] == "catch_up"
    assert "<code>catch_up</code>" not in text and "credit_card" not in text.split("<details")[0]


def test_itemised_lines_and_a_pasted_request(web_client):
    fields = {"monthly_income": "", "monthly_expenses": "", "income_salary": "6000", "income_benefits": "2000",
              "expense_housing": "3000", "expense_food": "2200"}
    assert "CN¥2,300.00" in _quote(web_client, **fields).get_data(as_text=True)
    pasted = (REQUESTS / "card_cny.json").read_text(encoding="utf-8")
    r = web_client.post("/console/quote", data={"csrf_token": csrf(web_client.get("/console/", headers=AGENT)),
                                                "paste": pasted}, headers=AGENT)
    assert r.status_code == 303
    assert 'value="12000.00"' in web_client.get(r.headers["Location"], headers=AGENT).get_data(as_text=True)
    r = web_client.post("/console/quote", data=_form(web_client, paste="{not json"), headers=AGENT)
    assert r.status_code == 422 and "<strong>paste</strong>" in r.get_data(as_text=True)


def test_invalid_fields_are_named_and_escaped(web_client):
    r = web_client.post("/console/quote", data=_form(web_client, account_id="<script>alert(1)</script>",
                                                     balance="12,000"), headers=AGENT)
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "<strong>account.account_id</strong>" in text and "<strong>account.balance</strong>" in text
    assert "<script>alert(1)</script>" not in text and html.escape("<script>alert(1)</script>") in text
    r = web_client.get("/console/accounts?account_id=%3Cscript%3E", headers=AGENT)
    assert r.status_code == 422 and "<script>" not in r.get_data(as_text=True)


def _try(client, page, lang: str = "en", **proposal):
    """A what-if on a quote page: a 303 to the quote with the what-if, and that page (or the 422 page)."""
    form = {"csrf_token": csrf(page), "lang": lang, "quote_id": hidden(page, "quote_id")[0], **proposal}
    r = client.post("/console/propose", data=form, headers=AGENT)
    if r.status_code != 303:
        return r
    assert "whatif=q_" in r.headers["Location"]
    return client.get(r.headers["Location"], headers=AGENT)


def test_whatif_needs_exactly_one_proposal_and_answers_with_a_counter_offer(web_client):
    q = _quote(web_client)
    r = _try(web_client, q, p_payment="300", p_term="12")
    assert r.status_code == 422 and "Give exactly one of" in r.get_data(as_text=True)
    r = _try(web_client, q, p_payment="300")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "Counter-offer" in text and "CN¥299.85" in text
    assert "Book this plan: Catch up on missed payments" in text


def test_booking_a_supervisor_plan_is_marked_and_waits_for_approval(web_app, web_client):
    fields = {"account_id": "ACC-SUP", "monthly_income": "2200", "monthly_expenses": "1900",
              "other_debt_payments": "0", "lump_sum_available": "2000"}
    q = _quote(web_client, **fields)
    text = q.get_data(as_text=True)
    assert "interest_reduction" in hidden(q, "option_id")
    card = text[text.index('id="o-q-interest_reduction"'):]
    card = card[:card.index("</article>")]
    assert "Needs a supervisor&#39;s approval" in card or "Needs a supervisor's approval" in card
    assert 'class="supervisor"' in card and "Send for supervisor approval" in card and "Book this plan" not in card
    book = {"csrf_token": csrf(q), "lang": "en", "quote_id": hidden(q, "quote_id")[0],
            "option_id": "interest_reduction", "idem": hidden(q, "idem")[0]}
    r = web_client.post("/console/book", data=book, headers=AGENT)
    assert r.status_code == 303 and "/console/accounts?account_id=ACC-SUP" in r.headers["Location"]
    page = web_client.get(r.headers["Location"], headers=AGENT).get_data(as_text=True)
    assert "Sent for a supervisor" in page and "Plan booked" in page and "Waiting for a supervisor" in page
    records = web_app.extensions["negotiator"]["records"]
    arr = records.account("ACC-SUP", STAFF)["arrangements"]
    assert [(a["status"], a["approval"], a["accepted_by"]) for a in arr] == [("pending_approval", "supervisor",
                                                                              "agent-7")]
    # The same form again (a double click) books nothing more.
    again = web_client.post("/console/book", data=book, headers=AGENT)
    assert again.status_code == 303
    assert len(records.account("ACC-SUP", STAFF)["arrangements"]) == 1


def _whatif(client, payment: str, **fields):
    q = _quote(client, **fields)
    r = _try(client, q, p_payment=payment)
    assert r.status_code == 200
    return q, r


def _book(client, page, option_id: str, quote_id: str, **extra):
    form = {"csrf_token": csrf(page), "lang": "en", "quote_id": quote_id, "option_id": option_id,
            "idem": hidden(page, "idem")[0], **extra}
    return client.post("/console/book", data=form, headers=AGENT)


def test_an_acceptable_whatif_books_its_own_plan(web_app, web_client):
    """800 a month: an 18-month instalment plan the ladder does not list, booked from the what-if itself."""
    q, r = _whatif(web_client, "800", account_id="ACC-WI")
    text = r.get_data(as_text=True)
    assert "Book this plan: Instalment plan" in text and "Counter-offer" not in text
    assert 'value="800.00"' in text                       # the proposal shown again, from the record
    quote_ids = hidden(r, "quote_id")
    whatif_id = next(i for i in quote_ids if i not in hidden(q, "quote_id"))   # the what-if's own, kept
    assert 'name="option_id" value="instalment"' in text
    booked = _book(web_client, r, "instalment", whatif_id)
    assert booked.status_code == 303
    arr = web_app.extensions["negotiator"]["records"].account("ACC-WI", STAFF)["arrangements"]
    assert [(a["type"], a["term_months"], a["monthly_payment"], a["quote_id"]) for a in arr] == [
        ("instalment", 18, "780.32", whatif_id)]


def test_an_under_offer_books_only_the_counter_offer_and_tells_the_agent_why(web_app, web_client):
    """300 a month asks a concession the income does not need: the plan it implies is affordable and within
    policy, yet refused; the console says why in the agent's terms, and only the counter-offer is booked."""
    _, r = _whatif(web_client, "300", account_id="ACC-UO")
    text = r.get_data(as_text=True)
    pane = text[text.index('id="wi-h"'):]
    counter_part, plan_part = pane.split("The plan it implies", 1)
    assert "Book this plan" not in plan_part and "Book this plan: Catch up on missed payments" in counter_part
    assert "Why not as proposed" in pane
    assert ("The borrower can afford CN¥1,840.00 a month. At CN¥300.00 the plan needs a concession worth "
            "CN¥376.10") in pane
    whatif_id = hidden(r, "quote_id")[-1]
    refused = _book(web_client, r, "interest_reduction", whatif_id)   # the under-offer's plan, forged
    assert refused.status_code == 422 and "Not an option of this quote" in refused.get_data(as_text=True)
    assert _book(web_client, r, "catch_up", whatif_id).status_code == 303
    arr = web_app.extensions["negotiator"]["records"].account("ACC-UO", STAFF)["arrangements"]
    assert [(a["type"], a["monthly_payment"], a["quote_id"]) for a in arr] == [("catch_up", "1350.00", whatif_id)]


def test_booking_with_the_store_off_says_so(tmp_path):
    client = create_app(web_config(store=False)).test_client()
    token = csrf(client.get("/console/", headers=AGENT))
    r = client.post("/console/book", data={"csrf_token": token, "quote_id": "q_x", "option_id": "catch_up",
                                           "idem": "0" * 32}, headers=AGENT)
    assert r.status_code == 503 and "store is switched off" in r.get_data(as_text=True)


def test_whatif_by_term_and_by_lump_sum(web_client):
    q = _quote(web_client, lang="zh-CN")
    by_term = _try(web_client, q, lang="zh-CN", p_term="36")
    text = by_term.get_data(as_text=True)
    assert by_term.status_code == 200 and "对应方案" in text and "<dd>36 个月</dd>" in text
    assert "期限：36 个月" in text and "term_months:" not in text
    by_lump = _try(web_client, q, lang="zh-CN", p_lump="9000")
    text = by_lump.get_data(as_text=True)
    # At 45 days past due the default policy settles nothing: the answer says so and counters with a plan.
    assert by_lump.status_code == 200 and "没有与该提议相符的方案。" in text and "还价方案" in text
    bad = _try(web_client, q, lang="zh-CN", p_term="abc")
    assert bad.status_code == 422 and "proposal.term_months" in bad.get_data(as_text=True)


def test_the_language_link_works_from_every_page(web_client):
    import re
    q = _quote(web_client, account_id="ACC-LANG")
    pages = [q, web_client.get("/console/accounts?account_id=ACC-LANG", headers=AGENT)]
    for page in pages:
        link = html.unescape(re.search(r'<a href="([^"]+)" lang="zh-CN"', page.get_data(as_text=True)).group(1))
        r = web_client.get(link, headers=AGENT)
        assert r.status_code == 200 and '<html lang="zh-CN">' in r.get_data(as_text=True)
    assert "account_id=ACC-LANG" in link


@pytest.mark.parametrize("query", ["_method=POST", "_external=1", "_anchor=x&lang=zh-CN", "_scheme=javascript"])
def test_a_query_holding_url_for_keywords_is_a_page_not_a_500(web_client, query):
    """Issue 19, item 9: `/console/?_method=POST` was a 500, and its error page failed too."""
    r = web_client.get(f"/console/?{query}", headers=AGENT)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "/console/?" in r.get_data(as_text=True)
