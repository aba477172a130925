"""The pages' own words, from the message catalogs, and the formatting of figures for people.

Explanations of options, flags and refusals come from the engine already in
the page's language (:mod:`negotiator.engine.explain`); this module holds only the
labels, headings and guidance of the pages: the ``page`` context of the
catalogs (:mod:`negotiator.core.i18n`, docs/i18n.md). Amounts, dates and
percentages are formatted by CLDR (:mod:`negotiator.core.formats`) from the
decimal strings and ISO dates of the wire, never through a float.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import g, has_app_context

from negotiator.core import formats
from negotiator.core.i18n import Table, keys, name, negotiate
from negotiator.core.vocabulary import LOCALES
from negotiator.engine.explain import money
from negotiator.kinds import names as kind_names

#: The languages of the pages: every language of the catalogs.
LANGS = LOCALES

#: Option types in plain words (the portal and the console), from each kind's module.
OPTION_NAMES = {lang: kind_names(lang) for lang in LANGS}

#: An arrangement's statuses in plain words, by language.
STATUS_NAMES = {lang: {code: name("status", code, lang) for code in keys("status")} for lang in LANGS}

#: The pages' words: the catalogs' ``page`` context, ``WORDS[key][lang]``. Words a module adds with
#: ``WORDS.update({key: {lang: text}})`` are read first, until ``scripts/catalogs.py add-words`` moves them
#: into the catalogs.
WORDS = Table("page")


def category_name(kind: str, category: str, lang: str) -> str:
    """An income or spending category in ``lang`` (the catalogs' ``income`` and ``category`` contexts)."""
    return name("income" if kind == "income" else "category", category, lang)


def t(key: str, lang: str, **params) -> str:
    """The page text ``key`` in ``lang`` (English when missing), with ``params`` filled in."""
    return WORDS.text(key, lang, **params)


def lang_of(value: str | None, default: str = "en") -> str:
    """A supported language from a query or form value (``zh-HK`` is ``zh-TW``, ``zh`` is ``zh-CN``); anything
    else is the default.

    >>> lang_of("zh-TW"), lang_of("zh-HK"), lang_of("zh"), lang_of("fr"), lang_of(None, "")
    ('zh-TW', 'zh-TW', 'zh-CN', 'en', '')
    """
    return negotiate(value) or default


def accepted_lang(header) -> str | None:
    """The first language of an ``Accept-Language`` header (werkzeug's, best first) the pages speak."""
    return negotiate(*(value for value, _ in header))


def language_name(lang: str) -> str:
    """A language in its own words, as the language switch offers it ("English", "简体中文", "繁體中文")."""
    return name("language", lang, lang)


def amount(value: str | None, currency: str, lang: str) -> str:
    """A wire amount for people ("CN¥1,350.00", "1,350.00 元"); empty for None and for a value a stored record
    does not have (a template's undefined, which reads as "").

    >>> amount("1350", "CNY", "zh-CN"), amount(None, "CNY", "en"), amount("", "CNY", "en")
    ('1,350.00 元', '', '')
    """
    return "" if value is None or str(value) == "" else money(str(value), currency, lang)


def percent(rate: str | None, exact: bool = False, lang: str = "en") -> str:
    """A decimal-fraction rate as a percentage with two decimals ("0.106283" -> "10.63%", an annualised rate
    as disclosed); ``exact``: every decimal the rate has, two at least (a rate the plan is priced at, "0.000592"
    -> "0.0592%", never rounded to "0.06%").

    >>> percent("0.106283"), percent("0.18"), percent("0"), percent("0.000592", exact=True), percent("0.18", True)
    ('10.63%', '18.00%', '0.00%', '0.0592%', '18.00%')
    """
    return formats.percent(rate, lang, exact)


def day(value: str | None, lang: str) -> str:
    """A wire date (ISO) as people read it ("3 January 2027", "2027年1月3日"); empty for None, and a value that
    is no date as it was given.

    >>> day("2027-01-03", "en"), day("2027-01-03", "zh-CN"), day(None, "en"), day("soon", "en")
    ('3 January 2027', '2027年1月3日', '', 'soon')
    """
    if not value:
        return ""
    try:
        return formats.date(str(value)[:10], lang)
    except ValueError:
        return str(value)


def currency_name(currency: str, lang: str) -> str:
    """A currency as a reader of ``lang`` names it ("元", "US dollars"), never its bare ISO code in Chinese.

    >>> currency_name("CNY", "zh-CN"), currency_name("GBP", "en")
    ('元', 'British pounds')
    """
    return formats.currency_name(currency, lang)


def positive(value: str | None) -> bool:
    """Whether a wire amount is above zero (a page says what is "left over" only then).

    >>> positive("12.50"), positive("0.00"), positive("-350.00"), positive(None)
    (True, False, False, False)
    """
    try:
        return value is not None and Decimal(str(value)) > 0
    except InvalidOperation:
        return False


def option_name(kind: str, lang: str) -> str:
    return OPTION_NAMES.get(lang, OPTION_NAMES["en"]).get(kind, kind)


def status_name(status: str, lang: str) -> str:
    return STATUS_NAMES.get(lang, STATUS_NAMES["en"]).get(status, status)


def helpers(lang: str) -> dict:
    """What every template is given: the language and its text and formatting functions (the ``day`` filter
    of every template, macros included, formats dates in it: :func:`negotiator.web.register`)."""
    if has_app_context():
        g.page_lang = lang
    return {"lang": lang, "t": lambda key, **p: t(key, lang, **p), "other_lang": next(o for o in LANGS if o != lang),
            "other_langs": [(o, language_name(o)) for o in LANGS if o != lang],
            "money": lambda v, cur: amount(v, cur, lang),
            "percent": lambda rate, exact=False: percent(rate, exact, lang), "positive": positive,
            "date": lambda v: day(v, lang), "currency_name": lambda cur: currency_name(cur, lang),
            "option_name": lambda k: option_name(k, lang), "status_name": lambda s: status_name(s, lang),
            "category_name": lambda kind, c: category_name(kind, c, lang)}


#: An error page's title and sentence by status (the sentence says nothing of the cause).
ERROR_WORDS = {404: ("not_found_title", "not_found"), 405: ("wrong_way_title", "wrong_way"),
               400: ("unreadable_title", "wrong_way"), 413: ("unreadable_title", "wrong_way"),
               500: ("our_fault_title", "our_fault")}


def error_words(code: int) -> tuple[str, str]:
    """The text keys of an error page: its status's own, else those of its class.

    >>> error_words(404), error_words(431), error_words(503)
    (('not_found_title', 'not_found'), ('unreadable_title', 'wrong_way'), ('our_fault_title', 'our_fault'))
    """
    return ERROR_WORDS.get(code) or ERROR_WORDS[500 if code >= 500 else 400]
