"""Money: currencies, minor units and exact conversions.

Amounts inside the engine are integers in the currency's minor units (cents,
fen, pence); they enter from decimal strings and leave as decimal strings.
Floats never carry money across an edge.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import numpy as np

#: ISO 4217 currencies accepted, with their number of minor-unit digits.
CURRENCIES: dict[str, int] = {
    "AUD": 2, "BHD": 3, "CAD": 2, "CHF": 2, "CNY": 2, "EUR": 2, "GBP": 2,
    "HKD": 2, "IDR": 2, "INR": 2, "JPY": 0, "KRW": 0, "KWD": 3, "MXN": 2,
    "MYR": 2, "NZD": 2, "PHP": 2, "SGD": 2, "THB": 2, "TWD": 2, "USD": 2,
    "VND": 0, "ZAR": 2,
}

#: Largest amount accepted, in major units (one billion); larger is absurd
#: for consumer debt and would risk int64 overflow in interest products.
MAX_AMOUNT = Decimal("1000000000")


def exponent(currency: str) -> int:
    """Number of minor-unit digits of ``currency``.

    >>> exponent("CNY"), exponent("JPY"), exponent("KWD")
    (2, 0, 3)
    """
    return CURRENCIES[currency]


def parse_decimal(value: object) -> Decimal:
    """Read a JSON number or decimal string as a finite ``Decimal``.

    Floats are read through ``repr`` so ``0.1`` means 0.1, not the binary
    neighbour. Raises ``ValueError`` for anything else (booleans included).

    >>> parse_decimal("12.50"), parse_decimal(3), parse_decimal(0.1)
    (Decimal('12.50'), Decimal('3'), Decimal('0.1'))
    """
    if isinstance(value, bool) or value is None:
        raise ValueError("not a number")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, (int, float, str)):
        text = repr(value) if isinstance(value, float) else str(value).strip()
        if isinstance(value, str) and (not text or text != str(value)):
            raise ValueError("not a number")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise ValueError("not a number") from None
    else:
        raise ValueError("not a number")
    if not d.is_finite():
        raise ValueError("not a finite number")
    return d


class AmountError(ValueError):
    """An amount that breaks the wire rule; ``kind`` is invalid, negative or too_large."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(kind)


#: An amount written as text: ASCII digits with an optional decimal point (``12``, ``12.50``; ``12.`` and
#: ``.5`` as the batch reader takes them), an optional leading minus (refused as negative, with its own
#: message). No exponent, "+", spaces, "_" separators or non-ASCII digits, which ``Decimal()`` would read.
AMOUNT_TEXT_RE = re.compile(r"-?([0-9]+\.?[0-9]*|\.[0-9]+)", re.ASCII)
#: Longest amount string read (digits and point).
MAX_AMOUNT_TEXT = 40


def read_amount(value: object, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """The wire rule for an amount or rate: a finite, non-negative number at most ``maximum``.

    An ASCII decimal string (``"12000"``, ``"12000.50"``, at most 40
    characters) or a JSON number, never a boolean. Full-width digits,
    ``"12_000"``, ``"1e4"``, ``"+5"`` and padded strings are refused, though
    Python's ``Decimal`` would read them. The schema's ``Amount`` field and
    the batch parser both call it.

    >>> read_amount("12.50"), read_amount(3)
    (Decimal('12.50'), Decimal('3'))
    >>> [_kind(v) for v in ("-1", "NaN", "1e10", True, "１２０００", "12_000", " 5", "2" * 41)]
    ['negative', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid']
    >>> _kind(10**10), _kind(1e10)
    ('too_large', 'too_large')
    """
    if isinstance(value, str) and (len(value) > MAX_AMOUNT_TEXT or not AMOUNT_TEXT_RE.fullmatch(value)):
        raise AmountError("invalid")
    try:
        d = parse_decimal(value)
    except ValueError:
        raise AmountError("invalid") from None
    if d < 0:
        raise AmountError("negative")
    if d > maximum:
        raise AmountError("too_large")
    return d


def _kind(value) -> str:
    try:
        read_amount(value)
    except AmountError as exc:
        return exc.kind
    return "ok"


def to_minor(amount: Decimal, digits: int) -> int:
    """Exact conversion of a decimal amount to integer minor units.

    Raises ``ValueError`` when the amount has more decimals than the
    currency allows: nothing is rounded silently.

    >>> to_minor(Decimal("12.5"), 2), to_minor(Decimal("1000"), 0)
    (1250, 1000)
    """
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"has more than {digits} decimal places")
    return int(scaled)


def format_minor(minor: int | np.integer, digits: int) -> str:
    """Decimal string of an amount in minor units.

    >>> format_minor(123450, 2), format_minor(-5, 2), format_minor(700, 0)
    ('1234.50', '-0.05', '700')
    """
    m = int(minor)
    if digits == 0:
        return str(m)
    if m < 0:
        s = str(-m).rjust(digits + 1, "0")
        return "-" + s[:-digits] + "." + s[-digits:]
    s = str(m).rjust(digits + 1, "0")
    return s[:-digits] + "." + s[-digits:]


#: Rates are held as integers in parts per million (1e-6), so monthly
#: interest is exact integer arithmetic: ``balance * apr_ppm / (12 * 1e6)``.
RATE_SCALE = 1_000_000
#: The denominator of a month's interest at an annual rate in ppm.
MONTHLY_DEN = 12 * RATE_SCALE


def rate_to_ppm(rate: Decimal) -> int:
    """A rate as a decimal fraction to integer parts per million.

    >>> rate_to_ppm(Decimal("0.18")), rate_to_ppm(Decimal("0.0725"))
    (180000, 72500)
    """
    scaled = rate.scaleb(6)
    if scaled != scaled.to_integral_value():
        raise ValueError("has more than 6 decimal places")
    return int(scaled)


def format_rate(ppm: int | np.integer) -> str:
    """A rate in parts per million as a decimal-fraction string.

    >>> format_rate(180000), format_rate(72500), format_rate(0)
    ('0.18', '0.0725', '0')
    """
    d = (Decimal(int(ppm)) / RATE_SCALE).normalize()
    return format(d, "f")


ROUNDING_MODES = ("half_up", "half_even", "down")
