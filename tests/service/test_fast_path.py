"""The request path's cheaper parts (issue 22) say what the slower ones said: orjson's text is the standard
library's JSON, the non-finite check still refuses, the access line and the trace ids are the same."""

from __future__ import annotations

import io
import json
import logging
import math
import re

from hypothesis import given
from hypothesis import strategies as st

from negotiator.app.responses import dumps, finite
from negotiator.service import create_app
from negotiator.service.logs import JsonFormatter, access_line
from negotiator.service.metrics import BUCKETS, Metrics

from .conftest import headers, make_config, quote_body

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"

_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text() | \
    st.floats(allow_nan=False, allow_infinity=False)
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner,
                                                                                               max_size=4),
                     max_leaves=30)


@given(_json)
def test_the_answer_text_is_the_standard_librarys_json(value):
    text = dumps(value)
    assert json.loads(text) == json.loads(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


@given(st.recursive(st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=30))
def test_without_floats_the_text_is_byte_for_byte_the_standard_librarys(value):
    assert dumps(value) == json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@given(_json, st.sampled_from([math.nan, math.inf, -math.inf]))
def test_a_non_finite_number_anywhere_is_found(value, bad):
    assert finite(value)
    assert not finite({"x": [value, {"y": bad}]})


def test_a_quote_answer_is_the_standard_librarys_text(client):
    r = client.post("/v1/quotes", json=quote_body(), headers=headers())
    assert r.status_code == 201
    assert r.get_data(as_text=True) == json.dumps(r.get_json(), ensure_ascii=False, separators=(",", ":"))


def test_the_access_line_is_the_one_logger_info_writes():
    logger = logging.getLogger("negotiator.test-access-line")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    try:
        fields = {"request_id": "r1", "method": "POST", "route": "/v1/quotes", "status": 201, "latency_ms": 1.5,
                  "channel": "agent", "principal": None, "policy": "default", "bytes_out": 10, "remote_addr": None}
        access_line(logger, fields)
        logger.info("request", extra=fields)
    finally:
        logger.removeHandler(handler)
    fast, slow = (json.loads(line) for line in stream.getvalue().splitlines())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", fast.pop("ts"))
    slow.pop("ts")
    assert fast == slow == {"level": "info", "logger": "negotiator.test-access-line", "msg": "request",
                            **{k: v for k, v in fields.items() if v is not None}}


def test_with_nothing_recorded_a_refused_request_still_names_the_callers_trace():
    app = create_app(make_config(store=False))
    assert app.extensions["negotiator"]["telemetry"].quiet
    r = app.test_client().post("/v1/quotes", json=quote_body(), headers={"traceparent": f"00-{TRACE}-{PARENT}-01"})
    assert r.status_code == 401
    assert re.fullmatch(rf"00-{TRACE}-(?!{PARENT})[0-9a-f]{{16}}-00", r.headers["traceparent"])


@given(st.lists(st.tuples(st.sampled_from(["/a", "/b"]), st.sampled_from([200, 404]),
                          st.floats(min_value=0, max_value=10)), max_size=40))
def test_the_metrics_count_as_a_plain_tally_would(observations):
    m = Metrics()
    for route, status, seconds in observations:
        m.observe(route, "GET", status, seconds)
    text = m.render()
    for route in ("/a", "/b"):
        for status in (200, 404):
            mine = [s for r, st_, s in observations if (r, st_) == (route, status)]
            labels = f'route="{route}",method="GET",status="{status}"'
            if not mine:
                assert labels not in text
                continue
            assert f"negotiator_http_requests_total{{{labels}}} {len(mine)}\n" in text
            for bound in BUCKETS:
                n = sum(s <= bound for s in mine)
                assert f'negotiator_http_request_duration_seconds_bucket{{{labels},le="{bound}"}} {n}\n' in text


def test_the_gunicorn_worker_freezes_the_masters_objects_before_the_fork():
    import gc

    from gunicorn.config import Config as GunicornConfig

    from negotiator.service.server import Worker

    gc.unfreeze()
    try:
        worker = Worker(0, 0, [], None, 30, GunicornConfig(), logging.getLogger("test-worker"))   # as the master
        worker.tmp.close()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
