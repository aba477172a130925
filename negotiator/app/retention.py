"""Quote retention that runs itself: the service applies the policy (:meth:`Records.retain
<negotiator.store.records.Records.retain>`) at most once an interval per worker, after a response is sent.

``NEGOTIATOR_QUOTE_RETENTION_DAYS`` (30): quotes never accepted are deleted
that many days after they expired. ``NEGOTIATOR_QUOTES_PER_ACCOUNT`` (100): at
most that many quotes never accepted are kept per account (the newest).
Arrangements, their quotes and every event stay: ``quote_issued`` events are
the lender's record of what was offered (collection records are kept at least
two years; events are never deleted). ``negotiator db purge --before`` remains
for a manual cut. The same run deletes the Idempotency-Keys older than
``NEGOTIATOR_IDEMPOTENCY_HOURS`` (24): they are free again anyway.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("negotiator.service")
#: Seconds between two runs in one worker.
INTERVAL = 3600


class Retention:
    """Runs the policy when it is due; a run in progress elsewhere in this worker is not waited for."""

    def __init__(self, records, days: int, per_account: int, interval: float = INTERVAL, clock=time.monotonic):
        self.records, self.days, self.per_account, self.interval, self.clock = (
            records, days, per_account, interval, clock)
        self.last: float | None = None
        self.lock = threading.Lock()
        self.runs = 0

    def due(self) -> bool:
        return self.records is not None and (self.last is None or self.clock() - self.last >= self.interval)

    def run_if_due(self) -> dict | None:
        if not self.due() or not self.lock.acquire(blocking=False):
            return None
        try:
            if not self.due():
                return None
            self.last = self.clock()
            try:
                result = self.records.retain(self.days, self.per_account)
                forgotten = self.records.forget_keys()   # Idempotency-Keys past NEGOTIATOR_IDEMPOTENCY_HOURS
            except Exception:   # noqa: BLE001 - retention must never fail a request; logged, tried next interval
                log.exception("quote retention failed")
                return None
            self.runs += 1
            if result["expired"] or result["over_quota"] or forgotten:
                log.info("quote retention", extra={**result, "idempotency_keys": forgotten})
            return result
        finally:
            self.lock.release()
