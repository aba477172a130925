"""The console's values for people: times in the agent's zone, events, products, channels and concessions in
words, and a what-if's refusal explained in the agent's terms. Pure functions of the wire's values.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_name

from negotiator.core.formats import cldr
from negotiator.web.text import WORDS, amount, option_name, percent, status_name, t

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def zone(name: str) -> dt.tzinfo:
    """The console's time zone: the configured IANA name, else the server's own."""
    if name:
        return zoneinfo.ZoneInfo(name)
    local = dt.datetime.now().astimezone().tzinfo
    return local or dt.UTC


def local_time(iso: str | None, tz: dt.tzinfo, lang: str) -> str:
    """A stored UTC instant in the agent's zone, to the minute, with the zone's abbreviation.

    >>> shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    >>> local_time("2026-11-23T09:05:00+00:00", shanghai, "en")
    '23 Nov 2026, 17:05 CST'
    >>> local_time("2026-11-23T09:05:00+00:00", shanghai, "zh-CN")
    '2026年11月23日 17:05 CST'
    >>> local_time("not a time", shanghai, "en"), local_time(None, shanghai, "en")
    ('not a time', '')
    """
    if not iso:
        return ""
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    when = when.astimezone(tz)
    name = when.tzname() or ""
    if lang.startswith("zh"):
        return f"{when.year}年{when.month}月{when.day}日 {when:%H:%M} {name}".rstrip()
    return f"{when.day} {_MONTHS_EN[when.month - 1]} {when.year}, {when:%H:%M} {name}".rstrip()


def local_date(iso: str | None, lang: str) -> str:
    """A wire date for people.

    >>> local_date("2027-01-03", "en"), local_date("2027-01-03", "zh-CN"), local_date(None, "en")
    ('3 Jan 2027', '2027年1月3日', '')
    """
    if not iso:
        return ""
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    if lang.startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def word(prefix: str, code: str | None, lang: str) -> str:
    """A code in words (``event_accepted``, ``product_loan``, ...); the code itself when it has none.

    >>> word("event", "quote_issued", "zh-CN"), word("product", "credit_card", "en"), word("event", "new", "en")
    ('已出具报价', 'Credit card', 'new')
    """
    if not code:
        return ""
    key = f"{prefix}_{code}"
    return t(key, lang) if key in WORDS else code


def currency_label(code: str, lang: str) -> str:
    """A currency as the console's list offers it: CLDR's name of it in ``lang``, never the bare ISO code.

    >>> currency_label("CNY", "en"), currency_label("CNY", "zh-CN"), currency_label("GBP", "zh-TW")
    ('Chinese Yuan', '人民币', '英鎊')
    """
    return get_currency_name(code, locale=cldr(lang))


def concession(c: dict, currency: str, lang: str) -> str:
    """One concession of a what-if in words, each field labelled and formatted.

    >>> concession({"type": "interest_reduction", "from_apr": "0.18", "apr": "0.072"}, "CNY", "en")
    'Instalments at a lower rate: Rate from 18.00% to 7.20%'
    >>> concession({"type": "instalment", "term_months": 60}, "CNY", "en")
    'Instalment plan: Term: 60 months'
    """
    parts = []
    if "from_apr" in c and "apr" in c:
        parts.append(t("conc_rate_change", lang, old=percent(str(c["from_apr"])), new=percent(str(c["apr"]))))
    for key, value in c.items():
        if key == "type" or (parts and key in ("from_apr", "apr")):
            continue
        if key in ("from_apr", "apr"):
            shown = percent(str(value))
        elif key in ("amount", "principal_forgiven"):
            shown = amount(str(value), currency, lang)
        else:
            shown = str(value)
        label = f"conc_{key}"
        parts.append(t(label, lang, value=shown) if label in WORDS else f"{key}: {shown}")
    return f"{option_name(c.get('type', ''), lang)}: " + ", ".join(parts)


def _dec(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError):
        return None


def refusal(whatif: dict, lang: str) -> str | None:
    """Why a proposed payment whose plan is affordable and within policy is still not agreed, for the agent.

    The engine (:func:`negotiator.engine.proposals.propose`) refuses a payment below what the borrower can
    afford when its plan needs more concession than the plan at that capacity: the counter-offer is the least
    concession the borrower can afford. The borrower's reason says so softly; the agent gets the figures.
    None when that is not why.
    """
    plan, counter = whatif.get("plan"), whatif.get("counter_offer")
    if whatif.get("acceptable") or not plan or not counter or not (plan.get("affordable")
                                                                  and plan.get("within_policy")):
        return None
    if not any(r.get("code") == "proposal_below_capacity" for r in whatif.get("reasons", [])):
        return None
    cur = whatif.get("currency", "")
    payment = (whatif.get("proposal") or {}).get("monthly_payment")
    value, best = _dec(plan.get("concession_value")), _dec(counter.get("concession_value"))
    return t("needless_concession", lang,
             affordable=amount(whatif["affordability"]["affordable_payment"], cur, lang),
             payment=amount(payment, cur, lang), value=amount(str(value or 0), cur, lang),
             kind=option_name(plan.get("type", ""), lang), best_value=amount(str(best or 0), cur, lang))


def helpers(lang: str, tz: dt.tzinfo) -> dict:
    """What the console's templates are given besides :func:`negotiator.web.text.helpers`."""
    return {"when": lambda iso: local_time(iso, tz, lang), "day": lambda iso: local_date(iso, lang),
            "word": lambda prefix, code: word(prefix, code, lang),
            "concession": lambda c, cur: concession(c, cur, lang), "refusal": lambda w: refusal(w, lang),
            "status_word": lambda s: status_name(s, lang),
            "currency_label": lambda c: currency_label(c, lang),
            "hardship_word": lambda c: word("hardship_kind", c, lang)}
