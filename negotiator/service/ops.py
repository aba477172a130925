"""Operations: ``/healthz`` (alive), ``/readyz`` (policies loaded), ``/metrics`` and the OpenAPI document."""

from __future__ import annotations

import json
import time

from flask import Blueprint, Response, current_app

bp = Blueprint("ops", __name__)


def _state() -> dict:
    return current_app.extensions["negotiator"]


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers."""
    return Response('{"status":"ok"}', mimetype="application/json")


@bp.get("/readyz")
def readyz():
    """Readiness: at least one policy is loaded."""
    n = len(_state()["registry"].names())
    status = 200 if n else 503
    return Response(json.dumps({"status": "ready" if n else "not_ready", "policies": n}), status=status,
                    mimetype="application/json")


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
    from .openapi import to_yaml
    state = _state()
    if "spec_yaml" not in state:
        state["spec_yaml"] = to_yaml(state["spec"])
    return Response(state["spec_yaml"], mimetype="application/yaml")

