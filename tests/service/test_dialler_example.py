"""examples/dialler.py against the service: it asks before each call and stops where the rule says (issue 21)."""

from __future__ import annotations

import subprocess
import sys
import threading

from werkzeug.serving import make_server

from negotiator.service import create_app

from .conftest import AGENT_KEY, KEYS, ROOT, make_config


def test_the_dialler_asks_before_each_call_and_the_eighth_is_refused(tmp_path):
    from negotiator.store import upgrade
    url = f"sqlite:///{tmp_path / 'dial.sqlite3'}"
    upgrade(url)
    app = create_app(make_config(database_url=url, api_keys=KEYS, portal_rate_limit="off"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        run = subprocess.run([sys.executable, str(ROOT / "examples" / "dialler.py"), "--url", base, "--key",
                              AGENT_KEY, "demo"], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.count("recorded") == 7 and "[call_limit]" in run.stdout
        assert "7 calls made; the 8th was refused" in run.stdout
        work = subprocess.run([sys.executable, str(ROOT / "examples" / "dialler.py"), "--url", base, "--key",
                               AGENT_KEY, "follow-ups"], capture_output=True, text=True, timeout=120)
        assert work.returncode == 0 and "0 items" in work.stdout, work.stdout + work.stderr
    finally:
        server.shutdown()
        app.extensions["negotiator"]["records"].db.dispose()
