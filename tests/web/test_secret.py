"""The pages' secret: configured in production; in development mode kept in the data folder (mode 0600), so
invitations outlive a restart."""

from __future__ import annotations

import logging
import os
import stat
import threading

from service.conftest import KEYS

from negotiator.service import Config, create_app
from negotiator.web import DEV_SECRET_FILE, dev_secret

from .conftest import SECRET
from .pages import ACCOUNT

DEV = {"X-API-Key": "dev-agent-key"}


def _dev_app(folder):
    return create_app(Config(dev=True, data_dir=str(folder), store=False))


def _invite(client) -> str:
    r = client.post("/v1/invitations", json={"account": ACCOUNT}, headers=DEV)
    assert r.status_code == 201
    return "/portal/" + r.get_json()["url"].rsplit("/portal/", 1)[1]


def test_development_invitations_outlive_a_restart(tmp_path):
    old = os.umask(0)          # a permissive umask: the file is still the owner's alone
    try:
        link = _invite(_dev_app(tmp_path).test_client())
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / DEV_SECRET_FILE).stat().st_mode)
    assert mode == 0o600
    restarted = _dev_app(tmp_path).test_client()
    assert restarted.get(link).status_code == 200                     # the same secret after the restart
    elsewhere = _dev_app(tmp_path / "other").test_client()
    assert elsewhere.get(link).status_code == 400                     # another folder, another secret


def test_production_needs_the_configured_secret_and_writes_nothing(tmp_path):
    off = create_app(Config(api_keys=KEYS, data_dir=str(tmp_path), store=False))
    assert off.extensions["negotiator"]["secret"] is None
    on = create_app(Config(api_keys=KEYS, data_dir=str(tmp_path), store=False, secret_key=SECRET,
                           public_url="https://portal.example.com"))
    assert on.extensions["negotiator"]["secret"] == SECRET
    dev = create_app(Config(dev=True, data_dir=str(tmp_path), store=False, secret_key=SECRET))
    assert dev.extensions["negotiator"]["secret"] == SECRET               # configured wins in development too
    assert list(tmp_path.iterdir()) == []


def test_workers_starting_together_agree(tmp_path):
    got = []
    threads = [threading.Thread(target=lambda: got.append(dev_secret(tmp_path))) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(got) == 8 and len(set(got)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [DEV_SECRET_FILE]    # no temporary file left


def test_a_file_others_can_read_is_not_used(tmp_path, caplog):
    path = tmp_path / DEV_SECRET_FILE
    path.write_text("x" * 40)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="negotiator.web"):
        first, second = dev_secret(tmp_path), dev_secret(tmp_path)
    assert first != "x" * 40 and first != second and "readable by others" in caplog.text
    assert path.read_text() == "x" * 40                                 # left as it was


def test_a_folder_that_cannot_hold_it_gives_a_secret_for_this_start(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with caplog.at_level(logging.WARNING, logger="negotiator.web"):
        assert len(dev_secret(blocker)) >= 32
    assert "cannot be kept" in caplog.text
