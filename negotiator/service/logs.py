"""Structured JSON logs: one line per request on ``negotiator.access``, errors on ``negotiator.service``.

An access line holds the request id, method, route (the rule, not the
path), status, latency, channel and policy name, and nothing from the body:
no amounts, no income or expenses, and never a key.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import traceback

ACCESS_FIELDS = ("request_id", "method", "route", "status", "latency_ms", "channel", "policy", "bytes_out",
                 "remote_addr")


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object a line, with the access fields when present."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        for name in ACCESS_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                out[name] = value
        if record.exc_info:
            out["error"] = repr(record.exc_info[1])[:500]
            out["traceback"] = "".join(traceback.format_exception(*record.exc_info))[-4000:]
        return json.dumps(out, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure(level: str) -> None:
    """Send the service's loggers to stderr as JSON lines (once per process)."""
    for name in ("negotiator.access", "negotiator.service"):
        logger = logging.getLogger(name)
        logger.setLevel(level.upper())
        if not any(getattr(h, "_negotiator", False) for h in logger.handlers):
            handler = _StderrHandler()
            handler.setFormatter(JsonFormatter())
            handler._negotiator = True
            logger.addHandler(handler)
        logger.propagate = False
