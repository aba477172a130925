"""The words people read, from gettext message catalogs (Babel), and the language a request is answered in.

Every text the service, the pages and the engine's reasons show is one
message of ``negotiator/locales/<locale>/LC_MESSAGES/messages.po``, found
by a **context** (``msgctxt``: what kind of text it is) and a **key**
(``msgid``: the code the program uses). The English catalog holds the
English words; a language is one more catalog (docs/i18n.md). The ``.po``
sources are compiled in memory at first use (:func:`translations`), so no
compiled file can be stale.

Contexts: ``page`` (the pages' words), ``status``, ``income``, ``category``,
``kind``, ``reason`` (the engine's reason messages, the kinds' own
included), ``fee_part``, ``currency``, ``error`` (a request's validation
messages), ``detail`` (a refusal's problem detail), ``contact``,
``channel``, ``language`` (each language's own name).

A message whose English depends on a count has plural forms (``msgid_plural``);
the count is its ``count``, ``months`` or ``seconds`` parameter, the first
of them it is given (:data:`PLURAL_PARAMS`).

>>> text("page", "skip", "zh-CN"), text("reason", "account_too_new", "en", months=1)
('跳到主要内容', 'The account must be open at least 1 month.')
>>> negotiate("zh-HK"), negotiate("zh-Hans"), negotiate("zh-SG"), negotiate("fr", "en-GB"), negotiate("fr")
('zh-TW', 'zh-CN', 'zh-CN', 'en', None)
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, MutableMapping
from functools import cache, lru_cache
from pathlib import Path

from babel.core import Locale, UnknownLocaleError, get_global
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from negotiator.core.vocabulary import LOCALES

#: Where the catalogs are: one folder per locale, by Babel's name for it (``zh_CN``).
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
#: The parameters a plural message counts by, the first present.
PLURAL_PARAMS = ("count", "months", "seconds")


def babel_name(lang: str) -> str:
    """A language tag as Babel and the catalog folders name it.

    >>> babel_name("zh-TW"), babel_name("en")
    ('zh_TW', 'en')
    """
    return lang.replace("-", "_")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / babel_name(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalog(lang: str) -> Catalog:
    """The catalog of ``lang`` as its ``.po`` source holds it."""
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=babel_name(lang), domain=DOMAIN)


@cache
def translations(lang: str) -> Translations:
    """``lang``'s catalog compiled (in memory), falling back to English for a message it lacks."""
    buf = io.BytesIO()
    write_mo(buf, catalog(lang), use_fuzzy=False)
    buf.seek(0)
    out = Translations(buf, domain=DOMAIN)
    if lang != "en":
        out.add_fallback(translations("en"))
    return out


@cache
def _index() -> dict[str, dict[str, bool]]:
    """Context -> key -> whether it has plural forms, from the English catalog."""
    out: dict[str, dict[str, bool]] = {}
    for m in catalog("en"):
        if m.id and m.context:
            plural = isinstance(m.id, list | tuple)
            key = str(m.id[0]) if plural else str(m.id)
            out.setdefault(m.context, {})[key] = plural
    return out


def keys(context: str) -> list[str]:
    """Every key of ``context``, in the catalog's order."""
    return list(_index().get(context, {}))


def has(context: str, key: str) -> bool:
    return key in _index().get(context, {})


def template(context: str, key: str, lang: str, n: int | None = None) -> str:
    """The unfilled message (its form for ``n`` where it has plural forms; the plural without ``n``)."""
    if lang not in LOCALES:
        lang = "en"
    return _template(context, key, lang, n)


@lru_cache(maxsize=8192)
def _template(context: str, key: str, lang: str, n: int | None) -> str:
    """:func:`template`, looked up once: the catalogs are compiled once and never change in a process."""
    tr = translations(lang)
    if _index().get(context, {}).get(key):
        return str(tr.npgettext(context, key, key, 2 if n is None else n))
    return str(tr.pgettext(context, key))


def text(context: str, key: str, lang: str, **params) -> str:
    """The message ``key`` of ``context`` in ``lang`` (English where the language is not served), ``params``
    filled in (``str.format`` fields); the form for the count where it has plural forms."""
    if not params:
        return template(context, key, lang)
    n = None
    for p in PLURAL_PARAMS:
        if p in params:
            n = params[p]
            break
    found = template(context, key, lang, int(n) if isinstance(n, (int, str)) and str(n).isdigit() else None)
    return found.format(**params)


def name(context: str, key: str, lang: str) -> str:
    """A code's name in ``lang`` (``status``, ``kind``...); the code itself where the catalog has none."""
    return text(context, key, lang) if has(context, key) else key


class Table(MutableMapping[str, Mapping[str, str]]):
    """A context of the catalogs read as the tables it replaces: ``table[key][lang]`` is the message.

    Entries ``update`` adds (``{key: {lang: text}}``, words a module holds until they are moved into the
    catalogs by ``scripts/catalogs.py add-words``) are read before the catalogs.
    """

    def __init__(self, context: str):
        self.context = context
        self.extra: dict[str, Mapping[str, str]] = {}

    def __getitem__(self, key: str) -> Mapping[str, str]:
        if key in self.extra:
            return self.extra[key]
        if not has(self.context, key):
            raise KeyError(key)
        return {lang: template(self.context, key, lang) for lang in LOCALES}

    def __setitem__(self, key: str, value: Mapping[str, str]) -> None:
        self.extra[key] = value

    def __delitem__(self, key: str) -> None:
        del self.extra[key]

    def __iter__(self) -> Iterator[str]:
        yield from self.extra
        yield from (k for k in keys(self.context) if k not in self.extra)

    def __len__(self) -> int:
        return len(set(self.extra) | set(keys(self.context)))

    def __contains__(self, key: object) -> bool:
        return key in self.extra or (isinstance(key, str) and has(self.context, key))

    def text(self, key: str, lang: str, **params) -> str:
        """``key`` in ``lang`` with ``params`` filled in (English where an added entry lacks the language)."""
        if key in self.extra:
            texts = self.extra[key]
            found = texts.get(lang, texts["en"])
            return found.format(**params) if params else found
        return text(self.context, key, lang, **params)


def negotiate(*asked: str | None) -> str | None:
    """The first language the service speaks among ``asked`` (tags such as ``zh-HK`` or ``en_GB``), by
    CLDR's likely script for Chinese (``zh-HK`` is written in Traditional characters: ``zh-TW``; ``zh``,
    ``zh-Hans``, ``zh-SG``: ``zh-CN``); None where none is served."""
    likely = get_global("likely_subtags")
    for tag in asked:
        if not tag or not isinstance(tag, str):
            continue
        if tag in LOCALES:
            return tag
        try:
            loc = Locale.parse(tag.replace("-", "_"))
        except (ValueError, UnknownLocaleError, TypeError):
            continue
        if loc.language == "en":
            return "en"
        if loc.language == "zh":
            script = loc.script
            if script is None:
                full = likely.get(f"zh_{loc.territory}") if loc.territory else None
                script = Locale.parse(full or likely["zh"]).script
            return "zh-TW" if script == "Hant" else "zh-CN"
    return None
