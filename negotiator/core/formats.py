"""Amounts, dates and percentages as people read them, by CLDR locale (Babel); never through a float.

The wire keeps its decimal strings and ISO dates; only the words people read
are formatted here, the engine's reasons and the pages alike. English is
CLDR's international English (``en_001``: "3 January 2027", "CN¥1,100.00",
"£1,100.00"); Chinese writes the amount with its currency's digits and then
the unit ("1,100.00 元"): the catalogs' ``currency`` context where they name
one (元 for the yuan in Simplified Chinese, 人民幣 in Traditional, where 元
alone would read as the New Taiwan dollar), else CLDR's name of the currency
(美元, 英鎊), so no ISO code such as "CNY" reaches a Chinese reader.

>>> money("49200.00", "CNY", "zh-CN"), money("49200.00", "CNY", "zh-TW"), money("-1234567", "JPY", "zh-CN")
('49,200.00 元', '49,200.00 人民幣', '-1,234,567 日元')
>>> money("49200.00", "CNY"), money("1100.00", "GBP"), money("-1100.00", "USD"), money("1100.500", "KWD")
('CN¥49,200.00', '£1,100.00', '-US$1,100.00', 'KWD1,100.500')
>>> date("2027-01-03"), date("2027-01-03", "zh-CN"), date(dt.date(2027, 1, 3), "zh-TW")
('3 January 2027', '2027年1月3日', '2027年1月3日')
>>> percent("0.106283"), percent("0.18", "zh-CN"), percent("0.000592", exact=True), percent("0.18", exact=True)
('10.63%', '18.00%', '0.0592%', '18.00%')
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from babel.dates import format_date
from babel.numbers import format_currency, format_percent, get_currency_name

from negotiator.core import i18n

#: The CLDR locale of each language the service speaks (English: international English, day-month-year).
CLDR = {"en": "en_001", "zh-CN": "zh_Hans_CN", "zh-TW": "zh_Hant_TW"}


def cldr(lang: str) -> str:
    """The CLDR locale ``lang`` is formatted in (English for a language not served)."""
    return CLDR.get(lang, CLDR["en"])


def decimal(value: str | int | Decimal) -> Decimal:
    """A wire amount as a Decimal, from its string (a float is refused: it is never exact).

    >>> decimal("1100.10"), decimal(3)
    (Decimal('1100.10'), Decimal('3'))
    """
    if isinstance(value, float):
        raise TypeError("amounts are read from decimal strings, never from floats")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def money(amount: str | int | Decimal, currency: str, lang: str = "en") -> str:
    """An amount in ``currency`` as a reader of ``lang`` writes it (CLDR's digits of the currency)."""
    value = decimal(amount)
    locale = cldr(lang)
    if not lang.startswith("zh"):
        return format_currency(value, currency, locale=locale).replace("\xa0", " ")
    number = format_currency(value, currency, format="#,##0.00", locale=locale)
    return f"{number} {_unit(currency, lang)}"


def currency_name(currency: str, lang: str = "en") -> str:
    """A currency as a reader of ``lang`` names it: the unit Chinese writes after an amount (元), CLDR's plural
    name in English ("British pounds")."""
    if lang.startswith("zh"):
        return _unit(currency, lang)
    return get_currency_name(currency, count=2, locale=cldr(lang))


def _unit(currency: str, lang: str) -> str:
    if i18n.has("currency", currency):
        return i18n.text("currency", currency, lang)
    return get_currency_name(currency, locale=cldr(lang))


def date(value: str | dt.date, lang: str = "en") -> str:
    """A date (an ISO string or a date) in ``lang``'s long form: "3 January 2027", "2027年1月3日"."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, format="long", locale=cldr(lang))


def percent(rate: str | Decimal | None, lang: str = "en", exact: bool = False) -> str:
    """A decimal-fraction rate as a percentage with two decimals ("0.106283" -> "10.63%", an annualised rate as
    disclosed); ``exact``: every decimal the rate has, two at least (a rate a plan is priced at, never rounded
    away). Empty for None; an unreadable rate as it was given."""
    if rate is None:
        return ""
    try:
        value = decimal(rate)
    except (InvalidOperation, TypeError):
        return str(rate)
    pattern = "#,##0.00" + ("#" * 12 if exact else "") + "%"
    return format_percent(value, format=pattern, locale=cldr(lang), decimal_quantization=not exact)
