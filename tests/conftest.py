"""Shared fixtures: the shipped policies, a valid request body, a quoting helper."""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path

import pytest

from negotiator.engine.quote import quote
from negotiator.policy import PolicyRegistry

ROOT = Path(__file__).resolve().parent.parent


def load_make_portfolio():
    """``examples/make_portfolio.py`` as a module (it is a script, not a package module)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_portfolio", ROOT / "examples" / "make_portfolio.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "examples" / "requests"
TODAY = dt.date(2026, 11, 23)

#: A valid request (the brief's section 4 example, card in CNY) every test may copy.
BASE_BODY = {
    "policy": "default",
    "as_of": "2026-11-23",
    "locale": "en",
    "account": {"currency": "CNY", "balance": "12000.00", "arrears": "1500.00", "fees": "300.00",
                "apr": "0.18", "days_past_due": 45, "product": "credit_card",
                "contractual_payment": "600.00"},
    "finances": {"monthly_income": "8000.00", "monthly_expenses": "5200.00",
                 "other_debt_payments": "500.00", "household_size": 3, "lump_sum_available": "2000.00",
                 "hardship": {"reason": "reduced working hours", "expected_months": 3}},
}

LOAN_BODY = {
    "policy": "default",
    "as_of": "2026-11-23",
    "account": {"currency": "USD", "balance": "8000.00", "arrears": "400.00", "fees": "0",
                "apr": "0.12", "days_past_due": 40, "product": "loan",
                "contractual_payment": "400.00", "remaining_term_months": 24},
    "finances": {"monthly_income": "3000.00", "monthly_expenses": "2500.00"},
}


@pytest.fixture(scope="session")
def spark():
    """A local-mode Spark session (skipped without pyspark or Java), its workers importing this checkout."""
    import shutil
    pytest.importorskip("pyspark", reason="pyspark is not installed (a dev dependency: scripts/test installs it)")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17 (java is not on PATH)")
    import sys
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable   # the workers: this venv
    # ... importing this checkout's negotiator (not the one the venv was installed from, e.g. in a worktree)
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), before) if p)
    from pyspark.sql import SparkSession
    session = (SparkSession.builder.master("local[2]").appName("negotiator-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "97")      # several Arrow batches
               .config("spark.sql.files.maxPartitionBytes", "65536")              # several partitions
               .config("spark.sql.session.timeZone", "UTC")
               .getOrCreate())
    yield session
    session.stop()
    if before is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = before


@pytest.fixture(scope="session")
def registry() -> PolicyRegistry:
    return PolicyRegistry.load()


@pytest.fixture(scope="session")
def default_policy(registry):
    return registry.get("default")


@pytest.fixture
def body() -> dict:
    """A fresh deep copy of :data:`BASE_BODY`, free to mutate."""
    return copy.deepcopy(BASE_BODY)


@pytest.fixture
def loan_body() -> dict:
    return copy.deepcopy(LOAN_BODY)


@pytest.fixture(scope="session")
def quote_of(registry):
    """``quote_of(body, channel="agent")``: the engine's quote of a request body."""
    def _quote(b, channel="agent", reg=None):
        return quote(copy.deepcopy(b), reg or registry, channel=channel, today=TODAY)
    return _quote



_SAVED_ENV: dict = {}


def pytest_configure(config):
    """Every app the tests build uses an embedded SQLite store in a temporary data folder, migrated once.

    Set through ``XDG_DATA_HOME`` (the embedded store's default location)
    before collection (some test modules build their app at import), so
    servers that tests start with every ``NEGOTIATOR_*`` variable removed
    find it too.
    """
    import shutil
    import tempfile

    from negotiator.store import resolve_url, upgrade
    names = ("XDG_DATA_HOME", "NEGOTIATOR_DATA_DIR", "NEGOTIATOR_DATABASE_URL")
    _SAVED_ENV.update({k: os.environ.get(k) for k in names})
    base = tempfile.mkdtemp(prefix="negotiator-tests-")
    config.add_cleanup(lambda: shutil.rmtree(base, ignore_errors=True))
    os.environ["XDG_DATA_HOME"] = base
    os.environ.pop("NEGOTIATOR_DATA_DIR", None)
    os.environ.pop("NEGOTIATOR_DATABASE_URL", None)
    upgrade(resolve_url())


def pytest_unconfigure(config):
    for k, v in _SAVED_ENV.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


# --------------------------------------------------------------------------- real databases (issue 8)
# The store's tests run on SQLite and on a real PostgreSQL 16 that the tests start themselves from the
# `pgserver` wheel (loopback only: a Unix socket in a temporary folder). A machine where PostgreSQL cannot
# start fails these tests loudly; nothing is skipped.

PG_START_SECONDS = 120


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """A PostgreSQL server for the whole session; its base URL (``postgresql+psycopg://...``)."""
    import threading
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # platformdirs warns about XDG_RUNTIME_DIR on import
        import pgserver
    folder = tmp_path_factory.mktemp("pgdata")
    box: dict = {}

    def start():
        try:
            box["server"] = pgserver.get_server(str(folder), cleanup_mode="stop")
        except BaseException as exc:   # reported below
            box["error"] = exc

    t = threading.Thread(target=start, daemon=True)
    t.start()
    t.join(PG_START_SECONDS)
    if "server" not in box:
        pytest.fail(f"PostgreSQL (pgserver) did not start within {PG_START_SECONDS} s: "
                    f"{box.get('error', 'timed out')!r}", pytrace=False)
    server = box["server"]
    yield {"server": server, "socket_dir": str(folder)}
    server.cleanup()


_DB_COUNTER = iter(range(1_000_000))


def _fresh_postgres_url(pg) -> str:
    import sqlalchemy as sa
    name = f"t{os.getpid()}_{next(_DB_COUNTER)}"
    admin = sa.create_engine(f"postgresql+psycopg://postgres@/postgres?host={pg['socket_dir']}",
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return f"postgresql+psycopg://postgres@/{name}?host={pg['socket_dir']}"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """A new, empty database on each backend (never migrated)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return _fresh_postgres_url(request.getfixturevalue("postgres_server"))


@pytest.fixture
def database_url(empty_database_url):
    """A new database on each backend, migrated to head."""
    from negotiator.store import upgrade
    upgrade(empty_database_url)
    return empty_database_url
