"""The W3C Trace Context ids of the work in hand, as the log lines and the audit events record them.

The ids are those of the OpenTelemetry span current in this thread (the
service's request span, see :mod:`negotiator.service.telemetry`): the trace
id as 32 lowercase hex digits, the span id as 16 (W3C Trace Context,
section 3.2.2.3 and 3.2.2.4). Outside a span both are None, so the command
line and the batch record none.

>>> current_ids()
(None, None)
>>> from opentelemetry.sdk.trace import TracerProvider
>>> with TracerProvider().get_tracer("doc").start_as_current_span("work") as span:
...     trace_id, span_id = current_ids()
>>> trace_id == format(span.get_span_context().trace_id, "032x"), len(trace_id), len(span_id)
(True, 32, 16)
"""

from __future__ import annotations

from opentelemetry import trace


def current_ids() -> tuple[str | None, str | None]:
    """``(trace_id, span_id)`` of the current span in hex, or ``(None, None)`` outside a valid one."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None, None
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


def current_trace_id() -> str | None:
    """The current trace id (a column default of the audit events)."""
    return current_ids()[0]


def current_span_id() -> str | None:
    """The current span id (a column default of the audit events)."""
    return current_ids()[1]
