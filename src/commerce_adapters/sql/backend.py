"""``sqlite:///path.db`` and ``postgresql://...``: every table in a SQL database.

SQLite (the embedded default) is migrated when opened; PostgreSQL is migrated by an explicit
step (``migrate.upgrade(url)``, ``commerce db upgrade``) and refused until then, because
several servers may share it and a schema change is an operator's decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from commerce_adapters.bootstrap import Storage
from commerce_adapters.sql import migrate
from commerce_adapters.sql.activity import SqlActivityStore
from commerce_adapters.sql.carts import SqlCartStore
from commerce_adapters.sql.database import Database, PoolSettings
from commerce_adapters.sql.errors import opening
from commerce_adapters.sql.revocations import SqlRevocations
from commerce_adapters.sql.search import SqlSearchIndex
from commerce_adapters.sql.uow import SqlCatalogSession, SqlUnitOfWork
from commerce_core.clock import Clock
from commerce_core.ids import IdGenerator


def open_sql(url: str, clock: Clock, ids: IdGenerator, *, replica_urls: Sequence[str] = (),
             settings: PoolSettings | None = None, **_: Any) -> Storage:
    db = Database(url, replica_urls, settings)
    with opening(url):
        if db.dialect == "sqlite":
            migrate.upgrade(db.url)
        migrate.require_current(db.primary)

    def unit_of_work(**options: Any) -> SqlUnitOfWork:
        return SqlUnitOfWork(db, clock, ids, read_only=bool(options.get("read_only")),
                             replica=bool(options.get("replica")),
                             snapshot=bool(options.get("snapshot", True)))

    def catalog(**options: Any) -> SqlCatalogSession:
        within = options.get("within")  # a read inside a unit of work on this database
        if isinstance(within, SqlUnitOfWork) and within.db is db and options.get("read_only"):
            return SqlCatalogSession(db, read_only=True, joined=within)
        return SqlCatalogSession(db, read_only=bool(options.get("read_only")),
                                 replica=bool(options.get("replica")))

    return Storage(unit_of_work, catalog, SqlActivityStore(db), SqlCartStore(db, clock),
                   SqlRevocations(db), SqlSearchIndex(db), close=db.dispose)
