"""Issue 18, item 14 on the borrower's page: a budget with nothing to spare is shown where to get help, by
preset, and never a negative "left over" or what a plan "needs a month more"."""

from __future__ import annotations

import re

import pytest
from service.conftest import headers
from test_signposting import PRESETS, SHOWN

from .pages import INTERNAL_WORDS, csrf

MONEY = re.compile(r"\d[\d,]*\.\d{2}")


def _account(policy: str) -> dict:
    account = {"account_id": f"ACC-{policy}", "currency": PRESETS[policy], "balance": "6000.00",
               "arrears": "600.00", "fees": "0", "apr": "0.18", "days_past_due": 40,
               "product": "loan" if policy == "cn-loan" else "credit_card", "contractual_payment": "300.00"}
    if policy == "cn-loan":
        account["remaining_term_months"] = 24
    return account


def _page(client, policy: str, locale: str, income: str, expenses: str) -> str:
    r = client.post("/v1/invitations", json={"account": _account(policy), "policy": policy, "locale": locale},
                    headers=headers())
    assert r.status_code == 201, r.get_json()
    link = "/portal/" + r.get_json()["url"].rsplit("/portal/", 1)[1]
    page = client.post(link, data={"csrf_token": csrf(client.get(link)), "monthly_income": income,
                                   "monthly_expenses": expenses}, follow_redirects=True)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _advice_section(html: str) -> str | None:
    m = re.search(r'<section class="advice".*?</section>', html, re.DOTALL)
    return m.group(0) if m else None


@pytest.mark.parametrize("policy", PRESETS)
def test_a_borrower_in_deficit_is_shown_where_to_get_help(web_client, registry, policy):
    html = _page(web_client, policy, "en", "1000.00", "1400.00")
    section = _advice_section(html)
    assert section is not None
    assert registry.get(policy).advice_in("en").intro in section
    for name, phone, url in SHOWN[policy]:
        assert f"<strong>{name}</strong>" in section
        assert f'href="tel:{phone.replace(" ", "")}"' in section and phone in section
        assert f'href="{url}" rel="noopener noreferrer"' in section
    assert section.count("<li>") == len(SHOWN[policy])
    assert "placeholder" not in html and "Our hardship line" not in html and "Our customer support team" not in html
    # Nothing pressed: no "left over", no "needs ... more", no figure in the flags or the advice.
    assert "left each month" not in html and "a month more" not in html and "more than you can afford" not in html
    flags = re.search(r'<ul class="flags">(.*?)</ul>', html, re.DOTALL)
    assert flags is None or not MONEY.search(flags.group(1))
    assert not MONEY.search(section)
    assert not INTERNAL_WORDS.search(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("policy", ["uk-conc", "cn-card"])
def test_the_help_is_in_the_pages_language(web_client, policy):
    section = _advice_section(_page(web_client, policy, "zh-CN", "1000.00", "1400.00"))
    assert section is not None and "获取帮助" in section
    assert {"uk-conc": "MoneyHelper（英国政府设立的免费理财咨询服务）",
            "cn-card": "12378 银行保险消费者投诉维权热线（国家金融监督管理总局）"}[policy] in section


@pytest.mark.parametrize("policy", PRESETS)
def test_a_borrower_with_room_to_spare_sees_what_is_left_over_and_no_signpost(web_client, policy):
    html = _page(web_client, policy, "en", "4000.00", "2500.00")
    assert re.search(r"After your essential spending and other debts you have [^<]+ left each month", html)
    assert _advice_section(html) is None
