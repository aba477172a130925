"""The pages' language: asked (``?lang=``, ``zh-HK`` read as ``zh-TW``), the invitation's, else the browser's
(``Accept-Language``); every language offered by the switch, in its own name."""

from __future__ import annotations

import re

import pytest

from .test_portal import _link, _options


def _lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


@pytest.mark.parametrize("asked,lang", [("zh-TW", "zh-TW"), ("zh-HK", "zh-TW"), ("zh", "zh-CN"), ("en", "en")])
def test_the_portal_speaks_the_language_asked(web_client, asked, lang):
    page = web_client.get(_link(web_client) + f"?lang={asked}").get_data(as_text=True)
    assert _lang(page) == lang


def test_traditional_chinese_pages_with_amounts_and_dates_for_people(web_client):
    link = _link(web_client, "ACC-TW", locale="zh-TW")
    start = web_client.get(link).get_data(as_text=True)
    assert _lang(start) == "zh-TW" and "欠款合計" in start and "12,300.00 人民幣" in start
    assert "（單位：人民幣）" in start
    text = _options(web_client, link).get_data(as_text=True)
    visible = re.sub(r"<[^>]+>", " ", text)
    assert "CNY" not in visible and not re.search(r"\d{4}-\d{2}-\d{2}", visible)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", visible)


def test_simplified_chinese_pages_say_yuan_not_the_iso_code(web_client):
    link = _link(web_client, "ACC-CN", locale="zh-CN")
    start = web_client.get(link).get_data(as_text=True)
    assert "（单位：元）" in start and "12,300.00 元" in start
    visible = re.sub(r"<[^>]+>", " ", _options(web_client, link).get_data(as_text=True))
    assert "CNY" not in visible and not re.search(r"\d{4}-\d{2}-\d{2}", visible)


def test_the_browsers_language_where_nothing_else_says(web_client):
    page = web_client.get("/portal/nothing-here", headers={"Accept-Language": "fr, zh-HK;q=0.8, en;q=0.5"})
    assert page.status_code in (400, 404) and _lang(page.get_data(as_text=True)) == "zh-TW"


def test_the_switch_offers_every_other_language_in_its_own_name(web_client):
    page = web_client.get(_link(web_client) + "?lang=zh-TW").get_data(as_text=True)
    assert 'hreflang="en">English</a>' in page and 'hreflang="zh-CN">简体中文</a>' in page
    assert 'hreflang="zh-TW"' not in page
