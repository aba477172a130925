"""The use cases the HTTP service and the pages share: the store opened over the engine, a quote issued with the
account's stored history and kept.

The store takes the engine as a callback (``requote``): it never imports it.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app

from negotiator.wire.schemas import MAX_LINES


def open_records(cfg, registry, clock=None):
    """The app's :class:`~negotiator.store.records.Records` on the app's ``clock``, or None when the store is off.

    Refuses (a ``ConfigError`` naming ``NEGOTIATOR_DATABASE_URL``) a database
    whose schema is not at head, saying what to run.
    """
    if not cfg.store:
        return None
    from negotiator.core.errors import ConfigError
    from negotiator.engine.proposals import reissue
    from negotiator.store.db import Database, StoreError, check_at_head, resolve_url
    from negotiator.store.records import Records
    url = resolve_url(cfg.database_url, cfg.data_dir)
    try:
        check_at_head(url)
    except StoreError as exc:
        raise ConfigError("NEGOTIATOR_DATABASE_URL", str(exc)) from None
    return Records(Database.open(url), registry, requote=lambda req, channel: reissue(req, registry, channel),
                   as_of_days=cfg.as_of_days, idempotency_hours=cfg.idempotency_hours,
                   **({"clock": clock} if clock is not None else {}))


def with_stored_history(body):
    """The quote request with the account's stored arrangement dates merged into ``account.history``.

    Only for a well-formed body naming an ``account.account_id`` while the
    store is on; anything else is returned as is (the engine reports bad
    input). Dates the request brings are kept; stored ones are added.
    """
    records = current_app.extensions["negotiator"].get("records")
    account = body.get("account") if isinstance(body, dict) else None
    if records is None or not isinstance(account, dict) or not isinstance(account.get("account_id"), str):
        return body
    history = account.get("history", {})
    if not isinstance(history, dict):
        return body
    try:
        as_of = dt.date.fromisoformat(body["as_of"]) if "as_of" in body else records.clock().date()
    except (TypeError, ValueError):
        return body
    dates, reages, broken = records.history(account["account_id"][:64], as_of)
    return merge_history(body, dates, reages, broken)


def merge_history(body: dict, dates, reages, broken) -> dict:
    """``body`` with stored ``(arrangement_dates, reage_dates, broken_arrangement_dates)`` merged into its
    ``account.history`` (the quotes' path and the follow-ups' re-plans alike). Dates the request brings are kept;
    stored ones are added, the most recent within the request's limit on list lengths.

    >>> merge_history({"account": {}}, [dt.date(2026, 1, 5)], [], [dt.date(2026, 3, 1)])["account"]["history"]
    {'arrangement_dates': ['2026-01-05'], 'broken_arrangement_dates': ['2026-03-01']}
    """
    account = body.get("account")
    if not dates or not isinstance(account, dict):
        return body
    history = account.get("history", {})
    if not isinstance(history, dict):
        return body
    history = dict(history)
    for key, stored in (("arrangement_dates", dates), ("reage_dates", reages), ("broken_arrangement_dates", broken)):
        given = history.get(key)
        if not stored or (given is not None and not (isinstance(given, list)
                                                     and all(isinstance(d, str) for d in given))):
            continue   # nothing to add, or a malformed list the engine will report
        history[key] = sorted({*(given or []), *(d.isoformat() for d in stored)})[-MAX_LINES:]
    return {**body, "account": {**account, "history": history}}
