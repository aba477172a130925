"""The one owner of the database engine, its sessions and its migrations.

The database is chosen by ``NEGOTIATOR_DATABASE_URL`` (any SQLAlchemy URL;
PostgreSQL as ``postgresql+psycopg://user:pass@host/db``). Without one, the
embedded default is a SQLite file ``negotiator.sqlite3`` in the data folder
(``NEGOTIATOR_DATA_DIR``, else ``$XDG_DATA_HOME/negotiator``, else
``~/.local/share/negotiator``), in WAL mode so readers never wait for the
writer.

SQLite transactions start with ``BEGIN IMMEDIATE``: a writer takes the
write lock when its transaction begins, so two requests cannot both read
"no live arrangement" and then both write one; others wait (up to the busy
timeout) instead of failing. PostgreSQL relies on its constraints and row
locks for the same guarantee.

Migrations are Alembic's, shipped in :mod:`negotiator.store.migrations`;
:func:`upgrade` brings a database to head, :func:`revision_status` says
where it is.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from negotiator.core.errors import StoreError

__all__ = ["Database", "StoreError", "check_at_head", "resolve_url", "upgrade", "revision_status"]

SQLITE_FILE = "negotiator.sqlite3"
BUSY_TIMEOUT_S = 30
MIGRATIONS = Path(__file__).with_name("migrations")


def default_data_dir(environ=None) -> Path:
    environ = os.environ if environ is None else environ
    if environ.get("NEGOTIATOR_DATA_DIR", "").strip():
        return Path(environ["NEGOTIATOR_DATA_DIR"].strip())
    base = environ.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return Path(base) / "negotiator"


def resolve_url(database_url: str = "", data_dir: str = "", environ=None) -> str:
    """The SQLAlchemy URL to use: ``database_url`` when given, else the embedded SQLite file.

    >>> resolve_url("", "/srv/negotiator")
    'sqlite:////srv/negotiator/negotiator.sqlite3'
    >>> resolve_url("postgresql+psycopg://u:p@127.0.0.1/neg")
    'postgresql+psycopg://u:p@127.0.0.1/neg'
    """
    if database_url.strip():
        url = database_url.strip()
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StoreError("NEGOTIATOR_DATABASE_URL: not a database URL "
                             "(e.g. postgresql+psycopg://user:password@host/db or sqlite:////path/file)") from None
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise StoreError(f"NEGOTIATOR_DATABASE_URL: {parsed.get_backend_name()} is not supported; "
                             "use sqlite or postgresql+psycopg")
        return url
    folder = Path(data_dir) if data_dir.strip() else default_data_dir(environ)
    return f"sqlite:///{(folder / SQLITE_FILE).absolute()}"


def _private_file(path: Path) -> None:
    """Make the SQLite file (and its folder) readable by its owner alone, before SQLite opens it: SQLite makes
    its -wal and -shm files with the database's mode, so the records never sit in a world-readable 0644 file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, pool_size: int = 5) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created, WAL and foreign keys switched on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
                               pool_size=pool_size, max_overflow=20, pool_timeout=BUSY_TIMEOUT_S)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None      # let BEGIN below start every transaction
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # Readers (Database.reading) never take the write lock; WAL lets them read beside the writer.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("read_only") else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True,
                         pool_timeout=BUSY_TIMEOUT_S)


def _real_sleep():
    """``time.sleep`` as the interpreter made it: under gevent's monkey-patching (gunicorn's gevent workers) the
    patched one would switch to another request's greenlet, which may keep the CPU for milliseconds."""
    try:
        from gevent import monkey
    except ImportError:   # pragma: no cover - gevent is a dependency
        return time.sleep
    return monkey.get_original("time", "sleep")


_sleep = _real_sleep()
#: The first and the longest pause between two tries for SQLite's write lock (:func:`begin_immediate`).
FIRST_PAUSE_S, LONGEST_PAUSE_S = 50e-6, 1e-3


