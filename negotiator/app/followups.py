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


def follow_ups(records: Records, registry, as_of: dt.date, timezone: str, caller: Caller, request_id=None,
               locale: str = "en", engine=None, account_id: str | None = None) -> dict:
    """The day's items, by account; re-plan quotes kept on the agent channel as ``caller``; one account's only
    when ``account_id`` is given."""
    from zoneinfo import ZoneInfo

    from negotiator.engine.quote import quote
    engine = engine or quote
    if not is_zone(timezone):
        from negotiator.core.errors import FieldError, ValidationError
        raise ValidationError([FieldError("timezone", "Not an IANA time zone.")])
    now = records.clock()
    log = ContactLog(records)
    items = []
    for arr, request, made_on in worklist(records, as_of, account_id):
        try:
            days = registry.get(arr["policy"]["name"]).contact.reminder_days
        except NegotiatorError:
            days = 3
        replan, error = None, None
        for line in arr["instalments"]:
            due = dt.date.fromisoformat(line["due_date"])
            if line["state"] in ("due", "part_paid") and 0 < (due - as_of).days <= days:
                kind = "reminder"
            elif line["state"] in ("overdue", "missed"):
                kind = "missed"
            else:
                continue
            if kind == "missed" and replan is None and error is None:
                replan, error = _replan(records, registry, arr, request, made_on, as_of, caller, request_id, engine)
            items.append({"kind": kind, "account_id": arr["account_id"], "arrangement_id": arr["arrangement_id"],
                          "arrangement_status": arr["status"], "policy": arr["policy"], "currency": arr["currency"],
                          "instalment": line, "days": abs((due - as_of).days),
                          "replan": replan if kind == "missed" else None,
                          "replan_error": error if kind == "missed" else None})
    for item in items:
        zone = ZoneInfo(log.preferences(item["account_id"])["timezone"] or timezone)
        at = now if as_of == now.date() else dt.datetime.combine(as_of, dt.time(0), zone)
        _window(log, registry, item, at, timezone, locale)
    return {"as_of": as_of.isoformat(), "follow_ups": items}


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
