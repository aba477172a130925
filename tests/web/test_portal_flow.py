"""The borrower's way through (issue 20) through Flask's test client: answers typed as people type them,
post/redirect/get with the answers kept for Back and the language link, who to call on every page, free debt
advice where no plan fits, a link expired or a plan ended, the payment day, an honest catch-up, the short
reference and the plan's own address that outlives the link."""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import time
from decimal import Decimal

import pytest
from service.conftest import headers

from negotiator.engine.quote import quote
from negotiator.store.records import Caller
from negotiator.web.invitations import Invitation, sign
from negotiator.web.plan_links import ALPHABET

from .conftest import SECRET
from .pages import ACCOUNT, csrf, hidden

STAFF = Caller("agent", "agent:test")
CONTACT = ("Call Example Lending", 'href="tel:08000000000"', "Lines are open Mon–Fri 09:00–18:00",
           'href="https://www.example.com/help"')
ROOM = {"monthly_income": "4000", "monthly_expenses": "1700", "household_size": "3"}
MONEY = re.compile(r"\d[\d,]*\.\d{2}")


def _link(client, account_id: str = "ACC-F1", locale: str = "en", policy: str = "default", **acc) -> str:
    r = client.post("/v1/invitations", json={"account": {**ACCOUNT, "account_id": account_id, **acc},
                                             "locale": locale, "policy": policy}, headers=headers())
    assert r.status_code == 201, r.get_json()
    return "/portal/" + r.get_json()["url"].rsplit("/portal/", 1)[1]


def _answer(client, link: str, **fields):
    return client.post(link, data={"csrf_token": csrf(client.get(link)), **ROOM, **fields})


def _text(r) -> str:
    return r.get_data(as_text=True)


def _has_contact(html: str) -> None:
    for part in CONTACT:
        assert part in html, part


@pytest.mark.parametrize("typed", ["4,000", "４０００", "4000元", "¥4,000.00", "4 000", "CNY 4000", "CN¥4000",
                                   "£4,000"])
def test_an_income_typed_as_people_type_it_is_read(web_client, typed):
    link = _link(web_client)
    r = _answer(web_client, link, monthly_income=typed)
    assert r.status_code == 303
    page = web_client.get(r.headers["Location"])
    assert page.status_code == 200 and "Plans you can choose now" in _text(page)
    assert "CN¥2,300.00" in _text(page)      # 4,000 - 1,700 left over: read as 4,000, never clamped


def test_what_is_still_unreadable_is_said_beside_the_field_and_summarised_with_links(web_client):
    link = _link(web_client)
    r = _answer(web_client, link, monthly_income="", monthly_expenses="1,5", other_debt_payments="-20",
                household_size="0")
    html = _text(r)
    assert r.status_code == 422 and "<title>Error: Your repayment options</title>" in html
    summary = re.search(r'<div class="errors".*?</div>', html, re.S).group(0)
    assert re.findall(r'href="#(f-[a-z_]+)"', summary) == ["f-monthly_income", "f-monthly_expenses",
                                                           "f-other_debt_payments", "f-household_size"]
    for field, words in (("monthly_income", "Enter the money coming in each month"),
                         ("monthly_expenses", "Enter your essential spending each month as an amount, like 1,200.50"),
                         ("other_debt_payments", "Enter your payments to other debts as 0 or more"),
                         ("household_size", "Enter a number of people from 1 to 20")):
        assert re.search(rf'id="e-{field}"><span class="visually-hidden">Error: </span>{re.escape(words)}</p>', html)
        assert f'id="f-{field}"' in html
    assert "finances" not in html and "Required" not in html and "Not a valid" not in html
    assert 'value="1,5"' in html and 'value="-20"' in html       # kept as typed, to correct


def test_post_redirect_get_and_the_answers_kept_for_back_and_the_language(web_client):
    link = _link(web_client, "ACC-PRG")
    assert web_client.get(link + "/options").headers["Location"].startswith(link + "?")   # nothing answered yet
    r = _answer(web_client, link, monthly_income="4,000")
    options = r.headers["Location"]
    assert r.status_code == 303 and options.startswith(link + "/options")
    first, again = web_client.get(options), web_client.get(options)       # a reload is a GET: no resubmission
    assert first.status_code == again.status_code == 200
    html = _text(first)
    assert f'href="{link}?lang=en">Back</a>' in html and "Change your answers" in html
    # Back (or "change your answers"): the questions with the answers given.
    start = _text(web_client.get(link + "?lang=en"))
    assert 'value="4,000"' in start and 'value="1700"' in start and 'value="3"' in start
    # The language link of the options page is the options page in Chinese, with the same answers.
    switch = re.search(r'<nav aria-label="Language"><a href="([^"]+)"', html).group(1)
    assert switch == f"{link}/options?lang=zh-CN"
    zh = _text(web_client.get(switch))
    assert "您现在可以选择的方案" in zh and "2,300.00 元" in zh