def begin_immediate(cur, timeout: float = BUSY_TIMEOUT_S) -> None:
    """``BEGIN IMMEDIATE`` on a SQLite DB-API cursor, tried again every 50 µs (doubling, up to 1 ms) while
    another connection holds the write lock, for up to ``timeout`` seconds; then SQLite's "database is locked".

    SQLite's own busy handler (the connection's ``busy_timeout``) sleeps 1, 2, 5, 10, 15, 20, 25 ... ms between
    tries: a writer that finds the lock taken for the 0.1 ms another worker's quote holds it waited 1 ms at
    least, often 3 or 8 (two workers writing quotes: 6 % of writes over 0.9 ms, the 99th percentile 10 ms), and
    a gevent worker's every request waited with it. The transaction is the same; only the wait is shorter.
    """
    cur.execute("PRAGMA busy_timeout = 0")
    try:
        pause, deadline = FIRST_PAUSE_S, time.monotonic() + timeout
        while True:
            try:
                cur.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                busy = getattr(exc, "sqlite_errorcode", sqlite3.SQLITE_BUSY) & 0xFF == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() > deadline:
                    raise
            _sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE_S)
    finally:
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")


#: Connections a forked process inherited from its parent's :meth:`Database.own_connection`: kept, so that no
#: garbage collection closes in the child what the parent still uses.
_INHERITED: list = []


@dataclass
class Database:
    """An engine and its session factories: one session per request, one transaction per change.

    ``sessions`` write (on SQLite their transactions take the write lock at
    once); ``reading`` sessions and the ``reader`` engine only read.
    """

    url: str
    engine: Engine
    sessions: sessionmaker
    reading: sessionmaker
    reader: Engine
    #: This process's own SQLite connection (:meth:`own_connection`): ``(pid, pool proxy detached from the pool)``.
    _own: tuple[int, object] | None = field(default=None, init=False, repr=False)
    _own_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def open(cls, url: str, pool_size: int = 5) -> Database:
        engine = make_engine(url, pool_size)
        # A forked worker (gunicorn) must not reuse its parent's connections.
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
        reader = engine.execution_options(read_only=True)
        return cls(url, engine, sessionmaker(engine, expire_on_commit=False),
                   sessionmaker(reader, expire_on_commit=False), reader)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def own_connection(self) -> Iterator:
        """A SQLite DB-API connection of this process's own (the engine's connect hooks applied: WAL, foreign keys,
        the busy timeout), held apart from the pool, one caller at a time: the quote path's plain statements.

        The pool's check-out and check-in (with its rollback on return) cost more than the statements of a quote
        kept again. Nothing in a caller's block may wait on another request (a gevent worker would switch to it
        while the connection is held): plain statements and :func:`begin_immediate` only. A forked child makes
        its own; the parent's is never used, nor closed, there.
        """
        with self._own_lock:
            pid = os.getpid()
            if self._own is None or self._own[0] != pid:
                if self._own is not None:
                    _INHERITED.append(self._own[1])   # a parent's: never used, never closed (nor collected) here
                proxy = self.engine.raw_connection()
                proxy.detach()   # never returned to the pool: closed by dispose()
                self._own = (pid, proxy)
            yield self._own[1].dbapi_connection  # type: ignore[attr-defined]

    def dispose(self) -> None:
        with self._own_lock:
            if self._own is not None and self._own[0] == os.getpid():
                self._own[1].close()  # type: ignore[attr-defined]
            self._own = None
        self.engine.dispose()


def _alembic_config(url: str):
    from alembic.config import Config as AlembicConfig
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory
    head = ScriptDirectory.from_config(_alembic_config("sqlite://")).get_current_head()
    if head is None:   # the package ships its migrations: none means a broken install
        raise StoreError(f"no migrations in {MIGRATIONS}")
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def revision_status(url: str) -> tuple[str | None, str]:
    """``(current, head)`` revisions of the database at ``url`` (current is None when never migrated)."""
    engine = make_engine(url, pool_size=1)
    try:
        return current_revision(engine), head_revision()
    except Exception as exc:   # unreachable server, bad credentials, unreadable file
        raise StoreError(f"cannot read the database at {safe_url(url)}: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
    finally:
        engine.dispose()


def check_at_head(url: str) -> None:
    """Raise :class:`StoreError`, saying what to run, unless the schema is at head."""
    current, head = revision_status(url)
    if current != head:
        where = "is empty" if current is None else f"is at revision {current}"
        raise StoreError(f"the database schema {where}, not at head {head}; run `negotiator db upgrade` "
                         f"(with the same NEGOTIATOR_DATABASE_URL / NEGOTIATOR_DATA_DIR) and start again")


def upgrade(url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate the database at ``url`` to ``revision``; returns ``(before, after)``."""
    from alembic import command
    before, _ = revision_status(url)
    command.upgrade(_alembic_config(url), revision)
    after, _ = revision_status(url)
    return before, after


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable URL)"

