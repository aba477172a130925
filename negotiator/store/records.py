"""Operations on the stored records, one transaction each: keep a quote, accept it, decide, pay, read, review.

Framework-free: callers pass plain dicts (request bodies) and get plain
dicts (wire shapes) back. Every refusal is a :class:`~negotiator.core.errors.RecordError`
(or a :class:`~negotiator.core.errors.ValidationError` for malformed input)
raised before anything is written; a failure part-way rolls the whole
transaction back.

Who may call which operation is not decided here: the rights table
(:mod:`negotiator.app.rights`) is, and it hands every operation a
:class:`Caller` that says which channels' records the caller sees. A record
of a channel it does not see is "not found", never "forbidden", and is never
named in a refusal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

import orjson
from sqlalchemy import (
    BigInteger,
    Column,
    CursorResult,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from negotiator.core.errors import FieldError, RecordError, ValidationError
from negotiator.core.limits import PAGE
from negotiator.core.money import exponent, format_minor, to_minor
from negotiator.core.tracing import current_ids
from negotiator.engine.arrangements import Due, instalment_states, next_due, status_as_of
from negotiator.kinds import REAGING
from negotiator.policy import PolicyRegistry, UnknownPolicyError
from negotiator.store import cursors
from negotiator.store.db import Database, begin_immediate
from negotiator.store.models import LIVE_STATUSES, Arrangement, Event, IdempotencyKey, Instalment, Payment, Quote
from negotiator.wire.records import (
    AcceptRequestSchema,
    CancelRequestSchema,
    DecisionRequestSchema,
    PaymentRequestSchema,
)
from negotiator.wire.schemas import load_request

_ACCEPT, _DECIDE, _PAY = AcceptRequestSchema(), DecisionRequestSchema(), PaymentRequestSchema()
_CANCEL = CancelRequestSchema()
#: Plans that re-age the account (the account brought current): FFIEC's re-age limits count them whatever they
#: are called. The kinds' registry says which (a step-up and an interest-free instalment re-age too).
REAGING_TYPES = REAGING
#: Arrangements that count in an account's history (made and not refused).
COUNTED = ("active", "broken", "completed", "cancelled", "superseded")
#: How far from today a caller's date may be, by default (NEGOTIATOR_AS_OF_DAYS).
AS_OF_DAYS = 400
#: How long an Idempotency-Key's answer is kept and replayed, by default (NEGOTIATOR_IDEMPOTENCY_HOURS).
IDEMPOTENCY_HOURS = 24
#: A day of clock tolerance: a payment or review dated tomorrow (the payer's clock, a time zone) is taken.
TOLERANCE = dt.timedelta(days=1)


@dataclass(frozen=True)
class Caller:
    """Who acts: the channel, who authenticated (``principal``: ``agent:<key id>``, ``console:<agent>``,
    ``portal:<invitation>``) and which channels' records it sees (None: every channel's)."""

    channel: str
    principal: str
    sees: frozenset[str] | None = None

    def can_see(self, record_channel: str) -> bool:
        return self.sees is None or record_channel in self.sees


#: A caller's precondition on a record's current representation (raises to refuse the change).
Expect = Callable[[dict], None]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def load(schema, body) -> dict:
    """Validate a request body's shape; every bad field at once, as a :class:`ValidationError`."""
    return load_request(body, schema)


def _cannot_requote(req: dict, channel: str) -> dict:
    raise RecordError(503, "no_requote", "quote_id", "This store was opened without the engine to re-run a quote.")


def body_hash(body) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def offered(answer: dict) -> list[dict]:
    """The plans a stored answer offers to be accepted.

    A quote offers its options. A proposal (what-if) offers its plan when it
    is acceptable as proposed, else its counter-offer, else nothing: the
    plan of a proposal the policy would not agree to as proposed is never
    booked.

    >>> offered({"plan": {"option_id": "instalment"}, "acceptable": False, "counter_offer": None})
    []
    >>> offered({"plan": {"option_id": "a"}, "acceptable": False, "counter_offer": {"option_id": "b"}})
    [{'option_id': 'b'}]
    """
    if "options" in answer:
        return answer["options"]
    plan = answer.get("plan") if answer.get("acceptable") else answer.get("counter_offer")
    return [plan] if plan else []


def _issued(answer: dict) -> dict:
    """The ``quote_issued`` event's detail: how many plans can be accepted, and whether it was a what-if."""
    return {"options": len(offered(answer)), **({} if "options" in answer else {"proposal": True})}


def _json(value) -> str:
    """A JSON column's text, as the quote path writes it: orjson's (a tenth of the standard library's time on a
    quote's answer), the standard library's (``default=str``) for what orjson does not take.

    >>> _json({"a": "CN¥1", "b": [1, None]}), _json({1: dt.date(2026, 1, 2)})
    ('{"a":"CN¥1","b":[1,null]}', '{"1": "2026-01-02"}')
    """
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, default=str)


def _minor(amount: str, digits: int) -> int:
    return to_minor(Decimal(amount), digits)


