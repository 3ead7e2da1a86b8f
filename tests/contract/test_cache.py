"""Contract of the cache port, for every adapter of it: a new adapter adds one entry to CACHES."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce_adapters.memory.cache import MemoryCache
from commerce_core.cache.aside import CacheAside
from commerce_core.cache.invalidation import CacheInvalidation
from commerce_core.cache.keys import CacheKeys
from commerce_core.cache.ports import Cache
from commerce_core.clock import ManualClock
from commerce_core.events import ProductUpdated
from tests.concurrency import run_together
from tests.contract.conftest import redis_test_client
from tests.redis_cluster import cluster_test_client, cluster_url
from tests.servers import server_url

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@attrs.define
class CacheUnderTest:
    cache: Cache
    # Moves time on by that many seconds: a hand-driven clock here; a server-backed cache,
    # whose TTLs run on the server's clock, sleeps (and its tests use short TTLs).
    advance: Callable[[float], None]
    # Another instance over the same storage (another worker's): the same object in memory.
    twin: Callable[[], Cache]
    # How many SCAN and KEYS commands its server has run, where it can tell (else None).
    scans: Callable[[], int | None] = lambda: None


def _memory() -> Generator[CacheUnderTest, None, None]:
    clock = ManualClock()

    def advance(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    cache = MemoryCache(clock)
    yield CacheUnderTest(cache, advance, lambda: cache)


def _redis() -> Generator[CacheUnderTest, None, None]:
    from commerce_adapters.redis.cache import RedisCache  # noqa: PLC0415
    from commerce_adapters.redis.client import client as open_client  # noqa: PLC0415

    client = redis_test_client()
    others: list[Any] = []

    def twin() -> Cache:
        others.append(open_client(server_url("redis")))
        return RedisCache(others[-1])

    def scans() -> int:
        stats = client.info("commandstats")
        return sum(int(stats.get(f"cmdstat_{name}", {}).get("calls", 0))
                   for name in ("scan", "keys"))

    # TTLs run on the server's clock
    yield CacheUnderTest(RedisCache(client), time.sleep, twin, scans)
    for other in others:
        other.close()
    client.close()


def _redis_cluster() -> Generator[CacheUnderTest, None, None]:
    from commerce_adapters.redis.cache import RedisCache  # noqa: PLC0415
    from commerce_adapters.redis.client import client as open_client  # noqa: PLC0415

    client = cluster_test_client()
    others: list[Any] = []

    def twin() -> Cache:
        others.append(open_client(cluster_url()))
        return RedisCache(others[-1])

    def scans() -> int:
        total = 0
        for stats in client.info("commandstats", target_nodes=client.PRIMARIES).values():
            total += sum(int(stats.get(f"cmdstat_{name}", {}).get("calls", 0))
                         for name in ("scan", "keys"))
        return total

    yield CacheUnderTest(RedisCache(client), time.sleep, twin, scans)
    for other in others:
        other.close()
    client.close()


CACHES: dict[str, Callable[[], Generator[CacheUnderTest, None, None]]] = {
    "memory": _memory, "redis": _redis, "redis-cluster": _redis_cluster}


@pytest.fixture(params=sorted(CACHES))
def under_test(request: pytest.FixtureRequest) -> Iterator[CacheUnderTest]:
    gen = CACHES[request.param]()
    yield next(gen)
    next(gen, None)  # the rest of the factory: its clean-up (close() would skip it)


@pytest.fixture
def cache(under_test: CacheUnderTest) -> Cache:
    return under_test.cache


def test_absent_key_is_none(cache: Cache) -> None:
    assert cache.get("nothing:here") is None
    assert cache.get_many(["nothing:here", "nor:here"]) == {}


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # one cache, many keys
@given(key=st.text(min_size=1, max_size=40), value=st.binary(max_size=2048))
def test_round_trips_any_bytes(cache: Cache, key: str, value: bytes) -> None:
    cache.set(key, value, 60)
    assert cache.get(key) == value


def test_set_replaces(cache: Cache) -> None:
    cache.set("k", b"one", 60)
    cache.set("k", b"two", 60)
    assert cache.get("k") == b"two"


def test_values_expire_after_their_ttl(under_test: CacheUnderTest) -> None:
    cache = under_test.cache
    cache.set("short", b"s", 1)
    cache.set("long", b"l", 30)
    under_test.advance(0.5)
    assert cache.get("short") == b"s"
    under_test.advance(1)
    assert cache.get("short") is None
    assert cache.get("long") == b"l"


def test_replacing_resets_the_ttl(under_test: CacheUnderTest) -> None:
    cache = under_test.cache
    cache.set("k", b"old", 1)
    cache.set("k", b"new", 30)
    under_test.advance(1.5)
    assert cache.get("k") == b"new"


def test_get_many_leaves_out_absent_and_expired(under_test: CacheUnderTest) -> None:
    cache = under_test.cache
    cache.set("a", b"1", 30)
    cache.set("b", b"2", 1)
    cache.set("c", b"3", 30)
    under_test.advance(1.5)
    assert dict(cache.get_many(["a", "b", "c", "missing"])) == {"a": b"1", "c": b"3"}


def test_add_stores_only_when_empty(under_test: CacheUnderTest) -> None:
    cache = under_test.cache
    assert cache.add("lock", b"first", 1)
    assert not cache.add("lock", b"second", 30)
    assert cache.get("lock") == b"first"
    under_test.advance(1.5)
    assert cache.add("lock", b"third", 30)  # an expired value holds nothing
    assert cache.get("lock") == b"third"


@pytest.mark.parametrize("round_", range(5))  # a few rounds: a race shows only sometimes
def test_add_has_one_winner_among_concurrent_callers(cache: Cache, round_: int) -> None:
    key = f"loader:{round_}"
    wins: list[bytes] = []
    lock = threading.Lock()

    def contender(i: int) -> Callable[[], None]:
        def go() -> None:
            if cache.add(key, str(i).encode(), 30):
                with lock:
                    wins.append(str(i).encode())
        return go

    assert run_together([contender(i) for i in range(8)]) == []
    assert len(wins) == 1
    assert cache.get(key) == wins[0]


def test_delete_counts_what_was_there(under_test: CacheUnderTest) -> None:
    cache = under_test.cache
    cache.set("a", b"1", 30)
    cache.set("b", b"2", 30)
    cache.set("gone", b"3", 1)
    under_test.advance(1.5)
    assert cache.delete("a", "missing", "gone") == 1
    assert cache.get("a") is None
    assert cache.get("b") == b"2"
    assert cache.delete() == 0


def test_delete_prefix_removes_only_that_prefix(cache: Cache) -> None:
    for key in ("product:1", "product:2", "product:1:reviews", "products", "cart:1"):
        cache.set(key, b"x", 30)
    assert cache.delete_prefix("product:") == 3
    assert cache.get("product:1") is None
    assert cache.get("product:1:reviews") is None
    assert cache.get("products") == b"x"
    assert cache.get("cart:1") == b"x"
    assert cache.delete_prefix("nothing:") == 0


# Versioned namespaces (listing and search pages), through the cache-aside over the port ------
def test_a_namespace_change_is_seen_at_once_through_another_instance(
        under_test: CacheUnderTest) -> None:
    keys = CacheKeys("shop:")
    one, two = CacheAside(under_test.cache, keys), CacheAside(under_test.twin(), keys)
    listing, search = keys.listing({"page": 1}), keys.listing({"search": "lamp", "page": 2})
    for aside in (one, two):
        assert aside.fetch_in(*listing, 60, lambda: b"old page") == b"old page"
        assert aside.fetch_in(*search, 60, lambda: b"old hits") == b"old hits"
    assert two.counts()["hit"] == 2  # the second instance read what the first stored
    CacheInvalidation(one).handle([ProductUpdated(occurred_at=NOW, product_id=1, seller_id=2)])
    assert two.fetch_in(*listing, 60, lambda: b"new page") == b"new page"
    assert two.fetch_in(*search, 60, lambda: b"new hits") == b"new hits"
    assert one.fetch_in(*listing, 60, lambda: b"not again") == b"new page"
    one.invalidate_namespace(keys.listings[1])  # one namespace only
    assert two.fetch_in(*listing, 60, lambda: b"not again") == b"new page"
    assert two.fetch_in(*search, 60, lambda: b"newer hits") == b"newer hits"


def test_dropping_a_namespace_scans_nothing(under_test: CacheUnderTest) -> None:
    keys = CacheKeys("shop:")
    aside = CacheAside(under_test.cache, keys)
    for page in range(50):
        aside.fetch_in(*keys.listing({"page": page}), 60, lambda: b"page")
        under_test.cache.set(f"shop:product:{page}", b"x", 60)
    before = under_test.scans()
    for _ in range(3):
        aside.invalidate_namespace(*keys.listings)
    assert under_test.scans() == before
    assert aside.fetch_in(*keys.listing({"page": 7}), 60, lambda: b"fresh") == b"fresh"
    assert under_test.cache.get("shop:product:7") == b"x"  # other keys untouched


def test_a_lost_generation_never_brings_old_pages_back(under_test: CacheUnderTest) -> None:
    keys = CacheKeys("shop:")
    aside = CacheAside(under_test.cache, keys)
    namespace, key = keys.listing({"page": 1})
    aside.fetch_in(namespace, key, 60, lambda: b"first")
    aside.invalidate_namespace(namespace)
    aside.fetch_in(namespace, key, 60, lambda: b"second")
    under_test.cache.delete(f"{namespace}generation")  # evicted, say
    assert aside.fetch_in(namespace, key, 60, lambda: b"third") == b"third"


@pytest.mark.parametrize("ttl", [0, -1, float("nan")])
def test_refuses_a_non_positive_ttl(cache: Cache, ttl: float) -> None:
    with pytest.raises(ValueError):
        cache.set("k", b"v", ttl)
    with pytest.raises(ValueError):
        cache.add("k", b"v", ttl)
    assert cache.get("k") is None


def test_ping_answers(cache: Cache) -> None:
    cache.ping()


def test_delete_prefix_takes_glob_characters_literally(cache: Cache) -> None:
    cache.set("search:a*b:1", b"x", 30)
    cache.set("search:aXb:1", b"y", 30)
    assert cache.delete_prefix("search:a*") == 1
    assert cache.get("search:aXb:1") == b"y"


def test_a_redis_cache_that_is_down_raises_unavailable() -> None:
    from commerce_adapters.redis.cache import RedisCache  # noqa: PLC0415
    from commerce_adapters.redis.client import client  # noqa: PLC0415
    from commerce_core.errors import Unavailable  # noqa: PLC0415

    cache = RedisCache(client("redis://127.0.0.1:1/0?socket_connect_timeout=0.2"))
    for call in (lambda: cache.get("k"), lambda: cache.set("k", b"v", 1), cache.ping,
                 lambda: cache.delete_prefix("k")):
        with pytest.raises(Unavailable):
            call()


# The memory adapter's own bound (a server cache has its own eviction policy) -------------------
def test_memory_cache_evicts_expired_first_then_least_recently_used() -> None:
    clock = ManualClock()
    cache = MemoryCache(clock, max_entries=3)
    cache.set("old", b"1", 30)
    cache.set("brief", b"2", 1)
    cache.set("used", b"3", 30)
    clock.advance(timedelta(seconds=2))
    cache.set("new", b"4", 30)  # "brief" has expired: it goes, not "old"
    assert cache.get("old") == b"1"  # now the most recently used
    cache.set("newer", b"5", 30)  # full of live entries: the least recently used goes
    assert cache.get("used") is None
    assert [cache.get(k) for k in ("old", "new", "newer")] == [b"1", b"4", b"5"]


def test_memory_cache_keeps_nothing_past_max_ttl() -> None:
    from commerce_adapters.memory.cache import open_cache  # noqa: PLC0415

    clock = ManualClock()
    cache = open_cache("memory://?max_ttl=5", clock)
    cache.set("k", b"v", 3600)
    assert cache.add("lock", b"1", 3600)
    clock.advance(timedelta(seconds=4))
    assert cache.get("k") == b"v"
    clock.advance(timedelta(seconds=1))
    assert cache.get("k") is None and cache.add("lock", b"2", 3600)
    for bad in ("memory://?max_ttl=0", "memory://?max_ttl=soon", "memory://?ttl=5"):
        with pytest.raises(ValueError):
            open_cache(bad, clock)
