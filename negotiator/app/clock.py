"""The server's time: every date the service acts on is read here, never taken from a request.

One :class:`Clock` per app (``app.extensions["negotiator"]["clock"]``), shared
with the store (:class:`~negotiator.store.records.Records` reads it for
``now``). In production it is the machine's UTC time; tests fix it with
:meth:`Clock.set`. No setting or request can move it.

>>> c = Clock()
>>> c.set(dt.date(2026, 11, 23)); c().isoformat(), c.today().isoformat()
('2026-11-23T12:00:00+00:00', '2026-11-23')
"""

from __future__ import annotations

import datetime as dt


class Clock:
    """UTC now, or the time a test fixed."""

    def __init__(self) -> None:
        self._fixed: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        return self._fixed or dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return self().date()

    def set(self, when: dt.datetime | dt.date | None) -> None:
        """Fix the time (a date is its noon, UTC); None lets it run again. For tests."""
        if isinstance(when, dt.date) and not isinstance(when, dt.datetime):
            when = dt.datetime.combine(when, dt.time(12), dt.UTC)
        self._fixed = when
