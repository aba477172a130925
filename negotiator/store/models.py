"""The tables of record: quotes, arrangements, their instalments and payments, events, idempotency keys, the
contact log and the borrowers' contact preferences.

SQLAlchemy 2 typed declarative models. The rules that must hold whatever
code writes the rows live in the database: primary and foreign keys,
uniqueness (one live arrangement per account is a partial unique index,
one payment per reference and arrangement), checks on statuses, channels
and amounts. The events table is append-only: triggers created by the
migration refuse every ``UPDATE`` and ``DELETE`` on it, and so are the contact log and the preferences
(revision 0004): a borrower's preferences change by a new row, the newest in force.

Money is held as integers in the currency's minor units (``BigInteger``),
never as floats; dates are ``Date``; times are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from negotiator.core.tracing import current_span_id, current_trace_id
from negotiator.core.vocabulary import CONTACT_CHANNELS, DIRECTIONS, EVENT_TYPES, OUTCOMES, PERSONS

#: Statuses an arrangement is stored in (``at_risk`` is only ever computed on read).
STORED_STATUSES = ("pending_approval", "active", "broken", "completed", "cancelled", "superseded", "rejected")
#: Statuses in which an arrangement is the account's live one (at most one per account).
LIVE_STATUSES = ("pending_approval", "active")
CHANNELS = ("agent", "portal", "batch", "supervisor")


NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


_LIVE_WHERE = text(_in("status", LIVE_STATUSES))


class UTCDateTime(TypeDecorator):
    """A UTC instant: stored as UTC (naive on SQLite, which keeps no zone), always read back zone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored; use UTC")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict: JSON, dt.datetime: UTCDateTime()}


class Quote(Base):
    """A quote as issued: the inputs the decision used and the answer, in the issuing channel's view."""

    __tablename__ = "quotes"
    quote_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str | None] = mapped_column(String(64), index=True)
    policy_name: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    as_of: Mapped[dt.date] = mapped_column(Date)
    request: Mapped[dict]
    response: Mapped[dict]
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)

    __table_args__ = (CheckConstraint(_in("channel", CHANNELS), name="channel"),
                      CheckConstraint("expires_at >= created_at", name="expiry"))


class Arrangement(Base):
    """An accepted option: the plan the borrower agreed to, with the rules it is kept by."""

    __tablename__ = "arrangements"
    arrangement_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    quote_id: Mapped[str] = mapped_column(ForeignKey("quotes.quote_id"))
    option_id: Mapped[str] = mapped_column(String(64))
    option_type: Mapped[str] = mapped_column(String(32))
    approval: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    accepted_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    digits: Mapped[int] = mapped_column(Integer)
    policy_name: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    first_due: Mapped[dt.date] = mapped_column(Date)
    last_due: Mapped[dt.date] = mapped_column(Date)
    monthly_payment: Mapped[int] = mapped_column(BigInteger)
    total_payable: Mapped[int] = mapped_column(BigInteger)
    paid_total: Mapped[int] = mapped_column(BigInteger, default=0)
    term_months: Mapped[int] = mapped_column(Integer)
    grace_days: Mapped[int] = mapped_column(Integer)
    missed_allowed: Mapped[int] = mapped_column(Integer)
    replaces: Mapped[str | None] = mapped_column(ForeignKey("arrangements.arrangement_id"))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    __table_args__ = (
        CheckConstraint(_in("status", STORED_STATUSES), name="status"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("approval", ("none", "agent", "supervisor")), name="approval"),
        CheckConstraint("total_payable > 0 AND monthly_payment >= 0", name="amounts"),
        CheckConstraint("paid_total >= 0 AND paid_total <= total_payable", name="paid_total"),
        CheckConstraint("grace_days >= 0 AND missed_allowed >= 0 AND term_months >= 1", name="rules"),
        CheckConstraint("first_due <= last_due", name="dates"),
        # One live arrangement per account, whatever writes the row.
        Index("uq_arrangements_live_account", "account_id", unique=True,
              sqlite_where=_LIVE_WHERE, postgresql_where=_LIVE_WHERE),
        Index("ix_arrangements_status_last_due", "status", "last_due"),
        Index("ix_arrangements_account_created", "account_id", "created_at", "arrangement_id"),
    )


