"""Amounts as people type them, read forgivingly: the borrower's form takes "1,200", "１２００", "1200元",
"£1 200.50" and reads them all as the plain decimal the engine's schemas take.

One pure function, :func:`read_typed`: the text a person typed becomes a plain
ASCII decimal string ("1200.50"), or :class:`Unreadable` says why not (a
kind the page turns into a sentence beside the field). Nothing is guessed:
a comma that is not a thousands separator ("1,5", "12,00") is unreadable,
not a decimal point, and nothing is clamped (a negative or too large amount
is refused with its own kind, never made 0 or the maximum).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from negotiator.core.money import MAX_AMOUNT, AmountError, read_amount

#: Currency marks a person may type before or after an amount (after NFKC: "￥" is "¥", "＄" is "$"), the
#: pages' own CLDR symbols and names among them (``CN¥``, ``人民幣``: what a borrower may copy from a page).
CURRENCY_MARKS = ("HK$", "US$", "CN¥", "RMB", "CNY", "GBP", "USD", "EUR", "HKD", "JPY", "TWD", "NT$",
                  "人民币", "人民幣", "新台币", "新台幣", "港元", "港币", "港幣", "美元", "英镑", "英鎊",
                  "欧元", "歐元", "日元", "日圓", "元", "圆", "圓", "块", "円", "£", "$", "¥", "€")
#: Spaces people (and phones) put inside numbers: ordinary, no-break, narrow no-break, thin, ideographic.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u3000]+")
_GROUPED = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_MARKS = sorted(CURRENCY_MARKS, key=len, reverse=True)


class Unreadable(ValueError):
    """Typed text that is not an amount; ``kind`` is ``empty``, ``invalid``, ``negative`` or ``too_large``."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def read_typed(raw: str | None, maximum: Decimal = MAX_AMOUNT) -> str:
    """The plain decimal string of an amount as typed; :class:`Unreadable` (with its kind) otherwise.

    >>> [read_typed(x) for x in ("1200", "1,200", "１２００", "1200元", "¥1,200.50", "£ 1 200", " 3,500.00 ")]
    ['1200', '1200', '1200', '1200', '1200.50', '1200', '3500.00']
    >>> [read_typed(x) for x in ("1 234 567.8", "１，２００．５", "USD 40", "40 CNY", "1.200")]
    ['1234567.8', '1200.5', '40', '40', '1.200']
    >>> def kind(x):
    ...     try:
    ...         read_typed(x)
    ...     except Unreadable as exc:
    ...         return exc.kind
    >>> [kind(x) for x in ("", "  ", "abc", "1,5", "12,00", "1.2.3", "£", "-5", "£-5", "1e4", "2000000000")]
    ['empty', 'empty', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'negative', 'negative', 'invalid', \
'too_large']
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        raise Unreadable("empty")
    text = _SPACES.sub(" ", text)
    sign = ""
    if text[:1] in "-−":                            # a minus before the currency mark: "-£5"
        sign, text = "-", text[1:].strip()
    text = _strip_marks(text)
    if text[:1] in "-−":
        sign, text = "-", text[1:].strip()
    plain = _ungroup(text.replace(" ", ","))       # spaces between digits group thousands, as commas do
    if plain is None:
        raise Unreadable("invalid")
    text = sign + plain
    try:
        read_amount(text, maximum)
    except AmountError as exc:
        raise Unreadable(exc.kind) from None
    return text


def _strip_marks(text: str) -> str:
    """``text`` without one currency mark at its start and one at its end (and the spaces beside them)."""
    for mark in _MARKS:
        if text.upper().startswith(mark.upper()):
            text = text[len(mark):].strip()
            break
    for mark in _MARKS:
        if text.upper().endswith(mark.upper()):
            text = text[:-len(mark)].strip()
            break
    return text


def _ungroup(text: str) -> str | None:
    """Digits without their thousands commas; None when a comma is not one ("1,5")."""
    if "," not in text:
        return text
    return text.replace(",", "") if _GROUPED.fullmatch(text) else None


def whole_number(raw: str | None, low: int, high: int) -> int:
    """A count typed by a person (full-width digits and spaces forgiven), ``low`` to ``high``; else
    :class:`Unreadable` (``empty``, ``invalid``, ``too_small``, ``too_large``).

    >>> whole_number("３", 1, 20), whole_number(" 4 ", 1, 20)
    (3, 4)
    >>> def kind(x):
    ...     try:
    ...         whole_number(x, 1, 20)
    ...     except Unreadable as exc:
    ...         return exc.kind
    >>> [kind(x) for x in ("", "2.5", "0", "21", "two")]
    ['empty', 'invalid', 'too_small', 'too_large', 'invalid']
    """
    text = _SPACES.sub("", unicodedata.normalize("NFKC", raw or ""))
    if not text:
        raise Unreadable("empty")
    if not re.fullmatch(r"[0-9]{1,6}", text):
        raise Unreadable("invalid")
    n = int(text)
    if n < low:
        raise Unreadable("too_small")
    if n > high:
        raise Unreadable("too_large")
    return n
