"""The store as one caller may use it: every action checked against the rights table first, then done in the
caller's view.

The HTTP service and the pages reach the records only through :class:`Access`
(one per request): it asks :func:`negotiator.app.rights.require` whether the
caller's channel may do the action, hands the store a
:class:`~negotiator.store.records.Caller` that sees what the table allows,
and gives back the answer in the caller's view: a channel that sees only its
own records (the portal) gets quotes without internal figures and events
without staff ids, request ids or internal reasons.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, g

from negotiator.app import rights
from negotiator.app.problems import Problem
from negotiator.app.responses import portal_view
from negotiator.store.records import Caller

#: What an event of another channel may show a caller that sees only its own: what happened and the
#: borrower's own figures; never who (a staff id), why (an internal reason) or which other record.
SHARED_DETAIL = ("option_id", "type", "approval", "options", "proposal", "reference", "amount", "paid_on")


def event_view(events: list[dict], caller: Caller) -> list[dict]:
    """Events as ``caller`` may read them: another channel's events keep their type, time, statuses and shared
    figures; the actor is the channel's name, the principal, request id and trace id are withheld, and so is any detail
    not in :data:`SHARED_DETAIL` (a reason, the id of the arrangement that superseded this one).

    >>> event_view([{"channel": "supervisor", "actor": "sup-jane", "principal": "supervisor:ab12",
    ...              "request_id": "r1", "detail": {"reason": "internal: fraud"}}], Caller("portal", "p",
    ...              frozenset({"portal"})))
    [{'channel': 'supervisor', 'actor': 'supervisor', 'principal': None, 'request_id': None, 'detail': None}]
    """
    if caller.sees is None:
        return events
    out = []
    for e in events:
        if e["channel"] not in caller.sees:
            detail = {k: v for k, v in (e.get("detail") or {}).items() if k in SHARED_DETAIL}
            e = {**e, "actor": e["channel"], "request_id": None, "detail": detail or None,
                 **({"principal": None} if "principal" in e else {}),
                 **({"trace_id": None} if "trace_id" in e else {})}
        out.append(e)
    return out


class Access:
    """One caller's use of the store: ``channel`` (a key's, or the pages': ``agent``, ``portal``), ``principal``
    (who authenticated: ``agent:<key id>``, ``console:<agent>``, ``portal:<invitation>``)."""

    def __init__(self, records, channel: str, principal: str, request_id: str | None = None):
        self.records, self.channel, self.principal, self.request_id = records, channel, principal, request_id

    @classmethod
    def of_request(cls) -> Access:
        """The caller of this request, as authentication set it (``g.channel``, ``g.principal``)."""
        state = current_app.extensions["negotiator"]
        return cls(state.get("records"), g.channel, g.get("principal") or f"{g.channel}:{g.key_id}",
                   g.get("request_id"))

    def caller(self, action: str) -> Caller:
        """The store's caller for ``action``; 403 ``wrong_channel`` where the table says no."""
        return rights.require(self.channel, action, self.principal)

    def _store(self):
        if self.records is None:
            raise Problem(503, "Service Unavailable", "The store is switched off (NEGOTIATOR_STORE=0).", "store_off")
        return self.records

    # ------------------------------------------------------------------ quotes
    def issue(self, engine, body, action: str, registry) -> dict:
        """A quote or what-if (``engine``: the engine's ``quote`` or ``propose``) on the server's day, with the
        account's stored history, kept: the one path of the API and the pages (``action``: quote, what_if)."""
        from negotiator.app.dates import quote_day
        from negotiator.app.history import with_stored_history
        self.caller(action)
        day = quote_day(body, self.channel)
        merged = with_stored_history(body)
        result = engine(merged, registry, channel=self.channel, today=day)
        self.keep_quote(result, merged, action)
        return result

    def keep_quote(self, result: dict, body: dict, action: str = "quote") -> None:
        """Store an issued quote or what-if (when the store is on)."""
        caller = self.caller(action)
        if self.records is not None:
            self.records.keep_quote(result, body, caller, self.request_id)

    def get_quote(self, quote_id: str) -> dict:
        caller = self.caller("read_quote")
        stored = self._store().get_quote(quote_id, caller)
        return stored if caller.sees is None else portal_view(stored)

    # ------------------------------------------------------------------ arrangements
    def accept(self, body, idempotency_key: str, scope: str, keep_refusals: bool = True) -> tuple[int, dict, bool]:
        """Accept an offer under an Idempotency-Key; the pages (their key is the form's) keep no refusal."""
        caller = self.caller("accept")
        if isinstance(body, dict) and body.get("replaces") is not None:
            self.caller("replace")
        return self._store().accept(body, idempotency_key, scope, caller, self.request_id,
                                    keep_refusals=keep_refusals)

    def decide(self, arrangement_id: str, body, expect=None) -> dict:
        caller = self.caller("decide")
        return self._store().decide(arrangement_id, body, caller, self.request_id, expect)

    def cancel(self, arrangement_id: str, body, expect=None) -> dict:
        caller = self.caller("cancel")
        return self._store().cancel(arrangement_id, body, caller, self.request_id, expect)

    def pay(self, arrangement_id: str, body, expect=None) -> tuple[int, dict]:
        """Record a payment; ``expect`` (``If-Match``'s check) sees the arrangement as read today."""
        caller = self.caller("pay")
        return self._store().pay(arrangement_id, body, caller, self.request_id, expect)

    def arrangement(self, arrangement_id: str, as_of: dt.date | None = None) -> dict:
        caller = self.caller("read_arrangement")
        return self._store().arrangement(arrangement_id, caller, as_of)

    def events(self, arrangement_id: str, limit: int | None = None, cursor: str | None = None) -> dict:
        """The arrangement's audit trail in this caller's view: a page of ``limit`` events (None: all of it)."""
        caller = self.caller("read_events")
        answer = self._store().events(arrangement_id, caller, limit, cursor)
        return {**answer, "events": event_view(answer["events"], caller)}

    def account(self, account_id: str, as_of: dt.date | None = None, limit: int | None = None,
                before: str | None = None, cursor: str | None = None) -> dict:
        """A page of the account's arrangements, newest first (see :meth:`Records.account`)."""
        caller = self.caller("list_account")
        page = {"limit": limit} if limit is not None else {}
        return self._store().account(account_id, caller, as_of, before=before, cursor=cursor, **page)

    def plans(self, account_id: str) -> tuple[dict | None, dict | None]:
        """``(live, booked)``: the account's live plan in this caller's view, and the one this caller (a borrower
        page's invitation) booked."""
        caller = self.caller("list_account")
        return self._store().plans_of(account_id, caller, self.principal)

    # ------------------------------------------------------------------ the console's reads
    def last_quote(self, account_id: str) -> dict | None:
        """The account's newest stored quote with its request (what the record already knows), or None."""
        caller = self.caller("read_quote")
        return self._store().last_quote(account_id, caller)

    def stored_quote(self, quote_id: str) -> dict:
        """A stored quote or what-if with its request (a staff read: the console's page after a post)."""
        caller = self.caller("read_quote")
        stored = self._store().stored_quote(quote_id, caller)
        return stored if caller.sees is None else {**stored, "response": portal_view(stored["response"])}

    def pending(self, limit: int = 50) -> list[dict]:
        """The arrangements waiting for a supervisor (the rights table's ``decide`` row says who may read it)."""
        self.caller("decide")
        return self._store().pending(self.caller("list_account"), limit)

    # ------------------------------------------------------------------ contact (issue 21)
    def _contacts(self):
        from negotiator.store.contacts import ContactLog
        return ContactLog(self._store())

    def record_contact(self, body) -> dict:
        caller = self.caller("record_contact")
        return self._contacts().record(body, caller, self.request_id)

    def preferences(self, account_id: str) -> dict:
        """The account's contact preferences in force (read with the contact log's right)."""
        self.caller("read_contacts")
        return self._contacts().preferences(account_id)

    def contacts(self, account_id: str, limit: int | None = None, cursor: str | None = None) -> dict:
        """A page of the account's contact log in this caller's view, newest first."""
        caller = self.caller("read_contacts")
        return self._contacts().page(account_id, caller, **({"limit": limit} if limit else {}), cursor=cursor)

    def set_preferences(self, account_id: str, body) -> dict:
        caller = self.caller("set_preferences")
        return self._contacts().set_preferences(account_id, body, caller, self.request_id)

    def contact_window(self, registry, account_id: str, channel: str, at: dt.datetime, timezone: str | None,
                       policy: str, person: str = "borrower", locale: str = "en") -> dict:
        """May ``channel`` contact be made at ``at``? (:func:`negotiator.app.contacts.ask`: one rule.)"""
        from negotiator.app.contacts import ask
        self.caller("contact_window")
        return ask(self._contacts(), registry, account_id, channel, at, timezone, policy, person, locale)

    def follow_ups(self, registry, as_of: dt.date, timezone: str, locale: str = "en",
                   account_id: str | None = None, limit: int | None = None, cursor: str | None = None) -> dict:
        """The day's reminders and follow-ups (:func:`negotiator.app.followups.follow_ups`), re-plans kept."""
        from negotiator.app.followups import follow_ups
        caller = self.caller("follow_ups")
        return follow_ups(self._store(), registry, as_of, timezone, caller, self.request_id, locale,
                          account_id=account_id, limit=limit, cursor=cursor)
