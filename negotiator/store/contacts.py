"""The contact log and the borrower's contact preferences: record, read a page, and the facts the contact rule
reads (issue 21).

Framework-free like :mod:`negotiator.store.records`: plain dicts in (request bodies, checked by the schemas of
:mod:`negotiator.wire.contacts`) and out. Both tables are append-only (revision 0004): a contact is never
changed, a preference changes by a new row, the account's newest in force. Who may call which operation is
the rights table's; the :class:`~negotiator.store.records.Caller` it hands over says which channels' contacts
the caller sees (the portal: the contacts it recorded).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select

from negotiator.core.errors import FieldError, ValidationError
from negotiator.engine.contact import Contact as Entry
from negotiator.engine.contact import Preferences
from negotiator.policy import UnknownPolicyError
from negotiator.store import cursors
from negotiator.store.models import Contact, ContactPreference
from negotiator.store.records import TOLERANCE, Caller, Records, load
from negotiator.wire.contacts import MAX_PAGE, PAGE, ContactRequestSchema, PreferencesRequestSchema

_CONTACT, _PREFS = ContactRequestSchema(), PreferencesRequestSchema()


def _hhmm(text: str) -> dt.time:
    return dt.time(int(text[:2]), int(text[3:]))


def _offset(at: dt.datetime) -> int:
    off = at.utcoffset() or dt.timedelta(0)
    return int(off.total_seconds() // 60)


class ContactLog:
    """The contact operations of one store (its database, policies and clock)."""

    def __init__(self, records: Records):
        self.records = records

    # ------------------------------------------------------------------ writing
    def record(self, body, caller: Caller, request_id: str | None) -> dict:
        """Record one contact; a portal caller records only the borrower's own inbound contact."""
        req = load(_CONTACT, body)
        errors = []
        if caller.channel == "portal":
            if req["direction"] != "inbound":
                errors.append(FieldError("direction", "The borrower's page records only inbound contact."))
            if req["person"] != "borrower":
                errors.append(FieldError("person", "The borrower's page records only the borrower's contact."))
        try:
            self.records.registry.get(req["policy"])
        except UnknownPolicyError:
            errors.append(FieldError("policy", "Unknown policy."))
        now = self.records.clock()
        at = req["at"]
        if at > now + TOLERANCE:
            errors.append(FieldError("at", "Must not be more than a day after the server's clock."))
        elif at < now - dt.timedelta(days=self.records.as_of_days):
            errors.append(FieldError("at", f"Must be within {self.records.as_of_days} days before today."))
        if abs(_offset(at)) > 1080:
            errors.append(FieldError("at", "The UTC offset must be within 18 hours."))
        if errors:
            raise ValidationError(errors)
        row = Contact(account_id=req["account_id"], policy_name=req["policy"], channel=req["channel"],
                      direction=req["direction"], at=at, utc_offset=_offset(at), outcome=req["outcome"],
                      person=req["person"], recorded_by=caller.channel, principal=caller.principal[:80],
                      request_id=request_id, recorded_at=now)
        with self.records.db.transaction() as s:
            s.add(row)
            s.flush()
            return self._view(row)

    def set_preferences(self, account_id: str, body, caller: Caller, request_id: str | None) -> dict:
        """Record the borrower's preferences (a new row: the newest is in force)."""
        req = load(_PREFS, body)
        row = ContactPreference(account_id=account_id, refused=sorted(set(req["refused"])),
                                quiet=[{"start": q["start"], "end": q["end"]} for q in req["quiet"]],
                                preferred=req["preferred"], language=req["language"], timezone=req["timezone"],
                                moratorium=req["moratorium"], recorded_by=caller.channel,
                                principal=caller.principal[:80], request_id=request_id,
                                recorded_at=self.records.clock())
        with self.records.db.transaction() as s:
            s.add(row)
            s.flush()
            return self._prefs_view(account_id, row)

    # ------------------------------------------------------------------ reading
    @staticmethod
    def _view(c: Contact) -> dict:
        local = c.at.astimezone(dt.timezone(dt.timedelta(minutes=c.utc_offset)))
        return {"contact_id": str(c.contact_id), "account_id": c.account_id, "policy": c.policy_name,
                "channel": c.channel, "direction": c.direction, "at": local.isoformat(), "outcome": c.outcome,
                "person": c.person, "recorded_by": c.recorded_by, "recorded_at": c.recorded_at.isoformat()}

    def page(self, account_id: str, caller: Caller, limit: int = PAGE, cursor: str | None = None) -> dict:
        """A page of the account's contacts in the caller's view, newest first; ``next_cursor`` continues."""
        limit = max(1, min(limit, MAX_PAGE))
        q = select(Contact).where(Contact.account_id == account_id)
        if caller.sees is not None:
            q = q.where(Contact.recorded_by.in_(sorted(caller.sees)))
        if cursor is not None:
            pos = cursors.decode(cursor, "c", account_id, 2)
            at, cid = cursors.instant(pos[0]), cursors.whole(pos[1])
            q = q.where(or_(Contact.at < at, and_(Contact.at == at, Contact.contact_id < cid)))
        with self.records.db.reading() as s:
            rows = s.scalars(q.order_by(Contact.at.desc(), Contact.contact_id.desc()).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        return {"account_id": account_id, "contacts": [self._view(c) for c in rows],
                "next_cursor": cursors.encode("c", account_id, cursors.stamp(rows[-1].at), rows[-1].contact_id)
                if more else None}

    def _newest_prefs(self, account_id: str) -> ContactPreference | None:
        with self.records.db.reading() as s:
            return s.scalars(select(ContactPreference).where(ContactPreference.account_id == account_id)
                             .order_by(ContactPreference.preference_id.desc()).limit(1)).first()

    @staticmethod
    def _prefs_view(account_id: str, row: ContactPreference | None) -> dict:
        if row is None:
            return {"account_id": account_id, "refused": [], "quiet": [], "preferred": None, "language": None,
                    "timezone": None, "moratorium": False, "recorded_at": None}
        return {"account_id": account_id, "refused": list(row.refused), "quiet": list(row.quiet),
                "preferred": row.preferred, "language": row.language, "timezone": row.timezone,
                "moratorium": bool(row.moratorium), "recorded_at": row.recorded_at.isoformat()}

    def preferences(self, account_id: str) -> dict:
        """The preferences in force (the defaults where none were recorded)."""
        return self._prefs_view(account_id, self._newest_prefs(account_id))

    def facts(self, account_id: str, since: dt.datetime, until: dt.datetime) -> tuple[list[Entry], Preferences,
                                                                                         bool, str | None]:
        """What the contact rule reads, every channel's records counted (a rule is the lender's, whoever
        recorded the contact): ``(log between since and until, preferences, moratorium, time zone)``."""
        with self.records.db.reading() as s:
            rows = s.scalars(select(Contact).where(Contact.account_id == account_id, Contact.at >= since,
                                                   Contact.at <= until)).all()
        log = [Entry(c.channel, c.direction, c.at, c.outcome, c.person) for c in rows]
        row = self._newest_prefs(account_id)
        if row is None:
            return log, Preferences(), False, None
        prefs = Preferences(frozenset(row.refused), tuple((_hhmm(q["start"]), _hhmm(q["end"])) for q in row.quiet),
                            row.preferred, row.language)
        return log, prefs, bool(row.moratorium), row.timezone

