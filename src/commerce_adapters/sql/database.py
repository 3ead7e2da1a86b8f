"""Engines for a database URL: pool and timeout settings, SQLite's write lock, replicas."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

from commerce_adapters.sql.direct import Planner
from commerce_adapters.sql.errors import translate
from commerce_core.errors import ValidationError


@attrs.frozen
class PoolSettings:
    """Connection settings; the defaults suit one process with a few threads."""

    pool_size: int = 10
    max_overflow: int = 10
    pool_timeout: float = 30.0
    pool_recycle: int = 1800          # seconds; below most servers' idle cut-off
    statement_timeout_ms: int = 30_000
    lock_timeout_ms: int = 10_000
    sqlite_busy_timeout_ms: int = 30_000
    # test each pooled connection before use? Off: a round trip on every transaction to
    # spare the one request that meets a dead connection after a restart (a TransientError,
    # a 503), since that first failure invalidates the whole pool at once
    pre_ping: bool = False


def normalize_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3, the driver we ship with."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, settings: PoolSettings | None = None) -> sa.Engine:
    settings = settings or PoolSettings()
    url = normalize_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, settings)
    if backend == "postgresql":
        options = (f"-c statement_timeout={settings.statement_timeout_ms} "
                   f"-c lock_timeout={settings.lock_timeout_ms}")
        return sa.create_engine(
            url, pool_size=settings.pool_size, max_overflow=settings.max_overflow,
            pool_timeout=settings.pool_timeout, pool_recycle=settings.pool_recycle,
            pool_pre_ping=settings.pre_ping, connect_args={"options": options})
    raise ValidationError(f"unsupported SQL database {backend!r}",
                          {"database_url": "postgresql or sqlite"})


def _sqlite_engine(url: str, settings: PoolSettings) -> sa.Engine:
    if make_url(url).database in (None, "", ":memory:"):
        raise ValidationError("SQLite needs a file (sqlite:///shop.db): an in-memory SQLite "
                              "database is private to one connection; use memory:// instead",
                              {"database_url": "a file path"})
    engine = sa.create_engine(url, pool_size=settings.pool_size,
                              max_overflow=settings.max_overflow,
                              pool_timeout=settings.pool_timeout,
                              connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000,
                                            "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")    # readers do not block the writer
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint in WAL mode
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={settings.sqlite_busy_timeout_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # A writing unit of work takes SQLite's write lock at BEGIN: two writers then queue
        # instead of both reading and one failing to upgrade its lock ("database is locked").
        # A read without a snapshot (sqlite_begin None) begins nothing: each statement then
        # runs in a transaction of its own, and the close's rollback has nothing to end.
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode is not None:
            connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """The primary engine, and replicas that take read-only units of work in turn."""

    def __init__(self, url: str, replica_urls: Sequence[str] = (),
                 settings: PoolSettings | None = None) -> None:
        self.url = normalize_url(url)
        self.primary = create_engine(url, settings)
        self.replicas = [create_engine(u, settings) for u in replica_urls]
        self.dialect = self.primary.dialect.name
        self.planner = Planner(self.primary.dialect)  # statements run on the driver (direct)
        self._next = itertools.cycle(self.replicas) if self.replicas else None
        self._lock = threading.Lock()
        # PostgreSQL sequence name -> (next number, end) of the block this shop holds
        # (repositories/sequences.py); a new shop on the same database takes its own blocks
        self.sequence_blocks: dict[str, tuple[int, int]] = {}
        self.sequence_lock = threading.Lock()

    def engine_for(self, replica: bool) -> sa.Engine:
        if not replica or self._next is None:
            return self.primary
        with self._lock:
            return next(self._next)

    def dispose(self) -> None:
        for engine in (self.primary, *self.replicas):
            engine.dispose()


def untransacted(conn: sa.Connection, dialect: str) -> sa.Connection:
    """``conn`` with no transaction around its statements, each committed on its own: on
    PostgreSQL AUTOCOMMIT (no BEGIN and no ROLLBACK round trip), on SQLite no BEGIN (the
    begin hook above). For reads where one statement is the whole snapshot needed."""
    if dialect == "sqlite":
        return conn.execution_options(sqlite_begin=None)
    return conn.execution_options(isolation_level="AUTOCOMMIT")


class SqlStore:
    """A store on the database outside any unit of work: each call is its own short
    transaction (like the Redis stores it stands in for)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def _run(self, work: Any) -> Any:
        try:
            with self._db.primary.begin() as conn:
                return work(conn)
        except sa.exc.DBAPIError as ex:
            raise (translate(ex) or ex) from ex

    def _read(self, work: Any) -> Any:
        """``work`` outside any transaction: only for one statement, which is its own
        snapshot (a read, or a write that stands alone)."""
        try:
            with self._db.primary.connect() as conn:
                return work(untransacted(conn, self._db.dialect))
        except sa.exc.DBAPIError as ex:
            raise (translate(ex) or ex) from ex
