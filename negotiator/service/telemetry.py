"""Tracing and metrics through OpenTelemetry: W3C Trace Context in and out, a span per request and per statement.

Each app has its own tracer and meter providers (the OpenTelemetry SDK's),
so two apps in one process (the tests) never share a span processor:

- the Flask instrumentation starts a server span for every request, the
  child of the request's ``traceparent`` (and ``tracestate``) when it
  carries a valid one (W3C Trace Context, section 4.3: an invalid one is
  ignored and a new trace started), and records the request's duration;
- the SQLAlchemy instrumentation adds a span for every statement the store's
  engine runs through SQLAlchemy (the quote path's two plain statements on
  the driver's connection are not seen: they are kept cheap on purpose);
- every answer carries a ``traceparent`` naming the request's span
  (:func:`answer_headers`), and the log lines and audit events written
  meanwhile carry its trace and span ids (:mod:`negotiator.core.tracing`).

Nothing leaves the process unless an OTLP endpoint is configured, by the
OpenTelemetry variables ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` / ``..._METRICS_ENDPOINT``): then
spans go out in batches and metrics every minute, over OTLP/HTTP (the
``otlp`` extra, ``opentelemetry-exporter-otlp-proto-http``). With a traces
endpoint the sampler is the SDK's (``OTEL_TRACES_SAMPLER``, by default the
parent's decision, else every trace); without one spans are not recorded
(the ids are still made, passed on and logged) unless ``OTEL_TRACES_SAMPLER``
asks for it, and with no metrics endpoint no metric is kept.
``OTEL_SERVICE_NAME`` names the service (``negotiator``).

When nothing would be kept (no endpoint, no ``OTEL_TRACES_SAMPLER``: spans
not recorded, no metric kept), the request's span is made by a few lines
wrapped around the WSGI app instead of the Flask instrumentation, and the
statements are not instrumented: the same ids, made the same way by the
same tracer (a child of a valid ``traceparent``, else a new trace), current
for the whole request, at about a tenth of the instrumentation's cost, which
gathers every request's attributes and durations for a span and a meter
that drop them (about 0.1 ms a request, issue 22).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask
from opentelemetry import context, trace
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.propagators.textmap import DefaultSetter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from negotiator.core.errors import ConfigError

_PROPAGATOR = TraceContextTextMapPropagator()
_SETTER = DefaultSetter()


@dataclass
class Telemetry:
    """An app's providers; tests add a span processor (the SDK's in-memory exporter) to ``tracer_provider``."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider | NoOpMeterProvider
    #: Nothing is recorded (no endpoint, no OTEL_TRACES_SAMPLER): spans carry ids only, no metric is kept.
    quiet: bool = False

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        if isinstance(self.meter_provider, MeterProvider):
            self.meter_provider.shutdown()


def _endpoint(environ: Mapping[str, str], signal: str) -> str:
    return environ.get(f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "")


def providers(environ: Mapping[str, str] | None = None) -> Telemetry:
    """The tracer and meter providers, with OTLP exporters only where an endpoint is configured."""
    environ = os.environ if environ is None else environ
    resource = Resource.create({"service.name": environ.get("OTEL_SERVICE_NAME") or "negotiator"})
    traces, metrics = _endpoint(environ, "TRACES"), _endpoint(environ, "METRICS")
    # Spans nobody exports are not recorded (their ids are still made and passed on): a recorded span's
    # attributes cost about 0.2 ms a request. OTEL_TRACES_SAMPLER, when set, decides instead (as the SDK reads it).
    sampler = None if traces or "OTEL_TRACES_SAMPLER" in environ else ALWAYS_OFF
    tracer_provider = TracerProvider(resource=resource, sampler=sampler)
    readers: list = []
    if traces or metrics:
        try:
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            raise ConfigError("OTEL_EXPORTER_OTLP_ENDPOINT", "needs the OTLP exporter: pip install "
                              "'negotiator[otlp]' (opentelemetry-exporter-otlp-proto-http)") from None
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        if traces:
            tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        if metrics:
            readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    meter_provider = MeterProvider(metric_readers=readers, resource=resource) if readers else NoOpMeterProvider()
    return Telemetry(tracer_provider, meter_provider, quiet=sampler is ALWAYS_OFF and not readers)


def instrument_app(app: Flask, telemetry: Telemetry) -> None:
    """A server span (and the duration metrics) for every request; call before the app's own hooks are added,
    so that a request refused by them (401, 429) has its span too."""
    if telemetry.quiet:
        _trace_ids_only(app, telemetry.tracer_provider)
        return
    from opentelemetry.instrumentation.flask import FlaskInstrumentor

    FlaskInstrumentor.instrument_app(app, tracer_provider=telemetry.tracer_provider,
                                     meter_provider=telemetry.meter_provider, enable_commenter=False)


def _trace_ids_only(app: Flask, tracer_provider: TracerProvider) -> None:
    """The request's span, not recorded, current from the first hook to the last: its ids on the answer's
    ``traceparent``, the log lines and the audit events, as the instrumentation would make them."""
    from opentelemetry.instrumentation.wsgi import wsgi_getter
    from opentelemetry.trace import SpanKind

    tracer = tracer_provider.get_tracer("negotiator.service")
    inner = app.wsgi_app

    def traced(environ, start_response):
        parent = _PROPAGATOR.extract(environ, getter=wsgi_getter)
        span = tracer.start_span(environ.get("REQUEST_METHOD", "HTTP"), parent, kind=SpanKind.SERVER)
        token = context.attach(trace.set_span_in_context(span, parent))
        try:
            return inner(environ, start_response)
        finally:
            context.detach(token)
            span.end()

    app.wsgi_app = traced  # type: ignore[method-assign]


def instrument_engine(engine, telemetry: Telemetry) -> None:
    """A span for every statement ``engine`` runs through SQLAlchemy, and its connections counted.

    The instrumentor's engine tracer is used directly: ``SQLAlchemyInstrumentor().instrument()`` would also
    wrap SQLAlchemy's ``create_engine`` for the whole process, once, with the first app's providers.
    Nothing is done when nothing would be recorded (``telemetry.quiet``): the spans would be dropped.
    """
    if telemetry.quiet:
        return
    from opentelemetry.instrumentation.sqlalchemy import __version__
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.semconv.metrics import MetricInstruments

    name = "opentelemetry.instrumentation.sqlalchemy"
    tracer = telemetry.tracer_provider.get_tracer(name, __version__)
    usage = telemetry.meter_provider.get_meter(name, __version__).create_up_down_counter(
        name=MetricInstruments.DB_CLIENT_CONNECTIONS_USAGE, unit="connections",
        description="The number of connections that are currently in state described by the state attribute.")
    EngineTracer(tracer, engine, usage)


def answer_headers(headers) -> None:
    """``traceparent`` (and ``tracestate`` when there is one) of the current span, set on an answer's headers."""
    _PROPAGATOR.inject(headers, setter=_SETTER)
