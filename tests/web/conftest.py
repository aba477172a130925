"""Fixtures of the pages' tests: a live app (real SQLite store) and Debian's Chromium driven by Playwright.

The browser is pytest-playwright's ``browser`` fixture, launched from the
system's Chromium (Playwright's own browser downloads are not used):
``NEGOTIATOR_CHROMIUM`` names it, else ``chromium`` or ``chromium-browser``
on PATH. Without one every browser test is skipped and the run says so in
one loud line with the command that installs it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from service.conftest import KEYS

from negotiator.service import Config, create_app

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SECRET = "test-secret-0123456789abcdef0123456789abcdef"
AGENT_HEADER = "X-Forwarded-User"
INSTALL = "apt-get install chromium fonts-noto-cjk"
NO_BROWSER = f"BROWSER TESTS SKIPPED: no Chromium found; install it with `{INSTALL}` (or set NEGOTIATOR_CHROMIUM)"
#: Where the step screenshots go: NEGOTIATOR_SCREENSHOTS (the README's are made with docs/screenshots), else a
#: temporary folder.
SHOTS = Path(os.environ.get("NEGOTIATOR_SCREENSHOTS") or tempfile.mkdtemp(prefix="negotiator-shots-"))
DEVICES = {"desktop": {"viewport": {"width": 1280, "height": 900}},
           "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
                     "device_scale_factor": 2}}


def chromium() -> str | None:
    return os.environ.get("NEGOTIATOR_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_terminal_summary(terminalreporter):
    if chromium() is None and any(r.nodeid.startswith("tests/web/test_browser")
                                  for r in terminalreporter.stats.get("skipped", [])):
        terminalreporter.write_line(NO_BROWSER, red=True, bold=True)
    from .pages import STATES
    if STATES:
        terminalreporter.write_line("page states checked (axe-core, human text): " + ", ".join(
            f"{lang} {n}" for lang, n in sorted(STATES.items())))


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright's launch arguments: the system's Chromium, without the sandbox (tests run as root)."""
    exe = chromium()
    if exe is None:
        pytest.skip(NO_BROWSER)
    return {"executable_path": exe, "args": ["--no-sandbox", "--disable-dev-shm-usage"]}


def web_config(**over) -> Config:
    values = {"api_keys": KEYS, "portal_rate_limit": "off", "secret_key": SECRET,
              "console_agent_header": AGENT_HEADER, "trusted_proxies": "127.0.0.1/32, ::1",
              "public_url": "http://localhost"}
    values.update(over)
    return Config(**values)


@pytest.fixture
def web_app(tmp_path):
    """The service with the console (behind a sign-on header) and the portal on, on a fresh SQLite store."""
    from negotiator.store import upgrade
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    upgrade(url)
    return create_app(web_config(database_url=url))


@pytest.fixture
def web_client(web_app):
    return web_app.test_client()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app served on a loopback port by werkzeug in a thread, on its own migrated SQLite store."""
    from werkzeug.serving import make_server

    from negotiator.store import upgrade
    url = f"sqlite:///{tmp_path_factory.mktemp('live-web') / 'store.sqlite3'}"
    upgrade(url)
    from service.conftest import free_port
    port = free_port()
    app = create_app(web_config(database_url=url, public_url=f"http://127.0.0.1:{port}", console_supervisors="sup-1"))
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app}
    finally:
        server.shutdown()
        thread.join(timeout=10)