def test_after_booking_back_and_reload_land_on_the_plan(web_client):
    link = _link(web_client, "ACC-BACK")
    options = _answer(web_client, link).headers["Location"]
    page = web_client.get(options)
    form = {"csrf_token": csrf(page), "quote_id": hidden(page, "quote_id")[0], "option_id": "catch_up",
            "idem": hidden(page, "idem")[0]}
    plan = web_client.post(link + "/accept", data=form).headers["Location"]
    back = web_client.get(options)                  # Back from the plan: the options address, a GET
    assert back.status_code == 303 and back.headers["Location"] == plan
    assert web_client.get(plan).status_code == 200


def test_every_page_names_the_lender_and_how_to_reach_them(web_client):
    link = _link(web_client, "ACC-CONTACT")
    expired = sign(Invitation("i_old", ACCOUNT, "default", "en", int(time.time()) - 1), SECRET)
    pages = [web_client.get(link), _answer(web_client, link, monthly_income="x"),
             web_client.get(_answer(web_client, link).headers["Location"]), web_client.get(link + "/nope"),
             web_client.get(f"/portal/{expired}"), web_client.get("/portal/" + "x" * 30),
             web_client.get("/portal/plan/" + "x" * 30)]
    for r in pages:
        _has_contact(_text(r))
        assert "Example Lending" in re.search(r'<p class="brand">(.*?)</p>', _text(r)).group(1)


def test_an_expired_link_points_to_free_debt_advice_of_its_market(web_client):
    expired = sign(Invitation("i_old", {**ACCOUNT, "currency": "GBP"}, "uk-conc", "en", int(time.time()) - 1),
                   SECRET)
    html = _text(web_client.get(f"/portal/{expired}"))
    assert "This link has expired" in html
    for name in ("MoneyHelper", "StepChange", "National Debtline"):
        assert f"<strong>{name}</strong>" in html
    _has_contact(html)


@pytest.mark.parametrize(("income", "deficit"), [("1000", True), ("2200", False)])
def test_nothing_affordable_is_no_dead_end_and_presses_no_shortfall(web_client, income, deficit):
    link = _link(web_client, "ACC-NONE", policy="uk-conc", currency="GBP")
    html = _text(web_client.get(_answer(web_client, link, monthly_income=income,
                                        monthly_expenses="1900").headers["Location"]))
    assert "Plans you can choose now" not in html and 'class="option' not in html
    assert "We need to talk this through with you" in html
    assert ("more than the money coming in" in html) == deficit
    assert not re.search(r"-\s*£?[\d,]+\.\d\d", html)             # no negative left over
    assert "a month more" not in html and "more than you can afford" not in html and "left each month" not in html
    assert "<strong>StepChange</strong>" in html
    _has_contact(html)


def test_a_catch_up_says_the_regular_payment_continues_and_what_is_still_owed(web_client, registry):
    link = _link(web_client, "ACC-CATCH")
    html = _text(web_client.get(_answer(web_client, link).headers["Location"]))
    art = re.search(r'<article class="option recommended" aria-labelledby="o-catch_up">.*?</article>', html, re.S)
    assert art, "the catch-up is suggested for these answers"
    art = art.group(0)
    assert ("Each payment of CN¥1,100.00 is your regular payment of CN¥600.00 plus CN¥500.00 towards the overdue "
            "amount. After the last payment of this plan you will still owe CN¥9,452.49") in art
    assert "Still owed after this plan" in art and "Regular payment" in art
    # The rows add up: payment = regular payment + interest + towards what is owed + fees, for every plan.
    q = quote({"account": ACCOUNT, "finances": {**ROOM, "household_size": 3}, "schedules": "all"}, registry,
              channel="portal")
    for o in q["options"]:
        for line in o.get("schedule") or []:
            parts = [line.get("regular_payment") or "0", line["interest"], line["principal"], line["fees"]]
            assert sum(map(Decimal, parts)) == Decimal(line["payment"]), (o["type"], line)


