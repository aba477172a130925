"""Operations: ``/healthz`` (alive), ``/readyz`` (ready to serve), ``/metrics`` and the OpenAPI document.

Liveness (``/healthz``) says only that the worker answers: restart the
process when it fails. Readiness (``/readyz``) says whether a request can be
served now: at least one policy loaded, and the rate-limit store (Redis or
the workers' shared file) answering; a load balancer should stop sending
traffic while it is 503, without restarting anything.
"""

from __future__ import annotations

import json
import time

from flask import Blueprint, Response, current_app, request

bp = Blueprint("ops", __name__)


def _state() -> dict:
    return current_app.extensions["negotiator"]


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers."""
    return Response('{"status":"ok"}', mimetype="application/json")


@bp.get("/readyz")
def readyz():
    """Readiness: what a request needs can be used now: policies loaded, the rate-limit store answering."""
    from negotiator.app.ratelimit import StoreUnavailable

    state = _state()
    n = len(state["registry"].names())
    limiter = state["limiter"]
    store = "off"
    if limiter is not None:
        try:
            limiter.store.ping()
            store = "ok"
        except StoreUnavailable:
            store = "unavailable"
    ready = n > 0 and store != "unavailable"
    body = {"status": "ready" if ready else "not_ready", "policies": n, "rate_limit_store": store}
    return Response(json.dumps(body), status=200 if ready else 503, mimetype="application/json")


@bp.get("/metrics")
def metrics():
    """Prometheus text format: requests and latency per route, method and status."""
    state = _state()
    extra = {"negotiator_policies_loaded": ("Policies loaded by this process.", len(state["registry"].names())),
             "negotiator_uptime_seconds": ("Seconds since the app was created.",
                                           round(time.time() - state["started"], 3))}
    return Response(state["metrics"].render(extra), content_type="text/plain; version=0.0.4; charset=utf-8")


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document."""
    return Response(json.dumps(_state()["spec"], ensure_ascii=False), mimetype="application/json")


@bp.get("/openapi.yaml")
def openapi_yaml():
    """The OpenAPI 3.1 document, as committed in ``api_spec/openapi.yaml``."""
    from negotiator.service.openapi import to_yaml
    state = _state()
    if "spec_yaml" not in state:
        state["spec_yaml"] = to_yaml(state["spec"])
    # RFC 9512's type by default; text/plain for a caller that prefers it (a generator reads text, not YAML).
    best = request.accept_mimetypes.best_match(["application/yaml", "text/plain"], default="application/yaml")
    return Response(state["spec_yaml"], mimetype=best)