class Instalment(Base):
    """One due date of an arrangement; ``cum_due`` is what must be paid by then, in minor units."""

    __tablename__ = "instalments"
    arrangement_id: Mapped[str] = mapped_column(ForeignKey("arrangements.arrangement_id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    due_date: Mapped[dt.date] = mapped_column(Date)
    grace_ends: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    cum_due: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("number >= 1", name="number"),
                      CheckConstraint("amount >= 0 AND cum_due >= amount", name="amounts"),
                      CheckConstraint("grace_ends >= due_date", name="grace"),
                      Index("ix_instalments_grace_ends", "grace_ends"))


class Payment(Base):
    """Money received against an arrangement; a reference counts once per arrangement."""

    __tablename__ = "payments"
    payment_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                            autoincrement=True)
    arrangement_id: Mapped[str] = mapped_column(ForeignKey("arrangements.arrangement_id"))
    reference: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[dt.datetime]

    __table_args__ = (UniqueConstraint("arrangement_id", "reference", name="uq_payments_reference"),
                      CheckConstraint("amount > 0", name="amount"),
                      Index("ix_payments_arrangement_paid_on", "arrangement_id", "paid_on"))


class Event(Base):
    """One line of the audit trail. Never updated, never deleted, never replaced (database triggers refuse all
    three)."""

    __tablename__ = "events"
    event_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                          autoincrement=True)
    type: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime]
    channel: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    #: Who authenticated (``agent:<key id>``, ``console:<agent>``, ``portal:<invitation>``, ``cli:<user>``),
    #: beside the actor a request body names; None on rows written before revision 0002.
    principal: Mapped[str | None] = mapped_column(String(80))
    request_id: Mapped[str | None] = mapped_column(String(128))
    account_id: Mapped[str | None] = mapped_column(String(64))
    quote_id: Mapped[str | None] = mapped_column(String(40))
    arrangement_id: Mapped[str | None] = mapped_column(ForeignKey("arrangements.arrangement_id"), index=True)
    instalment_number: Mapped[int | None] = mapped_column(Integer)
    status_before: Mapped[str | None] = mapped_column(String(20))
    status_after: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[dict | None]
    #: The W3C Trace Context ids of the request that wrote the row (revision 0006): the trace id joins the row to
    #: the request's log line and spans; None outside a request (the command line) and on older rows.
    trace_id: Mapped[str | None] = mapped_column(String(32), default=current_trace_id)
    span_id: Mapped[str | None] = mapped_column(String(16), default=current_span_id)

    __table_args__ = (Index("ix_events_quote_id", "quote_id"),
                      CheckConstraint(_in("type", EVENT_TYPES), name="type"),
                      CheckConstraint(_in("channel", (*CHANNELS, "system")), name="channel"))


class IdempotencyKey(Base):
    """The answer given to an ``Idempotency-Key``, replayed for the same key and body."""

    __tablename__ = "idempotency_keys"
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict]
    created_at: Mapped[dt.datetime]


class Contact(Base):
    """One contact with a borrower or a third party about an account: never updated, never deleted (triggers).

    ``at`` is the UTC instant; ``utc_offset`` the minutes east of UTC the recorder gave it with, so it is read
    back as written."""

    __tablename__ = "contacts"
    contact_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                            autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(64))
    policy_name: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))
    direction: Mapped[str] = mapped_column(String(8))
    at: Mapped[dt.datetime]
    utc_offset: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    person: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[str] = mapped_column(String(16))
    principal: Mapped[str] = mapped_column(String(80))
    request_id: Mapped[str | None] = mapped_column(String(128))
    recorded_at: Mapped[dt.datetime]

    __table_args__ = (CheckConstraint(_in("channel", CONTACT_CHANNELS), name="channel"),
                      CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
                      CheckConstraint(_in("outcome", OUTCOMES), name="outcome"),
                      CheckConstraint(_in("person", PERSONS), name="person"),
                      CheckConstraint(_in("recorded_by", CHANNELS), name="recorded_by"),
                      CheckConstraint("utc_offset BETWEEN -1080 AND 1080", name="utc_offset"),
                      Index("ix_contacts_account_at", "account_id", "at", "contact_id"))


class ContactPreference(Base):
    """What a borrower asked about contact, as of when it was recorded; the account's newest row is in force.

    ``refused``: channels; ``quiet``: ``[{"start": "HH:MM", "end": "HH:MM"}]`` local times not to be contacted;
    ``moratorium``: a breathing space or other moratorium notified and in force."""

    __tablename__ = "contact_preferences"
    preference_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                               autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(64))
    refused: Mapped[list] = mapped_column(JSON)
    quiet: Mapped[list] = mapped_column(JSON)
    preferred: Mapped[str | None] = mapped_column(String(8))
    language: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    moratorium: Mapped[bool] = mapped_column(Boolean)
    recorded_by: Mapped[str] = mapped_column(String(16))
    principal: Mapped[str] = mapped_column(String(80))
    request_id: Mapped[str | None] = mapped_column(String(128))
    recorded_at: Mapped[dt.datetime]

    __table_args__ = (CheckConstraint(_in("recorded_by", CHANNELS), name="recorded_by"),
                      Index("ix_contact_preferences_account", "account_id", "preference_id"))
