"""A request's error messages in every language the service speaks, from the message catalogs.

Every message a quote or what-if request can be refused with (marshmallow's
own for the wire schemas, the schemas' in :mod:`negotiator.wire.schemas`, the
domain rules' in :mod:`negotiator.engine.accounts` and the what-if's) is one
message of the catalogs' ``error`` context (:mod:`negotiator.core.i18n`),
read as :data:`ERRORS`: ``ERRORS[code][locale]``. The English text is
what the rules write (the schemas take theirs from here); :func:`translate`
reads an English message back against the templates and writes it in the
request's ``locale``, the field named by its path as before. A message
without an entry stays English (a test holds that every message the
requests can meet has one).

>>> translate("Must be one of: credit_card, loan.", "zh-CN")
'必须是以下之一：credit_card, loan。'
>>> translate("Has more than 2 decimal places.", "zh-CN"), translate("Has more than 2 decimal places.", "en")
('小数位数超过 2 位。', 'Has more than 2 decimal places.')
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from negotiator.core import i18n
from negotiator.core.errors import FieldError, ValidationError
from negotiator.core.i18n import Table
from negotiator.core.vocabulary import LOCALES

#: Every message a request can be refused with, from the catalogs' ``error`` context: ``ERRORS[code][locale]``.
ERRORS = Table("error")
#: A refused request's problem detail (the catalogs' ``detail`` context; the ``errors`` name each field).
DETAIL = Table("detail")


def detail(key: str, locale: str = "en", **params) -> str:
    """A problem's detail ``key`` in ``locale`` (English where it has none).

    >>> detail("unknown", "zh-CN", names="account.surprise")
    '接口约定中没有以下字段：account.surprise。'
    """
    return i18n.text("detail", key, locale, **params)


def text(code: str, locale: str = "en", **params) -> str:
    """Message ``code`` in ``locale`` (English where it has none), ``params`` filled in."""
    return i18n.text("error", code, locale, **params)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[int, re.Pattern, str]]:
    """Each English template as a pattern (its fields as named groups), the most literal first."""
    out = []
    for code, texts in ERRORS.items():
        parts, literal = [], 0
        for lit, name, _spec, _conv in string.Formatter().parse(texts["en"]):
            parts.append(re.escape(lit))
            literal += len(lit)
            if name is not None:
                parts.append(f"(?P<{name}>.+?)")
        out.append((literal, re.compile("".join(parts), re.DOTALL), code))
    return sorted(out, key=lambda p: -p[0])


def code_of(message: str) -> tuple[str, dict[str, str]] | None:
    """The entry an English ``message`` was written from, and its parameters (None: no entry).

    >>> code_of("Must be at most 0.36 under policy us-card.")
    ('apr_above_policy', {'max_apr': '0.36', 'policy': 'us-card'})
    """
    for _, pattern, code in _patterns():
        m = pattern.fullmatch(message)
        if m:
            return code, m.groupdict()
    return None


def translate(message: str, locale: str) -> str:
    """An English ``message`` in ``locale``; unchanged in English or where it has no entry."""
    if locale == "en":
        return message
    found = code_of(message)
    if found is None:
        return message
    return text(found[0], locale, **found[1])


def is_message(message: str, code: str) -> bool:
    """Whether ``message`` is entry ``code`` in any locale (``unknown_field`` in English or Chinese)."""
    return any(message == t for t in ERRORS[code].values())


def locale_of(body: object) -> str:
    """A request body's ``locale`` where it names one the service speaks, else English."""
    asked = body.get("locale") if isinstance(body, dict) else None
    return asked if isinstance(asked, str) and asked in LOCALES else "en"


def translated(exc: ValidationError, locale: str) -> ValidationError:
    """``exc`` with every message in ``locale`` (the fields named by their paths, as before)."""
    return ValidationError([FieldError(e.field, translate(e.message, locale)) for e in exc.errors], locale=locale)


@contextmanager
def errors_in(body: object) -> Iterator[str]:
    """Validation errors raised inside speak the request's language (its ``locale``); yields it."""
    locale = locale_of(body)
    try:
        yield locale
    except ValidationError as exc:
        if locale == "en":
            raise
        raise translated(exc, locale) from None
