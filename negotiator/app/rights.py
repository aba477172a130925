"""Who may do what: one table of rights, channel by action, for the API and the pages alike.

Every caller acts through a channel: an API key's (``agent``, ``supervisor``,
``batch``, ``portal``), the agent console's (``agent``, the signed-in agent)
or the borrower pages' (``portal``, the invitation). Each cell of
:data:`RIGHTS` says what that channel may do with an action:

- ``all``: allowed, over every channel's records;
- ``own``: allowed, over the records made through the caller's own channel
  only (another channel's record is "not found", never "forbidden", and is
  never named: not in a refusal, not in an event);
- ``no``: refused (403 ``wrong_channel``) before any record is read.

:func:`require` is the one check: :class:`negotiator.app.access.Access`,
through which every endpoint and page reaches the store, calls it before
each action and hands the store a :class:`~negotiator.store.records.Caller`
that sees what the cell allows. ``docs/service.md`` and the OpenAPI
document's description print :func:`markdown` (a test keeps them equal), and
the tests try every cell.

>>> RIGHTS["pay"]["portal"], RIGHTS["decide"]["supervisor"], allowed("batch", "accept")
('no', 'all', False)
"""

from __future__ import annotations

from negotiator.core.errors import RecordError
from negotiator.store.records import Caller

#: The channels, in the table's column order.
CHANNELS = ("agent", "supervisor", "batch", "portal")
ALL, OWN, NO = "all", "own", "no"

#: What each action is, in the words of the published table.
ACTIONS = {
    "quote": "quote (`POST /v1/quotes`; console, borrower page)",
    "what_if": "what-if (`POST /v1/proposals`; console)",
    "read_quote": "read a stored quote (`GET /v1/quotes/{id}`)",
    "accept": "accept an option (`POST /v1/arrangements`; console, borrower page)",
    "replace": "replace the live arrangement (`replaces`)",
    "decide": "approve or reject (`POST .../decision`)",
    "cancel": "cancel (`POST .../cancel`)",
    "pay": "record a payment (`POST .../payments`)",
    "read_arrangement": "read an arrangement (`GET /v1/arrangements/{id}`; borrower page)",
    "read_events": "read its events (`GET .../events`; console)",
    "list_account": "list an account's arrangements (`GET /v1/accounts/{id}/arrangements`; console)",
    "invite": "invite a borrower (`POST /v1/invitations`)",
    "review": "the nightly review (`negotiator arrangements review`: the command line only)",
    "record_contact": "record a contact (`POST /v1/contacts`; the portal: the borrower's own inbound contact)",
    "read_contacts": "list an account's contacts (`GET /v1/accounts/{id}/contacts`; console)",
    "set_preferences": "record contact preferences (`POST /v1/accounts/{id}/contact-preferences`)",
    "contact_window": "may we contact now? (`GET /v1/accounts/{id}/contact-window`; console)",
    "follow_ups": "the day's follow-ups (`GET /v1/follow-ups`; console)",
}

#: The table: action -> channel -> ``all`` / ``own`` / ``no``.
RIGHTS: dict[str, dict[str, str]] = {
    #                     agent  supervisor batch  portal
    "quote":            dict(zip(CHANNELS, (ALL, ALL, ALL, OWN), strict=True)),
    "what_if":          dict(zip(CHANNELS, (ALL, ALL, ALL, OWN), strict=True)),
    "read_quote":       dict(zip(CHANNELS, (ALL, ALL, ALL, OWN), strict=True)),
    "accept":           dict(zip(CHANNELS, (ALL, ALL, NO, OWN), strict=True)),
    "replace":          dict(zip(CHANNELS, (ALL, ALL, NO, OWN), strict=True)),
    "decide":           dict(zip(CHANNELS, (NO, ALL, NO, NO), strict=True)),
    "cancel":           dict(zip(CHANNELS, (ALL, ALL, NO, NO), strict=True)),
    "pay":              dict(zip(CHANNELS, (ALL, ALL, ALL, NO), strict=True)),
    "read_arrangement": dict(zip(CHANNELS, (ALL, ALL, ALL, OWN), strict=True)),
    "read_events":      dict(zip(CHANNELS, (ALL, ALL, ALL, OWN), strict=True)),
    "list_account":     dict(zip(CHANNELS, (ALL, ALL, ALL, OWN), strict=True)),
    "invite":           dict(zip(CHANNELS, (ALL, ALL, ALL, NO), strict=True)),
    "review":           dict(zip(CHANNELS, (NO, NO, NO, NO), strict=True)),
    "record_contact":   dict(zip(CHANNELS, (ALL, ALL, ALL, OWN), strict=True)),
    "read_contacts":    dict(zip(CHANNELS, (ALL, ALL, ALL, OWN), strict=True)),
    "set_preferences":  dict(zip(CHANNELS, (ALL, ALL, ALL, OWN), strict=True)),
    "contact_window":   dict(zip(CHANNELS, (ALL, ALL, ALL, NO), strict=True)),
    "follow_ups":       dict(zip(CHANNELS, (ALL, ALL, ALL, NO), strict=True)),
}

_REFUSED = {
    "quote": "quote", "what_if": "ask what-ifs", "read_quote": "read quotes", "accept": "accept offers",
    "replace": "replace arrangements", "decide": "decide on arrangements", "cancel": "cancel arrangements",
    "pay": "record payments", "read_arrangement": "read arrangements", "read_events": "read events",
    "list_account": "list accounts", "invite": "invite borrowers", "review": "run the review",
    "record_contact": "record contacts", "read_contacts": "list contacts", "set_preferences": "record preferences",
    "contact_window": "ask whether contact is allowed", "follow_ups": "read the follow-ups",
}


def right(channel: str, action: str) -> str:
    """The cell: ``all``, ``own`` or ``no`` (an unknown channel or action has no right)."""
    return RIGHTS.get(action, {}).get(channel, NO)


def allowed(channel: str, action: str) -> bool:
    return right(channel, action) != NO


def require(channel: str, action: str, principal: str = "") -> Caller:
    """The caller the store acts for, seeing what the cell allows; 403 ``wrong_channel`` where it is ``no``."""
    cell = right(channel, action)
    if cell == NO:
        who = [c for c in CHANNELS if allowed(c, action)]
        raise RecordError(403, "wrong_channel", "X-API-Key",
                          f"A {channel} key cannot {_REFUSED.get(action, action)}"
                          + (f" (allowed: {', '.join(who)})." if who else " over HTTP."))
    return Caller(channel, principal or channel, None if cell == ALL else frozenset({channel}))


_WORDS = {ALL: "yes", OWN: "own", NO: "no"}


def markdown() -> str:
    """The table as Markdown, as ``docs/service.md`` and the OpenAPI description print it."""
    lines = ["| action | " + " | ".join(CHANNELS) + " |", "|---|" + "---|" * len(CHANNELS)]
    for action, text in ACTIONS.items():
        lines.append(f"| {text} | " + " | ".join(_WORDS[RIGHTS[action][c]] for c in CHANNELS) + " |")
    return "\n".join(lines)


LEGEND = ("`yes`: allowed, over every channel's records; `own`: allowed over the records made through the "
          "caller's own channel only (another channel's quote or arrangement is 404, never named, not even in a "
          "refusal or an event; a portal quote is the portal's view); `no`: 403 `wrong_channel`, before any "
          "record is read. The console acts on the `agent` channel as the signed-in agent, the borrower page on "
          "the `portal` channel as its invitation.")