def test_the_borrower_picks_the_first_payment_day_within_the_policys_window(web_app, web_client, registry):
    today = web_app.extensions["negotiator"]["clock"].today()
    window = registry.get("default").first_payment_max_days
    link = _link(web_client, "ACC-DAY2")
    start = _text(web_client.get(link))
    days = re.findall(r'<option value="(\d{4}-\d\d-\d\d)"', start)
    assert days[0] == (today + dt.timedelta(days=1)).isoformat()
    assert days[-1] == (today + dt.timedelta(days=window)).isoformat() and len(days) == window
    assert re.search(r'<option value="[^"]+" selected>', start)      # the policy's usual day, chosen for them
    chosen = today + dt.timedelta(days=10)
    html = _text(web_client.get(_answer(web_client, link, first_payment_date=chosen.isoformat()).headers["Location"]))
    assert chosen.strftime("%-d %B %Y") in html
    refused = _answer(web_client, link, first_payment_date=(today + dt.timedelta(days=window + 1)).isoformat())
    assert refused.status_code == 422 and 'href="#f-first_payment_date"' in _text(refused)


def test_a_long_schedule_shows_its_first_and_last_payments_and_all_of_them_on_request(web_client):
    link = _link(web_client, "ACC-LONG")
    html = _text(web_client.get(_answer(web_client, link, monthly_income="3500",
                                        monthly_expenses="2000").headers["Location"]))
    art = re.search(r'aria-labelledby="o-instalment">.*?</article>', html, re.S).group(0)
    short, full = art.split('<details class="all-rows">', 1)
    n = int(re.search(r"Show all (\d+) payments", full).group(1))
    assert n > 5 and "First and last payments" in short
    assert short.count('role="row"') == 1 + 4 and full.count('data-label="No.">') == n


def _book(client, link: str, option: str = "catch_up") -> str:
    page = client.get(_answer(client, link).headers["Location"])
    form = {"csrf_token": csrf(page), "quote_id": hidden(page, "quote_id")[0], "option_id": option,
            "idem": hidden(page, "idem")[0]}
    return client.post(link + "/accept", data=form).headers["Location"]


