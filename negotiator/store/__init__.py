"""The system of record: stored quotes, arrangements, payments and the audit trail.

:mod:`.db` owns the engine, sessions and migrations; :mod:`.models` holds
the tables; :mod:`.records` the operations on them (one transaction each).
"""

from negotiator.store.db import Database, StoreError, check_at_head, resolve_url, upgrade

__all__ = ["Database", "StoreError", "check_at_head", "resolve_url", "upgrade"]
