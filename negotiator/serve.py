"""``negotiator serve``: run the HTTP service under gunicorn (or Flask's server with ``--dev``).

With no ``NEGOTIATOR_API_KEYS``/``NEGOTIATOR_API_KEYS_FILE`` set and a
loopback address, the service starts in development mode and says so,
printing the development keys; on any other address it refuses to start
without keys. The configuration is checked, and the app built, before
gunicorn forks, so a bad variable stops the start with its name.
"""

from __future__ import annotations

import ipaddress
import os
import sys

from negotiator.service.config import DEV_KEYS, ConfigError


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def banner(host: str, port: int, dev: bool, workers: int | None) -> str:
    base = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    key = next(k for k, ch in DEV_KEYS.items() if ch == "agent") if dev else "$NEGOTIATOR_KEY"
    lines = [f"negotiator: serving on {base}" + (f" with {workers} worker(s)" if workers else "")]
    if dev:
        lines += ["  DEVELOPMENT MODE: no API keys configured (set NEGOTIATOR_API_KEYS=channel:key,... for real keys).",
                  "  Development keys: " + ", ".join(f"{k} ({ch})" for k, ch in DEV_KEYS.items())]
    if dev:
        lines += [f"  Agent console: {base}/console/?example=1   (development agent; behind a sign-on proxy set "
                  "NEGOTIATOR_CONSOLE_AGENT_HEADER)",
                  f"  Portal invitation: curl -s {base}/v1/invitations -H 'X-API-Key: {key}' -H 'Content-Type: "
                  "application/json' -d @examples/invitation.json"]
    lines += [f"  OpenAPI document: {base}/openapi.yaml   health: {base}/healthz   metrics: {base}/metrics",
              "  Try:",
              f"    curl -s {base}/v1/policies -H 'X-API-Key: {key}'",
              f"    curl -s {base}/v1/quotes -H 'X-API-Key: {key}' -H 'Content-Type: application/json' \\",
              "         -d @examples/requests/card_cny.json",
              "  Stop with Ctrl-C."]
    return "\n".join(lines)


def prepare_environment(args, environ=os.environ) -> tuple[str, int, bool]:
    """Fold the command's options into the ``NEGOTIATOR_*`` environment; decide on development mode."""
    if getattr(args, "host", None):
        environ["NEGOTIATOR_HOST"] = args.host
    if getattr(args, "port", None):
        environ["NEGOTIATOR_PORT"] = str(args.port)
    if getattr(args, "workers", None):
        environ["NEGOTIATOR_WORKERS"] = str(args.workers)
    if getattr(args, "policy_dir", None):
        environ["NEGOTIATOR_POLICY_DIR"] = args.policy_dir
    host = environ.get("NEGOTIATOR_HOST", "127.0.0.1").strip() or "127.0.0.1"
    raw_port = environ.get("NEGOTIATOR_PORT", "8080")
    try:
        port = int(raw_port)
    except ValueError:
        raise ConfigError("NEGOTIATOR_PORT", f"must be a whole number, not {raw_port!r}") from None
    if not 1 <= port <= 65535:
        raise ConfigError("NEGOTIATOR_PORT", "must be between 1 and 65535")
    has_keys = any(environ.get(v, "").strip() for v in ("NEGOTIATOR_API_KEYS", "NEGOTIATOR_API_KEYS_FILE"))
    dev = environ.get("NEGOTIATOR_DEV", "").strip().lower() in ("1", "true", "yes", "on")
    if not has_keys and not dev:
        if not _is_loopback(host):
            raise ConfigError("NEGOTIATOR_API_KEYS", f"no API keys configured; refusing to serve {host} without "
                                                     "keys (development mode is for loopback addresses only)")
        environ["NEGOTIATOR_DEV"] = "1"
        dev = True
    if dev and not _is_loopback(host):
        raise ConfigError("NEGOTIATOR_DEV", f"development mode serves loopback addresses only, not {host}")
    return host, port, dev


def main(args) -> int:
    from negotiator.core.errors import PolicyError
    from negotiator.service import create_app
    try:
        host, port, dev = prepare_environment(args)
        if not getattr(args, "dev", False):
            from negotiator import gunicorn_conf  # noqa: F401 - reads its settings, makes the shared metrics folder
        app = create_app()
    except ConfigError as exc:
        print(f"negotiator: configuration: {exc}", file=sys.stderr)
        return 2
    except PolicyError as exc:
        print(f"negotiator: invalid policy: {exc}", file=sys.stderr)
        return 4
    if getattr(args, "dev", False):
        print(banner(host, port, dev, None), file=sys.stderr, flush=True)
        app.run(host=host, port=port, debug=False, use_reloader=False)
        return 0
    from gunicorn.app.base import BaseApplication

    from negotiator import gunicorn_conf

    class Server(BaseApplication):
        def load_config(self):
            for name in dir(gunicorn_conf):
                if name in self.cfg.settings and name != "wsgi_app":
                    self.cfg.set(name, getattr(gunicorn_conf, name))

        def load(self):
            return app

    server = Server()
    print(banner(host, port, dev, server.cfg.workers), file=sys.stderr, flush=True)
    server.run()
    return 0
