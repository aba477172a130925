"""The arrangements the day's follow-up works on (issue 21): every active arrangement, and every broken one that
is still its account's newest (no plan has been made since), each read as of the day with its instalments'
states and the request its quote was made from.

The rules of what is due are :mod:`negotiator.engine.arrangements`'s (the read path the review agrees with);
what becomes a reminder or a follow-up is :mod:`negotiator.app.followups`'s.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from negotiator.store.models import Arrangement, Quote
from negotiator.store.records import Records


def worklist(records: Records, as_of: dt.date, account_id: str | None = None, after: tuple[str, str] | None = None,
             limit: int | None = None) -> list[tuple[dict, dict, dt.date]]:
    """``(arrangement as of the day, its quote's request, the quote's as_of)``, by account and arrangement id;
    one account's only when ``account_id`` is given; those after ``after`` (an ``(account_id,
    arrangement_id)``), at most ``limit``."""
    newer = aliased(Arrangement)
    later = select(newer.arrangement_id).where(and_(newer.account_id == Arrangement.account_id,
                                                    newer.created_at > Arrangement.created_at)).exists()
    with records.db.reading() as s:
        rows = s.scalars(select(Arrangement).where(
            (Arrangement.status == "active") | ((Arrangement.status == "broken") & ~later),
            Arrangement.starts_on <= as_of, *([Arrangement.account_id == account_id] if account_id else []),
            *([or_(Arrangement.account_id > after[0], and_(Arrangement.account_id == after[0],
                                                           Arrangement.arrangement_id > after[1]))] if after else []))
            .order_by(Arrangement.account_id, Arrangement.arrangement_id).limit(limit)).all()
        views = records._read_many(s, rows, as_of)
        quotes = {q.quote_id: (q.request, q.as_of) for q in s.scalars(
            select(Quote).where(Quote.quote_id.in_({a.quote_id for a in rows})))}
    return [(v, *quotes.get(v["quote_id"], ({}, as_of))) for v in views]
