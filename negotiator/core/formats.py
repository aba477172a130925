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
from functools import lru_cache

from babel.core import Locale
from babel.dates import format_date
from babel.numbers import (
    NumberPattern,
    format_currency,
    format_percent,
    get_currency_name,
    get_currency_precision,
    get_decimal_quantum,
    parse_pattern,
)

from negotiator.core import i18n
from negotiator.core.money import format_minor

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
    fast = _money_format(currency, lang)
    if fast is not None:
        try:
            return fast.format(value)
        except (InvalidOperation, ValueError):     # an amount beyond the decimal context: Babel says what it does
            pass
    return babel_money(value, currency, lang)


def money_minor(minor: int, digits: int, currency: str, lang: str = "en") -> str:
    """:func:`money` of an amount in minor units with ``digits`` decimals (the engine's figures), the same text.

    >>> money_minor(4920000, 2, "CNY", "zh-CN"), money_minor(-110000, 2, "GBP"), money_minor(7, 3, "KWD")
    ('49,200.00 元', '-£1,100.00', 'KWD0.007')
    """
    fast = _money_format(currency, lang)
    if fast is not None and fast.digits == digits:
        return fast.format_minor(int(minor))
    return money(format_minor(minor, digits), currency, lang)


def babel_money(value: Decimal, currency: str, lang: str = "en") -> str:
    """:func:`money` as Babel writes it, call by call (the reference :class:`MoneyFormat` is checked against)."""
    locale = cldr(lang)
    if not lang.startswith("zh"):
        return format_currency(value, currency, locale=locale).replace("\xa0", " ")
    number = format_currency(value, currency, format="#,##0.00", locale=locale)
    return f"{number} {_unit(currency, lang)}"


class MoneyFormat:
    """:func:`babel_money` for one currency and language, its CLDR look-ups done once.

    Babel's ``NumberPattern.apply`` looks up the locale's symbols, the currency's digits and symbol on every
    call; here they are read once from Babel itself (the pattern's prefix and suffix with the currency put in,
    the locale's group and decimal symbols, the currency's digits) and the number is written the way Babel
    writes it: quantized to the currency's digits in the current decimal context, grouped by the pattern's
    sizes. Made only for the plain patterns the service uses (no quoted text, no currency name, no scale or
    exponent); for anything else :func:`_money_format` gives None and Babel is called. ``tests/test_formats_fast.py``
    checks it against :func:`babel_money` for every currency and language.
    """

    __slots__ = ("quantum", "digits", "group", "first", "rest", "point", "prefix", "suffix")

    def __init__(self, currency: str, lang: str):
        locale = Locale.parse(cldr(lang))
        zh = lang.startswith("zh")
        pattern: NumberPattern = parse_pattern("#,##0.00") if zh else locale.currency_formats["standard"]
        around = "".join(pattern.prefix + pattern.suffix)
        if pattern.scale or pattern.exp_prec or "@" in pattern.pattern or "'" in around or "\xa4\xa4\xa4" in around:
            raise ValueError(f"not a plain currency pattern: {pattern.pattern!r}")
        self.digits = get_currency_precision(currency)
        self.quantum = get_decimal_quantum(self.digits)
        symbols = locale.number_symbols["latn"]
        self.group, self.point = symbols["group"], symbols["decimal"]
        self.first, self.rest = pattern.grouping
        if pattern.int_prec[0] != 1:
            raise ValueError(f"not a plain currency pattern: {pattern.pattern!r}")
        # The text around the number, as Babel writes it: found by writing one number both ways.
        self.prefix, self.suffix = ["", ""], ["", ""]
        for neg, probe in enumerate((Decimal("1234567.891"), Decimal("-1234567.891"))):
            number = self._number(abs(probe))
            whole = babel_money(probe, currency, lang)
            at = whole.find(number)
            if at < 0 or whole.find(number, at + 1) >= 0:
                raise ValueError(f"cannot find {number!r} in {whole!r}")
            self.prefix[neg], self.suffix[neg] = whole[:at], whole[at + len(number):]   # zh: the unit too

    def _grouped(self, a: str) -> str:
        """The integer digits ``a`` with the locale's group symbol (Babel's ``_format_int``)."""
        size = self.first
        if len(a) <= size:
            return a
        if size == self.rest == 3 and a.isdigit():
            return f"{int(a):,}".replace(",", self.group) if self.group != "," else f"{int(a):,}"
        parts = []
        while len(a) > size:
            parts.append(a[-size:])
            a = a[:-size]
            size = self.rest
        parts.append(a)
        return self.group.join(reversed(parts))

    def _number(self, value: Decimal) -> str:
        """``value`` (not negative) quantized and grouped, Babel's ``_quantize_value`` for this pattern."""
        a, _, b = f"{value.normalize().quantize(self.quantum):f}".partition(".")
        a = self._grouped(a)
        if not self.digits:
            return a
        b = (b or "0").ljust(self.digits, "0")
        return a + self.point + b

    def format(self, value: Decimal) -> str:
        if not value.is_finite():
            raise ValueError("not a finite amount")
        neg = int(value.is_signed())
        text = self._number(abs(value))
        return self.prefix[neg] + text + self.suffix[neg]

    def format_minor(self, minor: int) -> str:
        """An amount of ``minor`` units of the currency's CLDR digits (no Decimal: the digits are exact)."""
        neg = int(minor < 0)
        q, r = divmod(-minor if neg else minor, 10 ** self.digits)
        text = self._grouped(str(q))
        if self.digits:
            text += self.point + str(r).rjust(self.digits, "0")
        return self.prefix[neg] + text + self.suffix[neg]


@lru_cache(maxsize=512)
def _money_format(currency: str, lang: str) -> MoneyFormat | None:
    """The :class:`MoneyFormat` of a currency and language, None where Babel must be called each time."""
    try:
        return MoneyFormat(currency, lang)
    except (ValueError, KeyError, InvalidOperation):
        return None


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
    return _long_date(day, cldr(lang))


@lru_cache(maxsize=4096)
def _long_date(day: dt.date, locale: str) -> str:
    """Babel's long date, remembered: a quote names a handful of dates, the same ones for days on end."""
    return format_date(day, format="long", locale=locale)


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
