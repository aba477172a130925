"""Structured JSON logs: one line per request on ``negotiator.access``, errors on ``negotiator.service``.

Every line written inside a request carries the W3C Trace Context
``trace_id`` and ``span_id`` of the request's span (the ids on the answer's
``traceparent`` and in the audit events it wrote).

An access line holds the request id, method, route (the rule, not the
path), status, latency, channel and policy name, and nothing from the body:
no amounts, no income or expenses, and never a key.

An error line names the exception's class and where it was raised, but
never its message: messages of parsers and converters quote their input
(gunicorn's ``InvalidChunkSize`` holds the raw body, ``int()`` the digits it
refused), and a request body must never reach a log.

>>> body = "balance 12000.00"
>>> try:
...     int(body)
... except ValueError as exc:
...     line = safe_traceback(exc)
>>> "12000" in line, line.splitlines()[-1]
(False, 'ValueError (message withheld)')
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import traceback

import orjson

from negotiator.core.tracing import current_ids

ACCESS_FIELDS = ("request_id", "method", "route", "status", "latency_ms", "channel", "principal", "policy",
                 "bytes_out", "remote_addr")
#: The record's attribute that holds an access line's fields at once (see :func:`access_line`).
FIELDS = "negotiator_fields"


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object a line, with the access fields when present.

    >>> record = logging.LogRecord("negotiator.access", logging.INFO, "", 0, "request", None, None)
    >>> record.created, record.msecs, record.status, record.policy = 1764936000.25, 250.0, 201, None
    >>> JsonFormatter().format(record)
    '{"ts":"2025-12-05T12:00:00.250+00:00","level":"info","logger":"negotiator.access","msg":"request","status":201}'
    """

    _second: tuple[int, str] = (-1, "")

    def _ts(self, record: logging.LogRecord) -> str:
        """``record.created`` as ISO 8601 UTC to the millisecond (the second's text kept from one line to the next).
        """
        second = int(record.created)
        if second != self._second[0]:
            self._second = (second, dt.datetime.fromtimestamp(second, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"))
        return f"{self._second[1]}.{int(record.msecs):03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {"ts": self._ts(record), "level": record.levelname.lower(), "logger": record.name,
                                  "msg": record.getMessage()}
        trace_id, span_id = current_ids()
        if trace_id is not None:
            out["trace_id"], out["span_id"] = trace_id, span_id
        given = record.__dict__
        fields = given.get(FIELDS, given)
        for name in ACCESS_FIELDS:
            value = fields.get(name)
            if value is not None:
                out[name] = value
        if record.exc_info and record.exc_info[1] is not None:
            out["error"] = _name(type(record.exc_info[1]))
            out["traceback"] = safe_traceback(record.exc_info[1])[-4000:]
        try:
            return orjson.dumps(out, default=str).decode()
        except TypeError:   # an integer beyond 64 bits, a key that is not a string
            return json.dumps(out, ensure_ascii=False, default=str, separators=(",", ":"))


def access_line(logger: logging.Logger, fields: dict) -> None:
    """One access line on ``logger`` (``negotiator.access``) with ``fields`` (:data:`ACCESS_FIELDS`), handed to its
    handlers as ``logger.info("request", extra=fields)`` would, without looking up the caller's frame or copying
    the fields onto the record one by one: the line is the same."""
    if logger.isEnabledFor(logging.INFO):
        record = logger.makeRecord(logger.name, logging.INFO, "(access)", 0, "request", (), None)
        record.__dict__[FIELDS] = fields
        logger.handle(record)


def _name(cls: type) -> str:
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def safe_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` (and the exceptions it chains) with frames only: no exception message.

    Frames show file, line, function and the source line, which are the
    program's, not the request's.
    """
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        parts.append(f"Traceback (most recent call last):\n{frames}{_name(type(current))} (message withheld)")
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\n\nwhich was raised while handling:\n\n".join(parts)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    _negotiator: bool   # set on the handlers configure() adds, so it adds them once

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