def _day(value) -> dt.date:
    """A date or timestamp column as its date (SQLite returns text, PostgreSQL dates and datetimes).

    >>> _day("2026-11-23 10:00:00.000000"), _day(dt.datetime(2026, 11, 23, 10)), _day(dt.date(2026, 11, 23))
    (datetime.date(2026, 11, 23), datetime.date(2026, 11, 23), datetime.date(2026, 11, 23))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class Records:
    """The store's operations for one database and policy registry; ``clock`` gives the current UTC time."""

    def __init__(self, db: Database, registry: PolicyRegistry, clock: Callable[[], dt.datetime] = utcnow,
                 requote: Callable[[dict, str], dict] | None = None, as_of_days: int = AS_OF_DAYS,
                 idempotency_hours: int = IDEMPOTENCY_HOURS):
        """``requote(request, channel)`` re-runs a stored request through the engine (for an option stored
        without its schedule); the store is handed it and never imports the engine. ``as_of_days``: how far
        before today a payment's ``as_of`` or the review's day may be. ``idempotency_hours``: how long an
        ``Idempotency-Key``'s answer is kept and replayed; after it the key is free again."""
        self.db, self.registry, self.clock, self.requote = db, registry, clock, requote
        self.as_of_days = as_of_days
        self.idempotency_hours = idempotency_hours

    # ------------------------------------------------------------------ quotes
    # The statements every quote runs are plain SQL on the driver's connection (on SQLite the process's own,
    # Database.own_connection; else from the engine's pool): through SQLAlchemy's statement machinery they cost
    # about three times as much (benchmarks/bench_store.py).
    _HISTORY_SQL = ("SELECT starts_on, option_type, policy_name, status, updated_at FROM arrangements "
                    "WHERE account_id = {p} AND status IN (" + ", ".join(f"'{c}'" for c in COUNTED)
                    + ") AND starts_on <= {p}")
    # Through the arrangements' account index and the events' arrangement index: a ``reaged`` event is always
    # an arrangement's (it carries the arrangement's account id), and the events hold no index on account_id,
    # so asking by account id read every event ever written (one more with each quote issued).
    _REAGED_SQL = ("SELECT detail FROM events WHERE type = 'reaged' AND arrangement_id IN "
                   "(SELECT arrangement_id FROM arrangements WHERE account_id = {p})")
    _QUOTE_SQL = ("INSERT INTO quotes (quote_id, channel, account_id, policy_name, policy_version, currency, as_of, "
                  "request, response, created_at, expires_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, "
                  "{p}, {p}) ON CONFLICT (quote_id) DO NOTHING")
    _EVENT_SQL = ("INSERT INTO events (type, at, channel, actor, principal, request_id, account_id, quote_id, "
                  "detail, trace_id, span_id) VALUES ('quote_issued', {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, "
                  "{p})")
    _EXTEND_SQL = "UPDATE quotes SET expires_at = {p} WHERE quote_id = {p} AND expires_at < {p}"

    def _sql(self, template: str) -> str:
        return template.format(p="?" if self.db.dialect == "sqlite" else "%s")

    def _stamp(self, when: dt.datetime):
        """A UTC time as the driver takes it: SQLite's text (the form SQLAlchemy stores), else the datetime."""
        if self.db.dialect == "sqlite":
            return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        return when

    def payments_to_reage(self, policy_name: str) -> int:
        """Payments under a re-ageing arrangement before it re-ages the account: the policy's
        ``reage.min_consecutive_payments`` (FFIEC 2000: "at least three consecutive minimum monthly payments or
        the equivalent lump sum"), 0 where the policy has no such rule (or is no longer known): then the
        arrangement re-ages the account on its start date."""
        try:
            rules = self.registry.get(policy_name).reage
        except UnknownPolicyError:   # a policy since withdrawn: its arrangement counts from its start, as before
            return 0
        return rules.min_consecutive_payments if rules is not None else 0

    def history(self, account_id: str, as_of: dt.date) -> tuple[list[dt.date], list[dt.date], list[dt.date]]:
        """Stored ``(arrangement_dates, reage_dates, broken_arrangement_dates)`` of an account, on or before
        ``as_of``; an arrangement broke on the day the review marked it so.

        A re-ageing arrangement under a policy whose re-age rules require payments re-ages the account on the
        date of the payment that completes them (its ``reaged`` event), not on its start date: one that has not
        had them has not re-aged the account.
        """
        def read(cur) -> tuple[list, list]:
            cur.execute(self._sql(self._HISTORY_SQL), (account_id, as_of.isoformat()))
            rows = [(_day(d), t, pol, s, _day(u)) for d, t, pol, s, u in cur.fetchall()]
            cur.execute(self._sql(self._REAGED_SQL), (account_id,))
            details = [json.loads(d) if isinstance(d, str) else d for (d,) in cur.fetchall()]
            cur.close()
            return rows, details

        if self.db.dialect == "sqlite":
            with self.db.own_connection() as conn:   # no transaction: each statement reads the last commit
                rows, details = read(conn.cursor())
        else:
            raw = self.db.reader.raw_connection()
            try:
                rows, details = read(raw.cursor())
            finally:
                raw.close()   # back to the pool, rolled back
        dates = sorted({d for d, *_ in rows})
        reages = {d for d, t, pol, *_ in rows if t in REAGING_TYPES and not self.payments_to_reage(pol)}
        reages |= {dt.date.fromisoformat(d["reaged_on"]) for d in details if d and d.get("reaged_on")}
        broken = sorted({min(u, as_of) for *_, s, u in rows if s == "broken"})
        return dates, sorted(d for d in reages if d <= as_of), broken

    def keep_quote(self, answer: dict, request: dict, caller: Caller, request_id: str | None) -> None:
        """Store a quote as issued; the same quote again (same id) restarts its expiry, never duplicates it.

        One transaction: an insert that does nothing on a known id, then
        either the ``quote_issued`` event or the new expiry.
        """
        policy = self.registry.get(answer["policy"]["name"])
        now = self.clock()
        created, expires = self._stamp(now), self._stamp(now + dt.timedelta(days=policy.quote_valid_days))
        account_id = (request.get("account") or {}).get("account_id")
        qid = answer["quote_id"]
        channel, actor = caller.channel, caller.principal
        if self.db.dialect == "sqlite":
            with self.db.own_connection() as conn:
                cur = conn.cursor()
                try:
                    begin_immediate(cur)   # short pauses for the write lock, not SQLite's milliseconds
                    try:
                        self._write_quote(cur, answer, request, qid, channel, actor, account_id, policy, created,
                                          expires, request_id)
                        cur.execute("COMMIT")
                    except BaseException:
                        cur.execute("ROLLBACK")
                        raise
                finally:
                    cur.close()
            return
        raw = self.db.engine.raw_connection()
        try:
            cur = raw.cursor()
            try:
                self._write_quote(cur, answer, request, qid, channel, actor, account_id, policy, created, expires,
                                  request_id)
                raw.commit()
            except BaseException:
                raw.rollback()
                raise
            finally:
                cur.close()
        finally:
            raw.close()

    def _write_quote(self, cur, answer: dict, request: dict, qid: str, channel: str, actor: str, account_id,
                     policy, created, expires, request_id: str | None) -> None:
        """The quote's statements in the transaction open on ``cur``: the row (nothing on a known id), then its
        ``quote_issued`` event, or the known row's later expiry."""
        cur.execute(self._sql(self._QUOTE_SQL), (
            qid, channel, account_id, policy.name, answer["policy"]["version"], answer["currency"],
            answer["as_of"], _json(request), _json(answer), created, expires))
        if cur.rowcount:
            cur.execute(self._sql(self._EVENT_SQL), (created, channel, actor, actor, request_id, account_id,
                                                     qid, _json(_issued(answer)), *current_ids()))
        else:
            cur.execute(self._sql(self._EXTEND_SQL), (expires, qid, expires))

    def get_quote(self, quote_id: str, caller: Caller) -> dict:
        with self.db.reading() as s:
            row = s.get(Quote, quote_id)
        if row is None or not caller.can_see(row.channel):
            raise RecordError(404, "unknown_quote", "quote_id", "No quote with this id.")
        return {**row.response, "account_id": row.account_id, "created_at": row.created_at.isoformat(),
                "expires_at": row.expires_at.isoformat()}

    # ------------------------------------------------------------------ idempotency keys
    def _claim(self, s: Session, scope: str, key: str, digest: str, now: dt.datetime) -> IdempotencyKey | None:
        """The key's stored answer to replay, or None once the key is claimed for this request (a row written in
        ``s``'s transaction: a concurrent request with the key waits on it, then fails and replays). A key
        older than ``idempotency_hours`` is free again: its old answer is forgotten."""
        seen = s.get(IdempotencyKey, (scope, key))
        if seen is not None and seen.created_at > now - dt.timedelta(hours=self.idempotency_hours):
            return seen
        if seen is not None:
            # A statement, not the session's delete: a concurrent request that freed the key first leaves this one
            # nothing to delete (not an error); its insert below then conflicts, and the retry replays its answer.
            s.expunge(seen)
            s.execute(delete(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key,
                                                   IdempotencyKey.created_at == seen.created_at)
                      .execution_options(synchronize_session=False))
        s.add(IdempotencyKey(scope=scope, key=key, request_hash=digest, status=0, response={}, created_at=now))
        s.flush()
        return None

    @staticmethod
    def _keep(s: Session, scope: str, key: str, status: int, response: dict) -> None:
        s.execute(update(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
                  .values(status=status, response=response))

    def once(self, scope: str, key: str, body, make: Callable[[], dict]) -> tuple[dict, bool]:
        """``(answer, replayed)``: ``make()``'s answer, kept under ``(scope, key)`` for ``idempotency_hours`` and
        replayed for the same key and body; the same key with another body is a 422
        ``idempotency_key_reused``. For an operation whose answer is made outside the store (an invitation)."""
        digest = body_hash(body)
        for _ in range(5):
            try:
                with self.db.transaction() as s:
                    seen = self._claim(s, scope, key, digest, self.clock())
                    if seen is not None:
                        return self._replay(seen, digest)[1], True
                    answer = make()
                    self._keep(s, scope, key, 201, answer)
                return answer, False
            except IntegrityError as exc:
                if "idempotency" in str(exc.orig).lower():
                    continue   # the same key committed by another request: read and replay it
                raise
        raise RecordError(409, "idempotency_conflict", "Idempotency-Key",
                          "Another request with this key is in progress; retry.")

    def forget_keys(self) -> int:
        """Delete the Idempotency-Keys older than ``idempotency_hours`` (they are free again anyway)."""
        cutoff = self.clock() - dt.timedelta(hours=self.idempotency_hours)
        with self.db.transaction() as s:
            return cast(CursorResult, s.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at <= cutoff)
                                                .execution_options(synchronize_session=False))).rowcount

    # ------------------------------------------------------------------ accepting
    def accept(self, body, idempotency_key: str, scope: str, caller: Caller, request_id: str | None,
               requote: Callable[[dict, str], dict] | None = None,
               keep_refusals: bool = True) -> tuple[int, dict, bool]:
        """Accept a quoted option, or a proposal's plan: ``(status, answer, replayed)``.

        ``scope`` (the API key's id) and ``idempotency_key`` identify the
        request: the same key and body answer the same, from the record, for
        ``idempotency_hours`` after the first: an arrangement made, or a refusal
        (a :class:`RecordError` raised again, ``replayed`` set), never the one
        and then the other; the same key with another body is refused. A
        refusal writes nothing but the key's record. ``requote(request,
        channel)`` re-runs a stored request (for an option stored without its
        schedule); by default the one this store was opened with.
        ``keep_refusals=False`` (the pages, whose key is the form's, not a
        client's retry key) keeps no refusal: the form may be sent again with
        another option.
        """
        requote = requote or self.requote or _cannot_requote
        req = load(_ACCEPT, body)
        digest = body_hash(req)
        for _ in range(5):
            try:
                refusal: RecordError | None = None
                with self.db.transaction() as s:
                    now = self.clock()
                    seen = self._claim(s, scope, idempotency_key, digest, now)
                    if seen is not None:
                        return self._replay(seen, digest)
                    try:
                        with s.begin_nested():   # a refusal rolls back to here: only the key's record is kept
                            answer = self._accept(s, req, caller, request_id, requote, now)
                    except IntegrityError as exc:
                        if "arrangements" not in str(exc.orig).lower():
                            raise
                        refusal = RecordError(409, "arrangement_exists", "replaces",
                                              "The account already has a live arrangement; name it in `replaces` "
                                              "to supersede it.")
                    except RecordError as exc:
                        if exc.status >= 500:
                            raise
                        refusal = exc
                    if refusal is not None and not keep_refusals:
                        raise refusal   # the whole transaction rolled back, the key's claim with it
                    if refusal is not None:
                        self._keep(s, scope, idempotency_key, refusal.status, {"refusal": {
                            "code": refusal.code, "field": refusal.field, "message": refusal.message}})
                    else:
                        self._keep(s, scope, idempotency_key, 201, answer)
                if refusal is not None:
                    raise refusal
                return 201, answer, False
            except IntegrityError as exc:
                if "idempotency" in str(exc.orig).lower():
                    continue   # the same key committed by another request: read and replay it
                raise
        raise RecordError(409, "idempotency_conflict", "Idempotency-Key",
                          "Another request with this key is in progress; retry.")

    @staticmethod
    def _replay(seen: IdempotencyKey, digest: str) -> tuple[int, dict, bool]:
        """The stored answer of a key: ``(status, answer, True)``, or its refusal raised again (``replayed``)."""
        if seen.request_hash != digest:
            raise RecordError(422, "idempotency_key_reused", "Idempotency-Key",
                              "This key was used with another body; use a new key for a new request.")
        if seen.status == 0:   # pragma: no cover - a claim is committed with its answer, never without
            raise RecordError(409, "idempotency_conflict", "Idempotency-Key",
                              "Another request with this key is in progress; retry.")
        refused = seen.response.get("refusal") if seen.status >= 400 else None
        if refused is not None:
            exc = RecordError(seen.status, refused["code"], refused["field"], refused["message"])
            exc.replayed = True
            raise exc
        return seen.status, seen.response, True

    def _accept(self, s: Session, req: dict, caller: Caller, request_id, requote, now: dt.datetime) -> dict:
        channel = caller.channel
        quote = s.get(Quote, req["quote_id"])
        if quote is None or not caller.can_see(quote.channel):
            raise RecordError(404, "unknown_quote", "quote_id", "No quote with this id.")
        if quote.expires_at < now:
            raise RecordError(409, "quote_expired", "quote_id",
                              f"The quote expired at {quote.expires_at.isoformat()}; quote again.")
        if not quote.account_id:
            raise RecordError(422, "account_id_required", "quote_id",
                              "The quote was made without account.account_id; quote again with it.")
        option = next((o for o in offered(quote.response) if o["option_id"] == req["option_id"]), None)
        if option is None:
            raise RecordError(422, "unknown_option", "option_id", "Not an option of this quote.")
        if not option["affordable"] or not option["within_policy"]:
            raise RecordError(422, "option_not_acceptable", "option_id",
                              "Only an affordable option within policy can be accepted.")
        if channel == "portal":
            if option["approval"] != "none":
                raise RecordError(422, "approval_required", "option_id", "This option needs an agent's approval.")
            if req["accepted_by"] != "borrower":
                raise RecordError(422, "borrower_only", "accepted_by", "On the portal the borrower accepts: "
                                                                       "send `borrower`.")
        status = "pending_approval" if channel == "agent" and option["approval"] == "supervisor" else "active"
        policy = self.registry.get(quote.policy_name)
        schedule = option.get("schedule")
        if not schedule:
            again = requote({**quote.request, "as_of": quote.as_of.isoformat(), "schedules": "all"}, quote.channel)
            schedule = next(o for o in offered(again) if o["option_id"] == option["option_id"])["schedule"]

        live = s.scalars(select(Arrangement).where(Arrangement.account_id == quote.account_id,
                                                   Arrangement.status.in_(LIVE_STATUSES)).with_for_update()).first()
        replaces = req.get("replaces")
        if replaces is not None:
            # Only a record the caller sees can be replaced: another channel's is not found, like no record.
            target = s.get(Arrangement, replaces)
            if target is None or not caller.can_see(target.channel):
                raise RecordError(404, "unknown_arrangement", "replaces", "No arrangement with this id.")
            if live is None or target.arrangement_id != live.arrangement_id:
                raise RecordError(422, "replaces_not_live", "replaces", "Not the live arrangement of this account.")
        elif live is not None:
            named = f" ({live.arrangement_id}); name it in `replaces` to supersede it" \
                if caller.can_see(live.channel) else ""   # another channel's record is never named
            raise RecordError(409, "arrangement_exists", "replaces",
                              f"The account already has a live arrangement{named}.")
        digits = exponent(quote.currency)
        aid = "a_" + uuid.uuid4().hex[:20]
        actor = req["accepted_by"]
        if live is not None:
            # Session.execute is typed to give a Result; for an UPDATE without RETURNING it is a CursorResult.
            done = cast(CursorResult, s.execute(
                update(Arrangement).where(Arrangement.arrangement_id == live.arrangement_id,
                                          Arrangement.status.in_(LIVE_STATUSES))
                .values(status="superseded", updated_at=now))).rowcount
            if done != 1:
                raise RecordError(409, "arrangement_exists", "replaces", "The live arrangement changed; retry.")
            s.add(Event(type="superseded", at=now, channel=channel, actor=actor, principal=caller.principal,
                        request_id=request_id,
                        account_id=live.account_id, arrangement_id=live.arrangement_id, status_before=live.status,
                        status_after="superseded",
                        detail={"by": aid, **({"reason": req["reason"]} if req.get("reason") else {})}))
            s.flush()
        lines, cum = [], 0
        for line in schedule:
            amount = _minor(line["payment"], digits)
            cum += amount
            due = dt.date.fromisoformat(line["due_date"])
            lines.append(Instalment(arrangement_id=aid, number=line["number"], due_date=due,
                                    grace_ends=due + dt.timedelta(days=policy.grace_days), amount=amount,
                                    cum_due=cum))
        arr = Arrangement(
            arrangement_id=aid, account_id=quote.account_id, quote_id=quote.quote_id, option_id=option["option_id"],
            option_type=option["type"], approval=option["approval"], channel=channel, accepted_by=actor,
            status=status, currency=quote.currency, digits=digits, policy_name=quote.policy_name,
            policy_version=quote.policy_version, starts_on=quote.as_of, first_due=lines[0].due_date,
            last_due=lines[-1].due_date, monthly_payment=_minor(option["monthly_payment"], digits),
            total_payable=cum, paid_total=0, term_months=option["term_months"], grace_days=policy.grace_days,
            missed_allowed=policy.missed_instalments_allowed, replaces=replaces, created_at=now, updated_at=now)
        s.add(arr)
        s.flush()   # the one-live-arrangement index refuses a concurrent second one here
        s.add_all(lines)
        s.add(Event(type="accepted", at=now, channel=channel, actor=actor, principal=caller.principal,
                    request_id=request_id,
                    account_id=arr.account_id, quote_id=quote.quote_id, arrangement_id=aid, status_after=status,
                    detail={"option_id": option["option_id"], "type": option["type"], "approval": option["approval"]}))
        s.flush()
        return self._view(arr, lines, [], quote.as_of)

    # ------------------------------------------------------------------ supervisor
    def _expected(self, s: Session, arr: Arrangement, expect: Expect | None) -> None:
        """Run the caller's precondition (``If-Match``) on the arrangement as read today, under its row lock."""
        if expect is not None:
            expect(self._read(s, arr, self.clock().date()))

    def decide(self, arrangement_id: str, body, caller: Caller, request_id: str | None,
               expect: Expect | None = None) -> dict:
        """A supervisor's decision on a pending arrangement; ``expect`` (the caller's precondition, e.g.
        ``If-Match``) sees the arrangement as read today, under its row lock, before anything else."""
        req = load(_DECIDE, body)
        channel = caller.channel
        with self.db.transaction() as s:
            arr = self._get(s, arrangement_id, caller, lock=True)
            self._expected(s, arr, expect)
            if arr.status != "pending_approval":
                raise RecordError(409, "not_pending", "arrangement_id",
                                  f"The arrangement is {arr.status}, not pending_approval.")
            now = self.clock()
            after = "active" if req["decision"] == "approve" else "rejected"
            arr.status, arr.decided_by, arr.updated_at = after, req["decided_by"], now   # the row is locked
            s.add(Event(type="approved" if after == "active" else "rejected", at=now, channel=channel,
                        actor=req["decided_by"], principal=caller.principal, request_id=request_id,
                        account_id=arr.account_id,
                        arrangement_id=arrangement_id, status_before="pending_approval", status_after=after,
                        detail={"reason": req["reason"]} if req.get("reason") else None))
            s.flush()
            return self._read(s, arr, now.date())

    def cancel(self, arrangement_id: str, body, caller: Caller, request_id: str | None,
               expect: Expect | None = None) -> dict:
        """A live arrangement (pending approval or active) is cancelled; it stops being live (``expect``: as
        :meth:`decide`)."""
        req = load(_CANCEL, body)
        channel = caller.channel
        with self.db.transaction() as s:
            arr = self._get(s, arrangement_id, caller, lock=True)
            self._expected(s, arr, expect)
            if arr.status not in LIVE_STATUSES:
                raise RecordError(409, "not_live", "arrangement_id",
                                  f"The arrangement is {arr.status}; only a live one can be cancelled.")
            now = self.clock()
            before = arr.status
            arr.status, arr.updated_at = "cancelled", now   # the row is locked
            s.add(Event(type="cancelled", at=now, channel=channel, actor=req["cancelled_by"],
                        principal=caller.principal, request_id=request_id,
                        account_id=arr.account_id, arrangement_id=arrangement_id, status_before=before,
                        status_after="cancelled", detail={"reason": req["reason"]} if req.get("reason") else None))
            s.flush()
            return self._read(s, arr, now.date())

    # ------------------------------------------------------------------ payments
    def pay(self, arrangement_id: str, body, caller: Caller, request_id: str | None,
            expect: Expect | None = None) -> tuple[int, dict]:
        """Record a payment: ``(201, answer)``, or ``(200, answer)`` when its reference was already recorded
        (a replay is answered whatever ``expect`` says: the retry of a payment made; else as :meth:`decide`)."""
        req = load(_PAY, body)
        for _ in range(3):
            try:
                with self.db.transaction() as s:
                    return self._pay(s, arrangement_id, req, caller, request_id, expect)
            except IntegrityError as exc:
                if "payments" in str(exc.orig).lower():
                    continue   # the same reference recorded concurrently: replay it
                raise
        raise RecordError(409, "payment_conflict", "reference", "Another request with this reference is in progress.")

    def _pay(self, s: Session, arrangement_id: str, req: dict, caller: Caller, request_id,
             expect: Expect | None = None):
        channel, actor = caller.channel, caller.principal
        arr = self._get(s, arrangement_id, caller, lock=True)
        now = self.clock()
        today = now.date()
        as_of = req.get("as_of") or today
        if as_of > today + TOLERANCE or as_of < today - dt.timedelta(days=self.as_of_days):
            raise ValidationError([FieldError("as_of", f"Must be today ({today.isoformat()}), or a day before it "
                                                       f"within {self.as_of_days} days.")])
        digits = arr.digits
        try:
            amount = to_minor(req["amount"], digits)
        except ValueError as exc:
            raise ValidationError([FieldError("amount", f"Amount {exc} for {arr.currency}.")]) from None
        seen = s.scalars(select(Payment).where(Payment.arrangement_id == arrangement_id,
                                               Payment.reference == req["reference"])).first()
        if seen is not None:
            if seen.amount != amount or seen.paid_on != req["paid_on"]:
                raise RecordError(422, "reference_reused", "reference",
                                  "This reference is already recorded with another amount or date.")
            return 200, self._payment_answer(s, arr, seen, True, as_of)
        self._expected(s, arr, expect)
        if arr.status != "active":
            raise RecordError(409, "arrangement_not_active", "arrangement_id",
                              f"The arrangement is {arr.status}; payments are recorded on active arrangements.")
        errors = []
        if amount <= 0:
            errors.append(FieldError("amount", "Must be more than zero."))
        elif amount > arr.total_payable - arr.paid_total:
            errors.append(FieldError("amount", "More than is outstanding "
                                               f"({format_minor(arr.total_payable - arr.paid_total, digits)})."))
        if req["paid_on"] < arr.starts_on:
            errors.append(FieldError("paid_on", f"Before the plan starts ({arr.starts_on.isoformat()})."))
        if req["paid_on"] > as_of:
            errors.append(FieldError("paid_on", f"After the as-of date ({as_of.isoformat()})."))
        if errors:
            raise ValidationError(errors)
        pay = Payment(arrangement_id=arrangement_id, reference=req["reference"], amount=amount, paid_on=req["paid_on"],
                      channel=channel, recorded_at=now)
        s.add(pay)
        s.flush()
        before = arr.status
        after = "completed" if arr.paid_total + amount == arr.total_payable else before
        arr.paid_total, arr.status, arr.updated_at = arr.paid_total + amount, after, now   # the row is locked
        s.add(Event(type="payment_recorded", at=now, channel=channel, actor=actor, principal=actor,
                    request_id=request_id,
                    account_id=arr.account_id, arrangement_id=arrangement_id, status_before=before,
                    status_after=before, detail={"reference": req["reference"],
                                                     "amount": format_minor(amount, digits),
                                                     "paid_on": req["paid_on"].isoformat()}))
        self._reaged(s, arr, pay, channel, actor, request_id, now)
        if after == "completed":
            s.add(Event(type="completed", at=now, channel=channel, actor=actor, principal=actor,
                        request_id=request_id,
                        account_id=arr.account_id, arrangement_id=arrangement_id, status_before=before,
                        status_after="completed"))
        s.flush()
        return 201, self._payment_answer(s, arr, pay, False, as_of)

    def _reaged(self, s: Session, arr: Arrangement, pay: Payment, channel: str, actor: str, request_id,
                now: dt.datetime) -> None:
        """The ``reaged`` event, once, when the payment just recorded is the one that completes the payments a
        re-ageing arrangement needs (FFIEC 2000; the policy's ``reage.min_consecutive_payments``): the account is
        re-aged on that payment's date. Payments are counted in the order they were made."""
        need = self.payments_to_reage(arr.policy_name) if arr.option_type in REAGING_TYPES else 0
        if not need:
            return
        made = s.scalars(select(Payment.paid_on).where(Payment.arrangement_id == arr.arrangement_id)
                         .order_by(Payment.paid_on, Payment.payment_id)).all()
        done = s.scalar(select(func.count()).select_from(Event).where(Event.arrangement_id == arr.arrangement_id,
                                                                      Event.type == "reaged"))
        if len(made) < need or done:
            return
        s.add(Event(type="reaged", at=now, channel=channel, actor=actor, request_id=request_id,
                    account_id=arr.account_id, arrangement_id=arr.arrangement_id, status_before=arr.status,
                    status_after=arr.status, detail={"reaged_on": made[need - 1].isoformat(), "payments": need}))

    def _payment_answer(self, s: Session, arr: Arrangement, pay: Payment, replayed: bool, as_of: dt.date) -> dict:
        return {"payment": {"reference": pay.reference, "amount": format_minor(pay.amount, arr.digits),
                            "paid_on": pay.paid_on.isoformat(), "recorded_at": pay.recorded_at.isoformat()},
                "replayed": replayed, "arrangement": self._read(s, arr, as_of)}

    # ------------------------------------------------------------------ reading
    def _get(self, s: Session, arrangement_id: str, caller: Caller, lock: bool = False) -> Arrangement:
        q = select(Arrangement).where(Arrangement.arrangement_id == arrangement_id)
        arr = s.scalars(q.with_for_update() if lock else q).first()
        if arr is None or not caller.can_see(arr.channel):
            raise RecordError(404, "unknown_arrangement", "arrangement_id", "No arrangement with this id.")
        return arr

    def arrangement(self, arrangement_id: str, caller: Caller, as_of: dt.date | None = None) -> dict:
        with self.db.reading() as s:
            return self._read(s, self._get(s, arrangement_id, caller), as_of or self.clock().date())

    def _read(self, s: Session, arr: Arrangement, as_of: dt.date) -> dict:
        lines = s.scalars(select(Instalment).where(Instalment.arrangement_id == arr.arrangement_id)
                          .order_by(Instalment.number)).all()
        pays = s.scalars(select(Payment).where(Payment.arrangement_id == arr.arrangement_id)).all()
        return self._view(arr, lines, pays, as_of)

    @staticmethod
    def _view(arr: Arrangement, lines, pays, as_of: dt.date) -> dict:
        due = [Due(i.number, i.due_date, i.grace_ends, i.amount, i.cum_due) for i in lines]
        paid = sum(p.amount for p in pays if p.paid_on <= as_of)
        states = instalment_states(due, paid, as_of)
        status = status_as_of(arr.status, due, paid, arr.total_payable, as_of, arr.missed_allowed)
        m = lambda v: format_minor(v, arr.digits)   # noqa: E731
        return {
            "arrangement_id": arr.arrangement_id, "account_id": arr.account_id, "quote_id": arr.quote_id,
            "option_id": arr.option_id, "type": arr.option_type, "approval": arr.approval, "status": status,
            "channel": arr.channel, "accepted_by": arr.accepted_by, "decided_by": arr.decided_by,
            "replaces": arr.replaces, "currency": arr.currency,
            "policy": {"name": arr.policy_name, "version": arr.policy_version},
            "monthly_payment": m(arr.monthly_payment), "total_payable": m(arr.total_payable), "paid": m(paid),
            "outstanding": m(arr.total_payable - paid), "term_months": arr.term_months,
            "first_payment_date": arr.first_due.isoformat(),
            "next_due_date": None if status in ("completed", "cancelled", "superseded", "rejected") else
            (d.isoformat() if (d := next_due(states)) else None),
            "grace_days": arr.grace_days, "missed_instalments_allowed": arr.missed_allowed,
            "as_of": as_of.isoformat(), "created_at": arr.created_at.isoformat(),
            "updated_at": arr.updated_at.isoformat(),
            "instalments": [{"number": x.number, "due_date": x.due_date.isoformat(), "amount": m(x.amount),
                             "paid": m(x.paid), "state": x.state} for x in states]}

    def events(self, arrangement_id: str, caller: Caller, limit: int | None = None, cursor: str | None = None) -> dict:
        """The arrangement's audit trail from the quote it was made from, oldest first (by ``event_id``: the
        trail is append-only, so the order never changes): at most ``limit`` events (None: all) after the
        ``cursor``'s; ``next_cursor`` continues (None on the last page)."""
        with self.db.reading() as s:
            arr = self._get(s, arrangement_id, caller)
            q = select(Event).where((Event.arrangement_id == arrangement_id)
                                    | and_(Event.quote_id == arr.quote_id, Event.type == "quote_issued"))
            if cursor is not None:
                q = q.where(Event.event_id > cursors.whole(cursors.decode(cursor, "e", arrangement_id)[0]))
            q = q.order_by(Event.event_id)
            rows = s.scalars(q if limit is None else q.limit(limit + 1)).all()
        more = limit is not None and len(rows) > limit
        rows = rows[:limit] if limit is not None else rows
        return {"arrangement_id": arrangement_id, "events": [{
            "event_id": e.event_id, "type": e.type, "at": e.at.isoformat(), "channel": e.channel, "actor": e.actor,
            "principal": e.principal, "request_id": e.request_id, "trace_id": e.trace_id, "quote_id": e.quote_id,
            "instalment_number": e.instalment_number,
            "status_before": e.status_before, "status_after": e.status_after, "detail": e.detail} for e in rows],
            "next_cursor": cursors.encode("e", arrangement_id, rows[-1].event_id) if more else None}

    def _visible_rows(self, caller: Caller, q):
        return q if caller.sees is None else q.where(Arrangement.channel.in_(sorted(caller.sees)))

    def _read_many(self, s: Session, rows, as_of: dt.date) -> list[dict]:
        """Views of many arrangements in three statements (the rows, their instalments, their payments)."""
        ids = [a.arrangement_id for a in rows]
        if not ids:
            return []
        lines: dict[str, list] = {i: [] for i in ids}
        for line in s.scalars(select(Instalment).where(Instalment.arrangement_id.in_(ids))
                              .order_by(Instalment.arrangement_id, Instalment.number)):
            lines[line.arrangement_id].append(line)
        pays: dict[str, list] = {i: [] for i in ids}
        for p in s.scalars(select(Payment).where(Payment.arrangement_id.in_(ids))):
            pays[p.arrangement_id].append(p)
        return [self._view(a, lines[a.arrangement_id], pays[a.arrangement_id], as_of) for a in rows]

    def account(self, account_id: str, caller: Caller, as_of: dt.date | None = None, limit: int = PAGE,
                before: str | None = None, cursor: str | None = None) -> dict:
        """A page of an account's arrangements in the caller's view, newest first (by creation, then id: a stable
        order): at most ``limit``, those after the ``cursor``'s (or, deprecated, made before the arrangement
        ``before`` names); ``next_cursor`` (and ``next_before``) continue, None on the last page. Three
        statements on an index, whatever the account's history."""
        as_of = as_of or self.clock().date()
        with self.db.reading() as s:
            q = self._visible_rows(caller, select(Arrangement).where(Arrangement.account_id == account_id))
            mark: tuple[dt.datetime, str] | None = None
            if cursor is not None:
                at, aid = cursors.decode(cursor, "a", account_id, 2)
                mark = cursors.instant(at), cursors.text(aid)
            elif before is not None:
                row = s.get(Arrangement, before)
                if row is None or row.account_id != account_id or not caller.can_see(row.channel):
                    raise RecordError(404, "unknown_arrangement", "before", "No arrangement with this id here.")
                mark = row.created_at, row.arrangement_id
            if mark is not None:
                q = q.where(or_(Arrangement.created_at < mark[0],
                                and_(Arrangement.created_at == mark[0], Arrangement.arrangement_id < mark[1])))
            rows = s.scalars(q.order_by(Arrangement.created_at.desc(), Arrangement.arrangement_id.desc())
                             .limit(limit + 1)).all()
            more = len(rows) > limit
            rows = rows[:limit]
            out = self._read_many(s, rows, as_of)
        last = rows[-1] if more else None
        return {"account_id": account_id, "arrangements": out,
                "next_cursor": cursors.encode("a", account_id, cursors.stamp(last.created_at), last.arrangement_id)
                if last else None,
                "next_before": last.arrangement_id if last else None}

    def plans_of(self, account_id: str, caller: Caller, actor: str) -> tuple[dict | None, dict | None]:
        """``(live, booked)``: the account's live arrangement in the caller's view, and the newest one made from
        a quote ``actor`` issued (a borrower page's invitation books one plan). Two indexed statements."""
        today = self.clock().date()
        with self.db.reading() as s:
            base = self._visible_rows(caller, select(Arrangement).where(Arrangement.account_id == account_id))
            newest = (Arrangement.created_at.desc(), Arrangement.arrangement_id.desc())
            live = s.scalars(base.where(Arrangement.status.in_(LIVE_STATUSES)).order_by(*newest).limit(1)).first()
            booked = s.scalars(base.join(Event, and_(Event.quote_id == Arrangement.quote_id,
                                                     Event.type == "quote_issued", Event.actor == actor))
                               .order_by(*newest).limit(1)).first()
            return (self._read(s, live, today) if live else None), (self._read(s, booked, today) if booked else None)

    # ------------------------------------------------------------------ the console's reads
    def last_quote(self, account_id: str, caller: Caller) -> dict | None:
        """The account's newest stored quote (or what-if) in the caller's view: ``quote_id``, ``request`` (the
        account and finances as last given, a what-if's proposal left out), ``created_at``; None when the
        account was never quoted. One statement on the quotes' account index."""
        with self.db.reading() as s:
            q = select(Quote).where(Quote.account_id == account_id)
            if caller.sees is not None:
                q = q.where(Quote.channel.in_(sorted(caller.sees)))
            row = s.scalars(q.order_by(Quote.created_at.desc(), Quote.quote_id.desc()).limit(1)).first()
        if row is None:
            return None
        request = {k: v for k, v in row.request.items() if k != "proposal"}
        return {"quote_id": row.quote_id, "request": request, "created_at": row.created_at.isoformat()}

    def stored_quote(self, quote_id: str, caller: Caller) -> dict:
        """A stored quote or what-if with the request it answered: ``request``, ``response``, ``account_id``,
        ``created_at``, ``expires_at``; 404 ``unknown_quote`` for one the caller does not see."""
        with self.db.reading() as s:
            row = s.get(Quote, quote_id)
        if row is None or not caller.can_see(row.channel):
            raise RecordError(404, "unknown_quote", "quote_id", "No quote with this id.")
        return {"quote_id": row.quote_id, "request": row.request, "response": row.response,
                "account_id": row.account_id, "created_at": row.created_at.isoformat(),
                "expires_at": row.expires_at.isoformat()}

    def pending(self, caller: Caller, limit: int = PAGE) -> list[dict]:
        """Arrangements waiting for a supervisor's decision in the caller's view, the longest waiting first
        (the supervisors' queue): at most ``limit``."""
        with self.db.reading() as s:
            q = self._visible_rows(caller, select(Arrangement).where(Arrangement.status == "pending_approval"))
            rows = s.scalars(q.order_by(Arrangement.created_at, Arrangement.arrangement_id).limit(limit)).all()
            return self._read_many(s, rows, self.clock().date())

    # ------------------------------------------------------------------ nightly jobs
    def review(self, as_of: dt.date, principal: str = "system:review") -> dict:
        """Move active arrangements to ``completed`` or ``broken`` as of ``as_of``, set-wise, in one transaction.

        The rules are :func:`negotiator.engine.arrangements.status_as_of`'s, stated
        in SQL: payments made by ``as_of`` cover instalments oldest first; an
        instalment is missed when its grace has ended and the payments do
        not reach its cumulative amount due. Newly missed instalments get an
        ``instalment_missed`` event each (once). Each step is one statement
        over every arrangement; intermediate sets live in temporary tables.
        Its events are the ``system`` channel's, actor ``review``; ``principal``
        is who ran it (the command line's ``cli:<user>``).
        """
        now = self.clock()
        if as_of > now.date() + TOLERANCE or as_of < now.date() - dt.timedelta(days=self.as_of_days):
            # A review in the future would break every active plan for good.
            raise ValidationError([FieldError("as_of", f"Must be today ({now.date().isoformat()}), or a day "
                                                       f"before it within {self.as_of_days} days.")])
        md = MetaData()
        paid_t = Table("review_paid", md, Column("arrangement_id", String(40), primary_key=True),
                       Column("paid", BigInteger), prefixes=["TEMPORARY"])
        missed_t = Table("review_missed", md, Column("arrangement_id", String(40)), Column("number", Integer),
                         Column("account_id", String(64)), prefixes=["TEMPORARY"])
        moves_t = Table("review_moves", md, Column("arrangement_id", String(40), primary_key=True),
                        Column("account_id", String(64)), Column("status", String(20)), prefixes=["TEMPORARY"])
        active = Arrangement.status == "active"
        paid_amt = func.coalesce(paid_t.c.paid, 0)
        cols = ["type", "at", "channel", "actor", "principal", "account_id", "arrangement_id", "instalment_number",
                "status_before", "status_after"]
        at = literal(now, Event.at.type)
        with self.db.transaction() as s:
            conn = s.connection()
            md.drop_all(conn, checkfirst=True)
            md.create_all(conn)
            conn.execute(insert(paid_t).from_select(["arrangement_id", "paid"], select(
                Payment.arrangement_id, func.sum(Payment.amount)).join(
                Arrangement, Arrangement.arrangement_id == Payment.arrangement_id).where(
                active, Payment.paid_on <= as_of).group_by(Payment.arrangement_id)))
            conn.execute(insert(missed_t).from_select(["arrangement_id", "number", "account_id"], select(
                Instalment.arrangement_id, Instalment.number, Arrangement.account_id)
                .join(Arrangement, Arrangement.arrangement_id == Instalment.arrangement_id)
                .outerjoin(paid_t, paid_t.c.arrangement_id == Instalment.arrangement_id)
                .where(active, Instalment.grace_ends < as_of, Instalment.cum_due > paid_amt)))
            n_missed = conn.execute(insert(Event).from_select(cols, select(
                literal("instalment_missed"), at, literal("system"), literal("review"), literal(principal),
                missed_t.c.account_id,
                missed_t.c.arrangement_id, missed_t.c.number, literal("active"), literal("active"))
                .where(~select(Event.event_id).where(
                    Event.arrangement_id == missed_t.c.arrangement_id, Event.type == "instalment_missed",
                    Event.instalment_number == missed_t.c.number).exists()))).rowcount
            conn.execute(insert(moves_t).from_select(["arrangement_id", "account_id", "status"], select(
                Arrangement.arrangement_id, Arrangement.account_id, literal("completed"))
                .join(paid_t, paid_t.c.arrangement_id == Arrangement.arrangement_id)
                .where(active, paid_t.c.paid >= Arrangement.total_payable)))
            counts = (select(missed_t.c.arrangement_id, func.count().label("n"))
                      .group_by(missed_t.c.arrangement_id).subquery("counts"))
            conn.execute(insert(moves_t).from_select(["arrangement_id", "account_id", "status"], select(
                Arrangement.arrangement_id, Arrangement.account_id, literal("broken"))
                .join(counts, counts.c.arrangement_id == Arrangement.arrangement_id)
                .outerjoin(paid_t, paid_t.c.arrangement_id == Arrangement.arrangement_id)
                .where(active, paid_amt < Arrangement.total_payable, counts.c.n > Arrangement.missed_allowed)))
            conn.execute(insert(Event).from_select(cols, select(
                moves_t.c.status, at, literal("system"), literal("review"), literal(principal), moves_t.c.account_id,
                moves_t.c.arrangement_id, literal(None, Integer()), literal("active"), moves_t.c.status)
                .order_by(moves_t.c.arrangement_id)))
            moved = {}
            for status in ("completed", "broken"):
                moved[status] = conn.execute(update(Arrangement).where(Arrangement.arrangement_id.in_(
                    select(moves_t.c.arrangement_id).where(moves_t.c.status == status)))
                    .values(status=status, updated_at=now).execution_options(synchronize_session=False)).rowcount
            md.drop_all(conn)
            still = conn.execute(select(func.count()).select_from(Arrangement).where(active)).scalar_one()
        return {"as_of": as_of.isoformat(), "completed": moved["completed"], "broken": moved["broken"],
                "instalments_missed": n_missed, "still_active": still}

    def retain(self, days: int, per_account: int) -> dict:
        """The quote retention policy, one transaction: quotes never accepted are deleted ``days`` after they
        expired, and beyond the newest ``per_account`` of an account (a client quoting in a loop keeps no more).
        Arrangements, their quotes and every event (``quote_issued`` included: the lender's record) stay."""
        now = self.clock()
        unaccepted = ~Quote.quote_id.in_(select(Arrangement.quote_id))
        with self.db.transaction() as s:
            expired = cast(CursorResult, s.execute(delete(Quote).where(
                Quote.expires_at < now - dt.timedelta(days=days), unaccepted)
                .execution_options(synchronize_session=False))).rowcount
            ranked = select(Quote.quote_id, func.row_number().over(
                partition_by=Quote.account_id, order_by=(Quote.created_at.desc(), Quote.quote_id.desc()))
                .label("n")).where(Quote.account_id.is_not(None), unaccepted).subquery()
            over = cast(CursorResult, s.execute(delete(Quote).where(Quote.quote_id.in_(
                select(ranked.c.quote_id).where(ranked.c.n > per_account)))
                .execution_options(synchronize_session=False))).rowcount
        return {"expired": expired, "over_quota": over}

    def purge(self, before: dt.date) -> int:
        """Delete quotes that expired before ``before`` and were never accepted; arrangements and events stay."""
        cutoff = dt.datetime.combine(before, dt.time(), dt.UTC)
        with self.db.transaction() as s:
            return cast(CursorResult, s.execute(delete(Quote).where(Quote.expires_at < cutoff, ~Quote.quote_id.in_(
                select(Arrangement.quote_id))).execution_options(synchronize_session=False))).rowcount
