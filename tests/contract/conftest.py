"""Backends every contract suite runs against. A new adapter adds one entry to BACKENDS
(and skips with a reason only when its server URL is unset and no Docker engine runs)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest

from commerce_adapters.bootstrap import Storage, stock_lookup
from commerce_adapters.memory.backend import open_memory
from commerce_adapters.sql.backend import open_sql
from commerce_core.catalog.ports import CatalogSession
from commerce_core.clock import ManualClock
from commerce_core.ids import SnowflakeIds
from commerce_core.uow import UnitOfWork
from tests.mongo_servers import drop_mongo, fresh_mongo
from tests.servers import server_url
from tests.sql_servers import fresh_postgres, sqlite_template


@attrs.define
class Backend:
    name: str
    storage: Storage
    clock: ManualClock
    ids: SnowflakeIds

    def uow(self, read_only: bool = False) -> UnitOfWork:
        """A unit of work on the transactional store."""
        return self.storage.uow_factory(read_only=read_only)

    def catalog(self, read_only: bool = False, replica: bool = False) -> CatalogSession:
        """A session on the catalog store (its own transaction, never the unit of work's)."""
        return self.storage.catalog(read_only=read_only, replica=replica)


def _memory(clock: ManualClock, ids: SnowflakeIds) -> Iterator[Storage]:
    yield open_memory("memory://", clock, ids)


def _sqlite(clock: ManualClock, ids: SnowflakeIds) -> Iterator[Storage]:
    folder = Path(tempfile.mkdtemp(prefix="commerce-contract-"))
    shutil.copy(sqlite_template(), folder / "shop.db")
    storage = open_sql(f"sqlite:///{folder / 'shop.db'}", clock, ids)
    yield storage
    shutil.rmtree(folder, ignore_errors=True)


def _postgres(clock: ManualClock, ids: SnowflakeIds) -> Iterator[Storage]:
    url = os.environ.get("COMMERCE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("COMMERCE_TEST_POSTGRES_URL is not set (and no Docker engine here)")
    yield open_sql(fresh_postgres(url), clock, ids)


def _mongo(clock: ManualClock, ids: SnowflakeIds) -> Iterator[Storage]:
    """The catalog part (products, categories, reviews, activity) on MongoDB, in a database
    of its own per test; the transactional store (stock) in memory beside it."""
    from commerce_adapters.mongo.backend import open_catalog  # noqa: PLC0415 - pymongo

    url = fresh_mongo(server_url("mongo"))
    storage = open_memory("memory://", clock, ids)
    part = open_catalog(url, clock, stock_lookup(storage))
    try:  # the fixture ends with gen.close(): only a finally runs then
        yield attrs.evolve(storage, catalog=part.catalog, activity=part.activity)
    finally:
        drop_mongo(part.store)


BACKENDS: dict[str, Callable[[ManualClock, SnowflakeIds], Iterator[Storage]]] = {
    "memory": _memory,
    "sqlite": _sqlite,
    "postgres": _postgres,
    "mongo": _mongo,
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    clock, ids = ManualClock(), SnowflakeIds()
    gen = BACKENDS[request.param](clock, ids)
    yield Backend(request.param, next(gen), clock, ids)
    gen.close()
