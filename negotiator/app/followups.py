"""The day's follow-up work (issue 21): reminders before instalments fall due, and a follow-up for each overdue
or missed instalment with the account's re-plan quote ready, each with its contact window.

- **Reminder**: an unpaid instalment falling due within the policy's ``contact.reminder_days`` after the day
  (one item each day until it is due or paid).
- **Missed**: an instalment ``overdue`` (past its due date, in grace) or ``missed`` (past its grace), of an
  active arrangement or of a broken one no plan has replaced.
- **Re-plan**: the arrangement's quote request as of the day, with the account's stored history merged (so
  the broken plan counts against the re-age and arrangement limits, as every quote does:
  :func:`negotiator.app.history.merge_history`), what was paid under the plan taken off the balance (arrears
  at most the balance), the days past due grown by the days since, and no first payment date; run through the
  engine's ``quote`` on the agent channel and kept, so an agent can accept an option with ``replaces``.
- **Window**: :func:`negotiator.app.contacts.ask` for the borrower's preferred channel (else a call) at the
  server's time on the day (the start of the day, local, for another day): nothing proposes contact the rules
  forbid.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from negotiator.app.contacts import ask
from negotiator.app.history import merge_history
from negotiator.core.errors import NegotiatorError
from negotiator.store.contacts import ContactLog
from negotiator.store.followups import worklist
from negotiator.store.records import Caller, Records
from negotiator.wire.contacts import is_zone


def replan_request(request: dict, arrangement: dict, made_on: dt.date, as_of: dt.date) -> dict:
    """The re-plan's request: the plan's own request moved to ``as_of`` with what was paid taken off.

    >>> r = replan_request({"as_of": "2026-11-23", "first_payment_date": "2026-12-01",
    ...     "account": {"balance": "12000.00", "arrears": "1500.00", "days_past_due": 45}},
    ...     {"paid": "1100.00"}, dt.date(2026, 11, 23), dt.date(2027, 2, 10))
    >>> a = r["account"]; r["as_of"], a["balance"], a["arrears"], a["days_past_due"], "first_payment_date" in r
    ('2027-02-10', '10900.00', '1500.00', 124, False)
    """
    account = dict(request.get("account") or {})
    paid = Decimal(arrangement["paid"])
    if "balance" in account:
        balance = Decimal(str(account["balance"]))
        new = max(balance - paid, Decimal("0.01"))
        exp = balance.as_tuple().exponent
        account["balance"] = str(new.quantize(balance) if isinstance(exp, int) and exp < 0 else new)
        if "arrears" in account:
            account["arrears"] = str(min(Decimal(str(account["arrears"])), new))
    if isinstance(account.get("days_past_due"), int):
        account["days_past_due"] += (as_of - made_on).days
    out = {k: v for k, v in request.items() if k not in ("first_payment_date", "as_of")}
    return {**out, "as_of": as_of.isoformat(), "account": account}


def _window(log: ContactLog, registry, item: dict, at: dt.datetime, timezone: str, locale: str) -> dict:
    prefs = log.preferences(item["account_id"])
    channel = prefs["preferred"] or "call"
    zone = prefs["timezone"] or timezone
    item["channel"] = channel
    name = item["policy"]["name"]
    if name not in registry.names():
        name = "default"    # a policy since withdrawn: the lender's default contact rules still hold
    item["contact_window"] = ask(log, registry, item["account_id"], channel, at, zone, name, locale=locale)
    return item


#: Arrangements read at a time while a page of follow-ups is gathered.
BATCH = 200


def _due(arr: dict, as_of: dt.date, days: int) -> list[tuple[str, dict]]:
    """``(kind, instalment)`` of each reminder and missed instalment of an arrangement on the day (pure).

    >>> line = {"due_date": "2027-01-23", "state": "due"}
    >>> _due({"instalments": [line]}, dt.date(2027, 1, 21), 3), _due({"instalments": [line]}, dt.date(2027, 1, 1), 3)
    ([('reminder', {'due_date': '2027-01-23', 'state': 'due'})], [])
    """
    out = []
    for line in arr["instalments"]:
        due = dt.date.fromisoformat(line["due_date"])
        if line["state"] in ("due", "part_paid") and 0 < (due - as_of).days <= days:
            out.append(("reminder", line))
        elif line["state"] in ("overdue", "missed"):
            out.append(("missed", line))
    return out


def follow_ups(records: Records, registry, as_of: dt.date, timezone: str, caller: Caller, request_id=None,
               locale: str = "en", engine=None, account_id: str | None = None, limit: int | None = None,
               cursor: str | None = None) -> dict:
    """The day's items, by account; re-plan quotes kept on the agent channel as ``caller``; one account's only
    when ``account_id`` is given. With ``limit``, a page: the items of at most ``limit`` arrangements with work
    on the day, after the ``cursor``'s; ``next_cursor`` continues (None on the last page; it holds the day, so
    a cursor of another day is a 400 ``invalid_cursor``)."""
    from zoneinfo import ZoneInfo

    from negotiator.engine.quote import quote
    from negotiator.store import cursors
    engine = engine or quote
    if not is_zone(timezone):
        from negotiator.core.errors import FieldError, ValidationError
        raise ValidationError([FieldError("timezone", "Not an IANA time zone.")])
    now = records.clock()
    log = ContactLog(records)
    scope = f"{as_of.isoformat()}:{account_id or ''}"
    after = None
    if cursor is not None:
        pos = cursors.decode(cursor, "f", scope, 2)
        after = cursors.text(pos[0]), cursors.text(pos[1])
    work: list[tuple[dict, dict, dt.date, list]] = []
    more = False
    while not more:
        batch = worklist(records, as_of, account_id, after, BATCH if limit is not None else None)
        for arr, request, made_on in batch:
            try:
                days = registry.get(arr["policy"]["name"]).contact.reminder_days
            except NegotiatorError:
                days = 3
            due = _due(arr, as_of, days)
            if not due:
                continue
            if limit is not None and len(work) == limit:
                more = True
                break
            work.append((arr, request, made_on, due))
        if limit is None or len(batch) < BATCH or more:
            break
        after = batch[-1][0]["account_id"], batch[-1][0]["arrangement_id"]
    items = []
    for arr, request, made_on, due in work:
        replan, error = None, None
        for kind, line in due:
            if kind == "missed" and replan is None and error is None:
                replan, error = _replan(records, registry, arr, request, made_on, as_of, caller, request_id, engine)
            items.append({"kind": kind, "account_id": arr["account_id"], "arrangement_id": arr["arrangement_id"],
                          "arrangement_status": arr["status"], "policy": arr["policy"], "currency": arr["currency"],
                          "instalment": line, "days": abs((dt.date.fromisoformat(line["due_date"]) - as_of).days),
                          "replan": replan if kind == "missed" else None,
                          "replan_error": error if kind == "missed" else None})
    for item in items:
        zone = ZoneInfo(log.preferences(item["account_id"])["timezone"] or timezone)
        at = now if as_of == now.date() else dt.datetime.combine(as_of, dt.time(0), zone)
        _window(log, registry, item, at, timezone, locale)
    last = work[-1][0] if more else None
    return {"as_of": as_of.isoformat(), "follow_ups": items,
            "next_cursor": cursors.encode("f", scope, last["account_id"], last["arrangement_id"]) if last else None}


def _replan(records: Records, registry, arr: dict, request: dict, made_on: dt.date, as_of: dt.date, caller: Caller,
            request_id, engine) -> tuple[dict | None, str | None]:
    """The account's re-plan quote (kept), or why none could be made."""
    if not request:
        return None, "The plan's quote is no longer stored."
    req = replan_request(request, arr, made_on, as_of)
    dates, reages, broken = records.history(arr["account_id"], as_of)
    req = merge_history(req, dates, reages, broken)
    try:
        answer = engine(req, registry, channel="agent", today=as_of)
    except NegotiatorError as exc:
        return None, str(exc)
    records.keep_quote(answer, req, Caller("agent", caller.principal), request_id)
    return answer, None
