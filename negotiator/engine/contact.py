"""May the lender contact a borrower now, and if not, when next (issue 21).

One rule for the console, the API, the dialler and the review's follow-ups:
:func:`window` reads the policy's ``contact`` block
(:class:`negotiator.policy.ContactRule`), the account's contact log and the
borrower's preferences, and answers ``allowed``, the reasons it is not, and
the earliest time it next would be (``None`` where only a change of facts
can open it: a refused channel, a moratorium, a third party where none may
be contacted).

Every count is by the borrower's local calendar (an IANA time zone), so a
daylight-saving change moves the hours with the clock:

- **hours**: contact within ``[start, end)`` local time on the channels the
  hours govern (US: 12 CFR 1006.6(b)(1)(i), before 8 a.m. or after 9 p.m. is
  inconvenient; UK: CONC 7.9.4R, no contact at unreasonable times; the
  borrower's own quiet times as their reasonable requests);
- **call limits**: at most ``count`` outbound calls to one person in ``days``
  consecutive local days, the call asked about included (US: 12 CFR
  1006.14(b)(2)(i), more than seven calls within seven consecutive days is
  presumed harassment, so the seventh is allowed and the eighth is not);
- **after a conversation**: no outbound call within ``after_conversation_days``
  after a telephone conversation with the person, its day counted as the
  first (12 CFR 1006.14(b)(2)(ii));
- **refused channels** (12 CFR 1006.6(e), 1006.14(h); CONC 7.9.4R), **third
  parties** where the policy allows none (商业银行信用卡业务监督管理办法 art. 68),
  and a **moratorium** (Debt Respite Scheme (Breathing Space Moratorium and
  Mental Health Crisis Moratorium) (England and Wales) Regulations 2020,
  reg. 7: no contact asking for payment).

>>> import zoneinfo
>>> from negotiator.policy import ContactRule
>>> ny = zoneinfo.ZoneInfo("America/New_York")
>>> a = window(ContactRule(), "call", dt.datetime(2027, 1, 4, 21, 0, tzinfo=ny), ny)
>>> a.allowed, [code for code, _ in a.reasons], a.next_allowed_at.isoformat()
(False, ['outside_hours'], '2027-01-05T08:00:00-05:00')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from negotiator.core import formats
from negotiator.core.i18n import Table, name, negotiate, text
from negotiator.policy import ContactRule

#: Outcomes of a call in which a telephone conversation with the person took place.
CONVERSATION = frozenset({"conversation", "promise_to_pay", "refused"})
#: Reasons only a change of facts lifts: no next time is promised.
LASTING = frozenset({"channel_refused", "third_party", "moratorium"})

#: The reasons' messages: the catalogs' ``contact`` context; a channel's words: their ``channel`` context.
MESSAGES = Table("contact")


@dataclass(frozen=True)
class Contact:
    """One entry of the contact log."""

    channel: str
    direction: str
    at: dt.datetime          # aware
    outcome: str
    person: str = "borrower"


@dataclass(frozen=True)
class Preferences:
    """What the borrower asked: channels refused, local times not to be contacted (``(start, end)`` pairs)."""

    refused: frozenset[str] = frozenset()
    quiet: tuple[tuple[dt.time, dt.time], ...] = ()
    preferred: str | None = None
    language: str | None = None


@dataclass
class Answer:
    allowed: bool
    reasons: list[tuple[str, dict]] = field(default_factory=list)
    next_allowed_at: dt.datetime | None = None

    def wire(self, locale: str = "en") -> dict:
        """The answer as the API gives it: reasons with their message in ``locale``."""
        lang = negotiate(locale) or "en"
        return {"allowed": self.allowed,
                "reasons": [{"code": c, "message": text("contact", c, lang, **_words(p, lang))}
                            for c, p in self.reasons],
                "next_allowed_at": self.next_allowed_at.isoformat() if self.next_allowed_at else None}


def _words(params: dict, lang: str) -> dict:
    out = dict(params)
    if "channel" in out:
        out["channel"] = name("channel", out["channel"], lang)
    for day in ("date", "next"):
        if day in out:
            out[day] = formats.date(out[day], lang)
    return out


def _at(day: dt.date, time: dt.time | None, tz: ZoneInfo) -> dt.datetime:
    """``time`` (None: the end of the day) on local ``day`` as an aware time."""
    if time is None:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return dt.datetime.combine(day, time, tzinfo=tz)


def _hhmm(t: dt.time | None) -> str:
    return "24:00" if t is None else t.strftime("%H:%M")


def _blocks(rule: ContactRule, channel: str, at: dt.datetime, tz: ZoneInfo, log: list[Contact],
            prefs: Preferences, person: str) -> list[tuple[str, dict, dt.datetime]]:
    """What stops contact at ``at``: ``(code, params, earliest time it stops doing so)``."""
    local = at.astimezone(tz)
    day = local.date()
    out: list[tuple[str, dict, dt.datetime]] = []
    if channel in rule.hours_channels:
        start, end = _at(day, rule.start, tz), _at(day, rule.end, tz)
        if local < start:
            out.append(("outside_hours", {"start": _hhmm(rule.start), "end": _hhmm(rule.end)}, start))
        elif local >= end:
            out.append(("outside_hours", {"start": _hhmm(rule.start), "end": _hhmm(rule.end)},
                        _at(day + dt.timedelta(days=1), rule.start, tz)))
    if channel != "letter":
        for q_start, q_end in prefs.quiet:
            s, e = _at(day, q_start, tz), _at(day, q_end, tz)
            if e <= s:           # a quiet time over midnight: from start today to end tomorrow, or since yesterday
                e = _at(day + dt.timedelta(days=1), q_end, tz)
                if local < s:
                    s, e = _at(day - dt.timedelta(days=1), q_start, tz), _at(day, q_end, tz)
            if s <= local < e:
                out.append(("quiet_time", {"start": _hhmm(q_start), "end": _hhmm(q_end)}, e))
    if channel == "call":
        calls = sorted(c.at.astimezone(tz).date() for c in log
                       if c.channel == "call" and c.direction == "outbound" and c.person == person)
        for count, days in rule.call_limits:
            first = day - dt.timedelta(days=days - 1)
            inside = [d for d in calls if first <= d <= day]
            if len(inside) >= count:
                # Open again on the day the oldest calls have left the window, one fewer than the limit kept.
                drop = inside[len(inside) - count]
                nxt = _at(drop + dt.timedelta(days=days), dt.time(0), tz)
                out.append(("call_limit", {"count": len(inside), "days": days,
                                           "next": nxt.date().isoformat()}, nxt))
        if rule.after_conversation_days:
            talks = [c.at.astimezone(tz).date() for c in log
                     if c.channel == "call" and c.outcome in CONVERSATION and c.person == person]
            if talks:
                last = max(talks)
                until = last + dt.timedelta(days=rule.after_conversation_days)
                if last <= day < until:
                    out.append(("after_conversation", {"date": last.isoformat(),
                                                       "days": rule.after_conversation_days},
                                _at(until, dt.time(0), tz)))
    return out


def window(rule: ContactRule, channel: str, at: dt.datetime, tz: ZoneInfo, log: list[Contact] | None = None,
           prefs: Preferences | None = None, moratorium: bool = False, person: str = "borrower") -> Answer:
    """Whether ``channel`` contact with ``person`` may be made at ``at`` (aware) under ``rule``, and when next.

    ``log`` is the account's contact log (any order; entries after ``at`` are
    ignored); ``tz`` the borrower's time zone.

    >>> import zoneinfo
    >>> from negotiator.policy import ContactRule
    >>> tz = zoneinfo.ZoneInfo("America/Chicago")
    >>> rule = ContactRule(call_limits=((7, 7),))
    >>> log = [Contact("call", "outbound", dt.datetime(2027, 1, d, 10, tzinfo=tz), "no_answer") for d in range(1, 8)]
    >>> a = window(rule, "call", dt.datetime(2027, 1, 7, 15, tzinfo=tz), tz, log)
    >>> a.allowed, a.next_allowed_at.isoformat()
    (False, '2027-01-08T08:00:00-06:00')
    """
    log = [c for c in (log or []) if c.at <= at]
    prefs = prefs or Preferences()
    reasons: list[tuple[str, dict]] = []
    if channel in prefs.refused:
        reasons.append(("channel_refused", {"channel": channel}))
    if person != "borrower" and not rule.third_party:
        reasons.append(("third_party", {}))
    if moratorium and rule.moratorium:
        reasons.append(("moratorium", {}))
    blocks = _blocks(rule, channel, at, tz, log, prefs, person)
    reasons += [(code, params) for code, params, _ in blocks]
    if not reasons:
        return Answer(True, [], None)
    if any(code in LASTING for code, _ in reasons):
        return Answer(False, reasons, None)
    t = at
    for _ in range(64):           # each step moves past one block; a week of hours and limits needs a few
        blocks = _blocks(rule, channel, t, tz, log, prefs, person)
        if not blocks:
            return Answer(False, reasons, t.astimezone(tz))
        t = max(b[2] for b in blocks)
    return Answer(False, reasons, None)       # no time found within the steps: say none rather than guess
