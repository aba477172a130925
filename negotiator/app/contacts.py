"""May the lender contact a borrower now? The one path of the API, the console and the follow-ups (issue 21).

:func:`ask` reads the account's stored contact log and preferences and answers with
:func:`negotiator.engine.contact.window` under the policy's ``contact`` block: the same rule for every caller.
The borrower's time zone is the request's, else the one the borrower's preferences hold; without either the
question cannot be answered (422 naming ``timezone``: the hours are the borrower's local time, 12 CFR
1006.6(b)(1)(i)).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from negotiator.core.errors import FieldError, ValidationError
from negotiator.engine.contact import window
from negotiator.wire.contacts import is_zone

#: How far back the log is read: the longest window any rule looks at, with a margin.
LOOKBACK = dt.timedelta(days=62)


def zone_of(timezone: str | None, stored: str | None) -> ZoneInfo:
    """The borrower's zone: the one asked, else the stored one; 422 naming ``timezone`` when neither is known."""
    name = timezone or stored
    if name is None:
        raise ValidationError([FieldError("timezone", "Required: the borrower's IANA time zone (none is stored "
                                                      "in their preferences).")])
    if not is_zone(name):
        raise ValidationError([FieldError("timezone", "Not an IANA time zone.")])
    return ZoneInfo(name)


def ask(log, registry, account_id: str, channel: str, at: dt.datetime, timezone: str | None, policy: str,
        person: str = "borrower", locale: str = "en") -> dict:
    """The answer ``{"allowed", "reasons", "next_allowed_at"}`` for ``channel`` contact with ``person`` at ``at``.

    ``log`` is a :class:`negotiator.store.contacts.ContactLog`; ``policy`` names the policy whose ``contact``
    block applies (an unknown one is a 404 naming ``policy``)."""
    rule = registry.get(policy).contact
    entries, prefs, moratorium, stored_zone = log.facts(account_id, at - LOOKBACK, at)
    tz = zone_of(timezone, stored_zone)
    return window(rule, channel, at, tz, entries, prefs, moratorium, person).wire(locale)
