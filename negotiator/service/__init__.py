"""The HTTP service: ``create_app`` builds the Flask app gunicorn serves.

Nothing is built at import time. ``create_app(config=None)`` reads the
configuration (``NEGOTIATOR_*`` environment variables over embedded
defaults, or the :class:`~negotiator.service.config.Config` or mapping
given), loads the policies once, and wires the blueprints: ``quotes``
(``POST /v1/quotes``, ``POST /v1/proposals``), ``policies``
(``GET /v1/policies[/{name}]``), ``arrangements`` (stored quotes,
arrangements, payments, events; see :mod:`.arrangements`), ``contacts`` (the contact log, preferences, the
contact window and the day's follow-ups; see :mod:`.contacts`) and ``ops`` (health, readiness, metrics and
the OpenAPI document).

Each request, in order: a request id (``X-Request-ID`` accepted when sane,
else made, and echoed); for ``/v1`` routes the API key, mapped to its
channel (401 otherwise); the portal rate limit (429 with a truthful ``Retry-After``,
shared by every worker, see :mod:`~negotiator.app.ratelimit`; ``RateLimit`` and
``RateLimit-Policy`` on every answer it counted or refused);
the view; then metrics and one JSON access log line. The whole request is
one OpenTelemetry span, the child of the caller's ``traceparent``, named on
the answer's ``traceparent`` and in its log lines and audit events (see
:mod:`.telemetry`).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Mapping

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface

from negotiator.service.config import Config, ConfigError

__all__ = ["create_app", "Config", "ConfigError"]

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
_ANSWERS = ("application/json", "application/problem+json")
#: Headers a browser's script may read on a cross-origin answer (CORS), besides the safelisted ones.
EXPOSED = ["Location", "Idempotent-Replayed", "ETag", "Link", "Last-Modified", "RateLimit", "RateLimit-Policy",
           "Retry-After",
           "X-Request-ID", "traceparent", "tracestate"]
PROTECTED = {"quotes", "policies", "arrangements", "invitations", "contacts"}


class _Sessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with no signer built for a request that brings no session cookie (every
    API call): an empty session, as Flask's own would give, for a few attribute reads instead of about 20 µs."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def create_app(config: Config | Mapping | None = None) -> Flask:
    """Build the service. ``config`` may be a :class:`Config`, a mapping of its fields, or None (environment)."""
    from flask_cors import CORS

    from negotiator.app import problems
    from negotiator.app.clock import Clock
    from negotiator.app.history import open_records
    from negotiator.app.problems import Problem
    from negotiator.app.query import refuse_unknown
    from negotiator.app.ratelimit import RateLimiter, StoreUnavailable, open_store, retry_after
    from negotiator.policy import PolicyRegistry
    from negotiator.service import logs
    from negotiator.service.arrangements import bp as arrangements_bp
    from negotiator.service.auth import KeyRing, authenticate
    from negotiator.service.compression import compress
    from negotiator.service.contacts import bp as contacts_bp
    from negotiator.service.logs import access_line
    from negotiator.service.metrics import Metrics
    from negotiator.service.openapi import build_spec
    from negotiator.service.ops import bp as ops_bp
    from negotiator.service.policies import bp as policies_bp
    from negotiator.service.quotes import bp as quotes_bp
    from negotiator.service.telemetry import answer_headers, instrument_app, instrument_engine, providers

    if config is None:
        cfg = Config.from_env()
    elif isinstance(config, Config):
        cfg = config.checked()
    else:
        cfg = Config.from_env(**dict(config))
    logs.configure(cfg.log_level)
    registry = PolicyRegistry.load(cfg.policy_dir or None)

    app = Flask(__name__)
    app.session_interface = _Sessions()
    telemetry = providers()
    instrument_app(app, telemetry)   # first: its span begins before the key and rate-limit checks
    # One byte over the limit, so a chunked body (no Content-Length) that is too large is seen to be,
    # rather than cut at the limit by werkzeug's stream.
    app.config.update(MAX_CONTENT_LENGTH=cfg.max_body_bytes + 1, JSON_SORT_KEYS=False)
    limiter = (RateLimiter(cfg.portal_rate_limit, open_store(cfg.rate_limit_storage, cfg.metrics_dir))
               if cfg.rate_limit_enabled else None)
    app.extensions["negotiator"] = state = {
        "config": cfg, "registry": registry, "keys": KeyRing(cfg.keys), "metrics": Metrics(cfg.metrics_dir),
        "spec": build_spec(), "started": time.time(), "limiter": limiter, "clock": Clock(), "telemetry": telemetry,
    }
    state["records"] = records = open_records(cfg, registry, state["clock"])   # None when NEGOTIATOR_STORE=0
    if records is not None:
        instrument_engine(records.db.engine, telemetry)
    from negotiator.app.retention import Retention
    state["retention"] = retention = Retention(state["records"], cfg.quote_retention_days, cfg.quotes_per_account)
    access = logging.getLogger("negotiator.access")
    if cfg.dev:
        logging.getLogger("negotiator.service").warning(
            "development mode: no API keys configured; the development keys are accepted")

    @app.before_request
    def _begin():
        # The request and g behind their proxies, once: each proxied read costs a context lookup.
        req, gg = request._get_current_object(), g._get_current_object()
        gg.t0 = time.perf_counter()
        rid = req.headers.get("X-Request-ID", "")
        gg.request_id = rid if _REQUEST_ID_RE.match(rid) else uuid.uuid4().hex
        gg.channel = gg.key_id = gg.policy = gg.principal = gg.rate_limit = None
        method = req.method
        if req.blueprint in PROTECTED and method != "OPTIONS":
            authenticate(state["keys"])
            if limiter is not None and gg.channel == "portal":
                _limit(limiter, gg.key_id)
            if method in ("GET", "HEAD"):
                refuse_unknown()   # every /v1 read names the query parameters it takes (400 otherwise)
        if method != "OPTIONS" and req.path.startswith("/v1/") and req.accept_mimetypes and \
                not req.accept_mimetypes.best_match(_ANSWERS):
            raise Problem(406, "Not acceptable", "This service answers application/json, and problems as "
                          "application/problem+json; the Accept header allows neither.", "not_acceptable")

    def _limit(limiter: RateLimiter, key_id: str) -> None:
        """One budget per portal key across every /v1 route, shared by every worker using the store."""
        try:
            usage = limiter.take("portal:" + key_id)
        except StoreUnavailable:
            logging.getLogger("negotiator.service").error("rate-limit store unavailable")
            raise Problem(503, "Service Unavailable", "The service cannot check its rate limit now; try later.",
                          "rate_limit_unavailable") from None
        g.rate_limit = limiter.headers(usage)   # RateLimit and RateLimit-Policy, on this answer whatever it is
        if usage.wait > 0:
            wait = retry_after(usage.wait)
            raise Problem(429, "Too Many Requests", f"Too many requests for this key ({limiter.text}); "
                          f"retry after {wait} s.", "rate_limited", headers={"Retry-After": str(wait)})

    app.register_blueprint(quotes_bp)
    app.register_blueprint(policies_bp)
    app.register_blueprint(arrangements_bp)
    app.register_blueprint(contacts_bp)
    app.register_blueprint(ops_bp)
    from negotiator.web import register as register_pages
    register_pages(app)   # the console, the portal and POST /v1/invitations (negotiator.web)
    if cfg.origins:
        CORS(app, resources={r"/v1/*": {"origins": cfg.origins}}, allow_headers=["Content-Type", "X-API-Key",
             "Authorization", "X-Request-ID", "Idempotency-Key", "If-Match", "If-None-Match", "traceparent",
             "tracestate"], expose_headers=EXPOSED, max_age=600, methods=["GET", "POST", "OPTIONS"], vary_header=True)
    problems.register(app)

    @app.after_request
    def _finish(resp):
        req, gg = request._get_current_object(), g._get_current_object()
        rid = gg.get("request_id") or uuid.uuid4().hex
        headers = resp.headers
        if req.method == "OPTIONS" and resp.status_code == 200 and not resp.get_data():
            # Flask's automatic OPTIONS answer (and a CORS preflight): no body, so no text/html type either.
            resp.status_code = 204
            headers.pop("Content-Type", None)
            headers.pop("Content-Length", None)
        headers["X-Request-ID"] = rid
        answer_headers(headers)   # traceparent: the request's span, the child of the caller's
        rate_limit = gg.get("rate_limit")
        if rate_limit:
            headers.update(rate_limit)
        if retention.due():
            resp.call_on_close(retention.run_if_due)   # after the answer is sent, at most once an hour
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if req.path.startswith("/v1/"):
            headers.setdefault("Cache-Control", "no-store")
            if cfg.origins:
                resp.vary.add("Origin")   # the CORS headers depend on it, on every answer, allowed or not
        if cfg.hsts_seconds:
            headers.setdefault("Strict-Transport-Security", f"max-age={cfg.hsts_seconds}")
        rule = req.url_rule
        route = rule.rule if rule is not None else "(unmatched)"
        compress(resp, req.accept_encodings, rule.rule if rule is not None else "")
        now = time.perf_counter()
        latency = now - gg.get("t0", now)
        method = req.method if req.method in _METHODS else "OTHER"
        state["metrics"].observe(route, method, resp.status_code, latency)
        access_line(access, {
            "request_id": rid, "method": method, "route": route, "status": resp.status_code,
            "latency_ms": round(latency * 1000, 3), "channel": gg.get("channel"), "principal": gg.get("principal"),
            "policy": gg.get("policy"),
            "bytes_out": resp.calculate_content_length(), "remote_addr": req.remote_addr})
        return resp

    return app
