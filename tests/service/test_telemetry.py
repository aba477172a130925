"""W3C Trace Context in and out, OpenTelemetry spans (the SDK's in-memory exporter), and the trace id carried
into the log lines and the audit trail (negotiator/service/telemetry.py, negotiator/core/tracing.py)."""

from __future__ import annotations

import re

import pytest
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from negotiator.core.errors import ConfigError
from negotiator.service import create_app
from negotiator.service.telemetry import providers

from .conftest import AGENT_KEY, KEYS, PORTAL_KEY, headers, make_config
from .test_arrangements import at, quote

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"
TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


def spans_of(app) -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    app.extensions["negotiator"]["telemetry"].tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@pytest.fixture
def app(database_url, monkeypatch):
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "parentbased_always_on")   # recorded, though nothing is exported
    app = create_app(make_config(database_url=database_url, api_keys=KEYS, portal_rate_limit="off"))
    at(app, "2026-11-23")
    yield app
    app.extensions["negotiator"]["records"].db.dispose()


def test_a_request_is_a_span_the_child_of_its_traceparent_named_on_the_answer(app):
    exporter = spans_of(app)
    r = app.test_client().get("/v1/policies", headers=headers(
        traceparent=f"00-{TRACE}-{PARENT}-01", tracestate="congo=t61rcWkgMzE"))
    assert r.status_code == 200
    trace_id, span_id = TRACEPARENT.match(r.headers["traceparent"]).groups()
    assert trace_id == TRACE and span_id != PARENT
    assert r.headers["tracestate"] == "congo=t61rcWkgMzE"        # passed on unchanged (W3C Trace Context 3.3)
    (server,) = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.SERVER]
    assert format(server.context.trace_id, "032x") == TRACE
    assert format(server.context.span_id, "016x") == span_id
    assert format(server.parent.span_id, "016x") == PARENT


@pytest.mark.parametrize("sent", [None, "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                                  "garbage", f"00-{TRACE}-{PARENT}-01-extra-"])
def test_a_request_without_a_valid_traceparent_starts_a_trace(app, sent):
    extra = {} if sent is None else {"traceparent": sent}
    r = app.test_client().get("/healthz", headers=extra)
    m = TRACEPARENT.match(r.headers["traceparent"])
    assert m and m.group(1) != "0" * 32 and m.group(1) != TRACE


def test_refused_requests_have_their_span_and_traceparent_too(app):
    r = app.test_client().get("/v1/policies", headers={"traceparent": f"00-{TRACE}-{PARENT}-01"})
    assert r.status_code == 401 and r.headers["traceparent"].startswith(f"00-{TRACE}-")


def test_the_trace_id_reaches_the_log_line_the_statements_and_the_audit_events(app, logs):
    exporter = spans_of(app)
    client = app.test_client()
    q = quote(client)
    sent = f"00-{TRACE}-{PARENT}-01"
    at(client, "2026-11-23")
    body = {"quote_id": q["quote_id"], "option_id": q["options"][0]["option_id"], "accepted_by": "borrower"}
    r = client.post("/v1/arrangements", json=body, headers={"X-API-Key": PORTAL_KEY, "Idempotency-Key": "idem-trace-1",
                                                             "X-Request-ID": "req-trace", "traceparent": sent})
    assert r.status_code == 201, r.json
    _, span_id = TRACEPARENT.match(r.headers["traceparent"]).groups()
    (line,) = [x for x in logs.records("negotiator.access") if x.get("request_id") == "req-trace"]
    assert line["trace_id"] == TRACE and line["span_id"] == span_id
    spans = [s for s in exporter.get_finished_spans() if format(s.context.trace_id, "032x") == TRACE]
    statements = [s for s in spans if s.kind == SpanKind.CLIENT]
    assert statements and all(s.attributes.get("db.system") for s in statements)
    events = client.get(f"/v1/arrangements/{r.json['arrangement_id']}/events", headers=headers(AGENT_KEY)).json
    by_type = {e["type"]: e for e in events["events"]}
    assert by_type["accepted"]["trace_id"] == TRACE and by_type["accepted"]["request_id"] == "req-trace"
    assert re.fullmatch(r"[0-9a-f]{32}", by_type["quote_issued"]["trace_id"])     # the quote's own request
    assert by_type["quote_issued"]["trace_id"] != TRACE


def test_with_nothing_to_export_spans_are_not_recorded_but_the_ids_still_travel(database_url, logs):
    app = create_app(make_config(store=False))
    exporter = spans_of(app)
    r = app.test_client().get("/v1/policies", headers=headers(traceparent=f"00-{TRACE}-{PARENT}-01"))
    trace_id, span_id = TRACEPARENT.match(r.headers["traceparent"]).groups()
    assert trace_id == TRACE and span_id != PARENT and exporter.get_finished_spans() == ()
    (line,) = [x for x in logs.records("negotiator.access") if x.get("route") == "/v1/policies"]
    assert (line["trace_id"], line["span_id"]) == (trace_id, span_id)


def test_otlp_export_is_off_unless_an_endpoint_is_configured():
    assert not providers({}).tracer_provider._active_span_processor._span_processors
    on = providers({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    (processor,) = on.tracer_provider._active_span_processor._span_processors
    assert isinstance(processor, BatchSpanProcessor)
    on.shutdown()


def test_otlp_endpoint_without_the_exporter_names_the_variable(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "opentelemetry.exporter.otlp.proto.http.trace_exporter", None)
    with pytest.raises(ConfigError, match="OTEL_EXPORTER_OTLP_ENDPOINT"):
        providers({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"})