def test_the_confirmation_says_how_to_pay_what_if_missed_who_to_call_and_a_reference(web_app, web_client):
    link = _link(web_client, "ACC-CONF")
    html = _text(web_client.get(_book(web_client, link)))
    [arr] = web_app.extensions["negotiator"]["records"].account("ACC-CONF", STAFF)["arrangements"]
    ref = re.search(r'<strong class="reference">([^<]+)</strong>', html).group(1)
    assert re.fullmatch(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", ref)
    assert "How and when to pay" in html and f"give your reference {ref}" in html and "Pay CN¥1,100.00" in html
    assert "If you miss a payment" in html and f"within {arr['grace_days']} days of its date" in html
    _has_contact(html)
    assert "a_" not in re.sub(r'href="[^"]*"', "", html)       # the long id is not the reference


def test_the_plans_own_address_outlives_the_link_and_is_revoked_when_the_plan_ends(web_app, web_client):
    link = _link(web_client, "ACC-ADDR")
    html = _text(web_client.get(_book(web_client, link)))
    address = re.search(r'<a href="(/portal/plan/[^"]+)">See your plan</a>', html).group(1)
    ref = re.search(r'<strong class="reference">([^<]+)</strong>', html).group(1)
    fresh = web_client.__class__(web_app, web_app.response_class)    # another browser: no cookie, no link
    page = _text(fresh.get(address))
    assert "Your plan is agreed" in page and ref in page and "<caption>Payment schedule</caption>" in page
    assert fresh.get(address.replace("/plan/", "/plan/x")).status_code == 404
    records = web_app.extensions["negotiator"]["records"]
    [arr] = records.account("ACC-ADDR", STAFF)["arrangements"]
    records.cancel(arr["arrangement_id"], {"cancelled_by": "agent-7"}, STAFF, None)
    ended = _text(fresh.get(address))
    assert "This plan has ended" in ended and "schedule" not in ended.lower() and ref in ended
    assert "Please call us about what you owe now" in ended
    _has_contact(ended)


def test_no_word_the_borrower_pages_use_names_a_limit_or_an_internal_figure():
    """Every page word the portal's templates and views use, in every language (the catalogs hold them)."""
    from service.test_portal_walk import LIMIT_WORDS

    from negotiator.web.text import LANGS, t

    from .pages import INTERNAL_WORDS
    web = pathlib.Path(__file__).resolve().parents[2] / "negotiator" / "web"
    sources = [*sorted((web / "templates" / "portal").glob("*.html")), web / "portal.py"]
    keys = {k for path in sources for k in re.findall(r"\bt\(['\"]([a-z0-9_]+)['\"]", path.read_text("utf-8"))}
    assert len(keys) > 60
    for key in sorted(keys):
        for lang in LANGS:
            text = t(key, lang)
            assert text.strip() and not LIMIT_WORDS.search(text) and not INTERNAL_WORDS.search(text), (key, text)


@pytest.mark.parametrize(("var", "value"), [("lender_name", " "), ("lender_phone", "call us"),
                                            ("lender_hours", ""), ("lender_url", "javascript:alert(1)")])
def test_the_lenders_contact_settings_are_checked_at_start_naming_the_variable(var, value):
    from negotiator.core.errors import ConfigError
    from negotiator.service import Config
    with pytest.raises(ConfigError) as exc:
        Config.from_env({"NEGOTIATOR_DEV": "1", f"NEGOTIATOR_{var.upper()}": value})
    assert f"NEGOTIATOR_{var.upper()}" in str(exc.value)


def test_the_lenders_own_contact_is_shown(tmp_path):
    from negotiator.service import create_app
    from negotiator.store import upgrade

    from .conftest import web_config
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    upgrade(url)
    client = create_app(web_config(database_url=url, lender_name="Acme Bank", lender_phone="+44 20 7946 0123",
                                   lender_hours="8am to 8pm", lender_url="https://acme.example/help")).test_client()
    html = _text(client.get(_link(client, "ACC-ACME")))
    assert "Call Acme Bank" in html and 'href="tel:+442079460123"' in html and "8am to 8pm" in html
    assert 'href="https://acme.example/help"' in html



def test_the_hardship_question_is_optional_and_offers_every_kind_in_plain_words(web_client):
    link = _link(web_client, "ACC-HQ")
    html = _text(web_client.get(link))
    assert "Has something made it hard to pay?" in html
    values = re.findall(r'name="hardship_kind" value="([a-z_]+)"', html)
    assert set(values) == {"unemployment", "illness", "reduced_income", "mental_health_crisis", "breathing_space",
                           "moratorium", "other", "none", "prefer_not"}
    assert ">Reduced income</label>" in html and ">I prefer not to say</label>" in html
    assert "checked" not in re.search(r'<fieldset class="radios".*?</fieldset>', html, re.S).group(0)
    assert _answer(web_client, link).status_code == 303              # not answered: the plans, as before


def test_a_declared_hardship_reaches_the_engine_and_free_advice_is_shown(web_client):
    link = _link(web_client, "ACC-HARD")
    without = _text(web_client.get(_answer(web_client, link).headers["Location"]))
    assert 'aria-labelledby="o-payment_holiday"' not in without and 'class="advice"' not in without
    r = _answer(web_client, link, hardship_kind="reduced_income", hardship_months="1")
    html = _text(web_client.get(r.headers["Location"]))
    assert 'aria-labelledby="o-payment_holiday"' in html          # a plan the engine offers for a hardship
    assert "Thank you for telling us" in html
    advice = re.search(r'<section class="advice".*?</section>', html, re.S).group(0)
    assert "free, independent debt advice" in advice
    # "No" and "prefer not to say" are no hardship: the same plans as without an answer.
    for answer in ("none", "prefer_not"):
        page = _text(web_client.get(_answer(web_client, link, hardship_kind=answer,
                                            hardship_months="1").headers["Location"]))
        assert 'aria-labelledby="o-payment_holiday"' not in page and 'class="advice"' not in page


def test_a_hardship_in_the_uk_shows_the_markets_free_debt_advice(web_client):
    link = _link(web_client, "ACC-HARD-UK", policy="uk-conc", currency="GBP")
    html = _text(web_client.get(_answer(web_client, link, hardship_kind="illness").headers["Location"]))
    assert 'class="option' in html                                 # plans, and the advice beside them
    for name in ("MoneyHelper", "StepChange", "National Debtline"):
        assert f"<strong>{name}</strong>" in html


def test_the_hardship_answer_survives_back_and_the_language_switch(web_client):
    link = _link(web_client, "ACC-HARD-LANG")
    options = _answer(web_client, link, hardship_kind="illness", hardship_months="４").headers["Location"]
    html = _text(web_client.get(options))
    switch = re.search(r'<nav aria-label="Language"><a href="([^"]+)"', html).group(1)
    zh = _text(web_client.get(switch))
    assert "感谢您告诉我们" in zh and 'class="advice"' in zh
    start = _text(web_client.get(link + "?lang=zh-CN"))
    assert "是否有什么情况让您难以还款？" in start and ">疾病</label>" in start
    assert re.search(r'value="illness"\s+checked', start) and 'value="４"' in start


@pytest.mark.parametrize(("kind", "months", "field", "words"), [
    ("bankrupt<script>", "", "hardship_kind", "Choose one of the answers, or “I prefer not to say”"),
    ("illness", "soon", "hardship_months", "Enter the number of months as a whole number, like 3, or leave it empty"),
    ("illness", "0", "hardship_months", "Enter the number of months as a whole number, like 3, or leave it empty")])
def test_a_forged_or_unreadable_hardship_answer_is_said_beside_its_field(web_client, kind, months, field, words):
    link = _link(web_client, "ACC-HARD-BAD")
    r = _answer(web_client, link, hardship_kind=kind, hardship_months=months)
    html = _text(r)
    assert r.status_code == 422 and "<title>Error: Your repayment options</title>" in html
    assert f'href="#f-{field}"' in html and f'id="f-{field}"' in html
    assert re.search(rf'id="e-{field}"><span class="visually-hidden">Error: </span>{re.escape(words)}</p>', html)
    assert "bankrupt<script>" not in html


def test_a_hardship_longer_than_the_engine_plans_for_is_asked_about_not_cut_short(web_client):
    """Nothing clamped: 60 months is refused beside the field, which says what to enter instead; 24 goes on."""
    link = _link(web_client, "ACC-HARD-LONG")
    r = _answer(web_client, link, hardship_kind="unemployment", hardship_months="60")
    assert r.status_code == 422 and "longer than 24 months, enter 24" in _text(r)
    r = _answer(web_client, link, hardship_kind="unemployment", hardship_months="24")
    assert r.status_code == 303 and web_client.get(r.headers["Location"]).status_code == 200


@pytest.mark.parametrize("var", ["NEGOTIATOR_LENDER_HOURS_ZH_CN", "NEGOTIATOR_LENDER_HOURS_ZH_TW"])
def test_the_hours_in_chinese_are_checked_at_start_naming_the_variable(var):
    from negotiator.core.errors import ConfigError
    from negotiator.service import Config
    with pytest.raises(ConfigError) as exc:
        Config.from_env({"NEGOTIATOR_DEV": "1", var: "时" * 121})
    assert var in str(exc.value)
    blank = Config.from_env({"NEGOTIATOR_DEV": "1", "NEGOTIATOR_LENDER_HOURS": "9 to 5", var: "  "})
    assert blank.lender_hours_in("zh-CN") == blank.lender_hours_in("zh-TW") == "9 to 5"    # blank: the one setting


def test_the_opening_hours_are_shown_in_the_borrowers_language(tmp_path):
    from negotiator.service import Config, create_app
    from negotiator.store import upgrade

    from .conftest import web_config
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    upgrade(url)
    cfg = Config.from_env({"NEGOTIATOR_DEV": "1", "NEGOTIATOR_LENDER_HOURS": "Mon–Fri 8am to 8pm",
                           "NEGOTIATOR_LENDER_HOURS_ZH_CN": "周一至周五 8:00–20:00"})
    client = create_app(web_config(database_url=url, lender_hours=cfg.lender_hours,
                                   lender_hours_zh_cn=cfg.lender_hours_zh_cn)).test_client()
    link = _link(client, "ACC-HOURS")
    assert "Mon–Fri 8am to 8pm" in _text(client.get(link + "?lang=en"))
    zh = _text(client.get(link + "?lang=zh-CN"))
    assert "周一至周五 8:00–20:00" in zh and "8am" not in zh
    assert "Mon–Fri 8am to 8pm" in _text(client.get(link + "?lang=zh-TW"))      # unset: the one setting
