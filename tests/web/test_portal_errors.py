"""The portal's error pages through Flask's test client: an unknown address, another account's plan, the
store or the portal off, a wrong method. Each is a page in the borrower's language with the pages' security
headers and the right status, saying nothing internal; the API's errors stay problem+json."""

from __future__ import annotations

import re
import time

import pytest
from service.conftest import AGENT_KEY
from service.test_portal_walk import LIMIT_WORDS

from negotiator.service import create_app
from negotiator.web import PAGE_HEADERS
from negotiator.web.invitations import Invitation, sign

from .conftest import SECRET, web_config
from .pages import ACCOUNT, INTERNAL_WORDS, csrf
from .test_portal import _choose, _link

TITLES = {404: {"en": "Page not found", "zh-CN": "未找到该页面"},
          405: {"en": "This page cannot be opened this way", "zh-CN": "无法以这种方式打开此页面"},
          413: {"en": "We could not read what was sent", "zh-CN": "无法读取提交的内容"},
          500: {"en": "Something went wrong on our side", "zh-CN": "我们这边出了问题"}}
NO_PLAN = "/plans/a_" + "0" * 20


def plain_page(r, status: int, lang: str, *secrets: str) -> str:
    """The response is the portal's page for ``status`` in ``lang``, with none of ``secrets`` nor internal words."""
    assert r.status_code == status and r.mimetype == "text/html"
    assert {k: r.headers.get(k) for k in PAGE_HEADERS} == PAGE_HEADERS
    html = r.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and f"<h1>{TITLES[status][lang]}</h1>" in html
    text = re.sub(r"<[^>]+>", " ", html)
    assert not INTERNAL_WORDS.search(text) and not LIMIT_WORDS.search(text), text
    for word in ("Traceback", "No resource", "problem", "ACC-", *secrets):
        assert word not in html
    return html


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_unknown_plans_and_addresses_under_a_link(web_client, lang):
    link = _link(web_client, "ACC-E1", locale=lang)
    for path in (NO_PLAN, "/plans/" + "a" * 41, "/nope", "/plans/a/b"):
        ids = [part for part in path.split("/") if len(part) > 10]      # the ids asked for are not repeated
        html = plain_page(web_client.get(link + path, headers={"Accept-Language": "fr"}), 404, lang, *ids)
        assert f'href="{link}?lang={lang}"' in html     # the way back to the start of the link


def test_another_accounts_plan_is_not_found_and_not_shown(web_client):
    mine, theirs = _link(web_client, "ACC-E-MINE"), _link(web_client, "ACC-E-THEIRS")
    _, form = _choose(web_client, theirs)
    plan = web_client.post(theirs + "/accept", data=form).headers["Location"]
    arrangement_id = plan.split("/plans/")[1].split("?")[0]
    assert web_client.get(plan).status_code == 200
    plain_page(web_client.get(plan.replace(theirs, mine)), 404, "en", arrangement_id, "ACC-E-THEIRS")


def test_a_wrong_method_says_so_with_the_allowed_ones(web_client):
    link = _link(web_client, locale="zh-CN")
    r = web_client.get(link + "/accept")      # the address of the accept form, opened or reloaded
    plain_page(r, 405, "zh-CN")
    assert r.headers["Allow"] == "OPTIONS, POST"
    plain_page(web_client.put(link), 405, "zh-CN")
    plain_page(web_client.post(link + NO_PLAN), 405, "zh-CN")


def test_without_a_genuine_link_the_language_is_the_one_asked_for(web_client):
    plain_page(web_client.get("/portal/"), 404, "en")
    plain_page(web_client.get("/portal/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}), 404, "zh-CN")
    plain_page(web_client.get("/portal/?lang=zh-CN", headers={"Accept-Language": "en"}), 404, "zh-CN")
    html = plain_page(web_client.get("/portal/not-a-genuine-token-at-all/nope"), 404, "en")
    assert "not-a-genuine-token" not in html
    old = sign(Invitation("i_old", ACCOUNT, "default", "zh-CN", int(time.time()) - 1), SECRET)
    html = plain_page(web_client.get(f"/portal/{old}/nope"), 404, "zh-CN")     # the expired link's language
    assert old not in html


def test_the_store_off_and_the_portal_off(tmp_path):
    client = create_app(web_config(store=False)).test_client()
    link = _link(client, locale="zh-CN")
    plain_page(client.get(link + NO_PLAN), 404, "zh-CN")
    form = {"csrf_token": csrf(client.get(link)), "quote_id": "q", "option_id": "o", "idem": "a" * 32}
    plain_page(client.post(link + "/accept", data=form), 404, "zh-CN")
    off = create_app(web_config(secret_key="", console_agent_header="", store=False)).test_client()
    plain_page(off.get(link, headers={"Accept-Language": "zh"}), 404, "zh-CN")


def test_the_apis_errors_stay_problem_json(web_client):
    for r in (web_client.get("/v1/nope"), web_client.put("/v1/quotes")):
        assert r.mimetype == "application/problem+json" and r.status_code in (404, 405)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_form_too_large_is_a_page(web_client, lang):
    link = _link(web_client, "ACC-BIG", locale=lang)
    form = {"csrf_token": csrf(web_client.get(link)), "monthly_income": "1" * 70_000}   # over the 64 KiB limit
    plain_page(web_client.post(link, data=form), 413, lang)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_failure_of_ours_is_a_page_and_is_logged(web_client, monkeypatch, caplog, lang):
    """Whatever breaks inside a portal page, the borrower reads a plain sentence; the log has the error."""
    import negotiator.web.portal as portal

    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded: ACC-SECRET")
    link = _link(web_client, "ACC-FAIL", locale=lang)
    form = {"csrf_token": csrf(web_client.get(link)), "monthly_income": "8000", "monthly_expenses": "3000"}
    monkeypatch.setattr(portal, "quote", broken)
    with caplog.at_level("ERROR"):
        r = web_client.post(link, data=form, follow_redirects=True)    # the plans are quoted at their address
    plain_page(r, 500, lang, "exploded", "ACC-SECRET", "RuntimeError")
    assert any(rec.getMessage() == "unhandled error" and rec.exc_info for rec in caplog.records)
    assert r.headers["X-Request-ID"]
    # The API's own failures stay problem+json.
    import negotiator.service.quotes as quotes
    monkeypatch.setattr(quotes, "quote", broken)
    api = web_client.post("/v1/quotes", json={"x": 1}, headers={"X-API-Key": AGENT_KEY})
    assert api.status_code == 500 and api.mimetype == "application/problem+json"


def test_a_chinese_borrowers_form_errors_are_in_chinese(web_client):
    """Issue 18: the portal quotes in the page's language, so a bad figure is explained in it."""
    link = _link(web_client, "ACC-E-ZH", locale="zh-CN")
    page = web_client.get(link)
    r = web_client.post(link, data={"csrf_token": csrf(page), "monthly_income": "3500.001",
                                    "monthly_expenses": "2000"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "每月收入最多保留 2 位小数" in html and "Has more than" not in html
