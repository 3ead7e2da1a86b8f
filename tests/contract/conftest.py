"""Backends every contract suite runs against. A new adapter adds one entry to BACKENDS
(and skips with a reason only when its server URL is unset and no Docker engine runs)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import attrs
import pytest

from commerce_adapters.bootstrap import Storage, stock_lookup
from commerce_adapters.memory.backend import open_memory
from commerce_adapters.sql.backend import open_sql
from commerce_core.catalog.ports import CatalogSession
from commerce_core.clock import ManualClock
from commerce_core.errors import Conflict
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

    def refused(self, write: Callable[[UnitOfWork], object]) -> None:
        """``write`` takes a key already stored: it fails its unit of work with Conflict,
        raised by the write itself or, where a store sends its inserts together, by the
        commit at the latest (a unit of work that saw it is abandoned either way)."""
        with pytest.raises(Conflict), self.storage.uow_factory() as uow:
            write(uow)
            uow.commit()

    def catalog(self, read_only: bool = False, replica: bool = False) -> CatalogSession:
        """A session on the catalog store (its own transaction, never the unit of work's)."""
        return self.storage.catalog(read_only=read_only, replica=replica)


def _memory(clock: ManualClock, ids: SnowflakeIds) -> Generator[Storage]:
    yield open_memory("memory://", clock, ids)


def _sqlite(clock: ManualClock, ids: SnowflakeIds) -> Generator[Storage]:
    folder = Path(tempfile.mkdtemp(prefix="commerce-contract-"))
    shutil.copy(sqlite_template(), folder / "shop.db")
    storage = open_sql(f"sqlite:///{folder / 'shop.db'}", clock, ids)
    yield storage
    shutil.rmtree(folder, ignore_errors=True)


def _postgres(clock: ManualClock, ids: SnowflakeIds) -> Generator[Storage]:
    url = os.environ.get("COMMERCE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("COMMERCE_TEST_POSTGRES_URL is not set (and no Docker engine here)")
    yield open_sql(fresh_postgres(url), clock, ids)


def _mongo(clock: ManualClock, ids: SnowflakeIds) -> Generator[Storage]:
    """The catalog part (products, categories, reviews, activity) on MongoDB, in a database
    of its own per test; the transactional store (stock) in memory beside it."""
    from commerce_adapters.mongo.backend import open_catalog  # noqa: PLC0415 - pymongo

    url = fresh_mongo(server_url("mongo"))
    storage = open_memory("memory://", clock, ids)
    part = open_catalog(url, clock, stock_lookup(storage))
    yield attrs.evolve(storage, catalog=part.catalog, activity=part.activity)
    drop_mongo(part.store)


BACKENDS: dict[str, Callable[[ManualClock, SnowflakeIds], Generator[Storage]]] = {
    "memory": _memory,
    "sqlite": _sqlite,
    "postgres": _postgres,
    "mongo": _mongo,
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Generator[Backend]:
    clock, ids = ManualClock(), SnowflakeIds()
    gen = BACKENDS[request.param](clock, ids)
    yield Backend(request.param, next(gen), clock, ids)
    next(gen, None)  # the rest of the factory: its clean-up (close() would skip it)


# Parts kept apart from the database (carts, sessions) also run on Redis: the database is
# memory's and the part is Redis's, so the suite sees the Redis adapter through the same
# Storage. A suite opts in with ``backend_or_redis``.
def redis_test_client() -> Any:
    """A client of the test Redis (``COMMERCE_TEST_REDIS_URL``), its database emptied: the
    variable names a database of this test run's own."""
    from commerce_adapters.redis.client import client  # noqa: PLC0415

    redis_client = client(server_url("redis"))
    redis_client.flushdb()
    return redis_client


def _with_redis(clock: ManualClock, ids: SnowflakeIds) -> Generator[Storage]:
    from commerce_adapters.redis.carts import RedisCartStore  # noqa: PLC0415
    from commerce_adapters.redis.revocations import RedisRevocations  # noqa: PLC0415

    redis_client = redis_test_client()
    storage = open_memory("memory://", clock, ids)
    yield attrs.evolve(storage, carts=RedisCartStore(redis_client, clock),
                       revocations=RedisRevocations(redis_client, clock))
    redis_client.close()


def _with_redis_cluster(clock: ManualClock, ids: SnowflakeIds) -> Generator[Storage]:
    from commerce_adapters.redis.carts import RedisCartStore  # noqa: PLC0415
    from commerce_adapters.redis.revocations import RedisRevocations  # noqa: PLC0415
    from tests.redis_cluster import cluster_test_client  # noqa: PLC0415

    cluster = cluster_test_client()
    storage = open_memory("memory://", clock, ids)
    yield attrs.evolve(storage, carts=RedisCartStore(cluster, clock),
                       revocations=RedisRevocations(cluster, clock))
    cluster.close()


WITH_REDIS = {**BACKENDS, "redis": _with_redis, "redis-cluster": _with_redis_cluster}


@pytest.fixture(params=sorted(WITH_REDIS))
def backend_or_redis(request: pytest.FixtureRequest) -> Generator[Backend]:
    clock, ids = ManualClock(), SnowflakeIds()
    gen = WITH_REDIS[request.param](clock, ids)
    yield Backend(request.param, next(gen), clock, ids)
    next(gen, None)  # the rest of the factory: its clean-up (close() would skip it)
