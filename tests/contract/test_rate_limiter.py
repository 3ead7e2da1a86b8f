"""Contract of the RateLimiter port (ratelimit/ports.py), for every adapter of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from commerce_adapters.memory.ratelimit import MemoryRateLimiter
from commerce_core.clock import ManualClock
from commerce_core.ratelimit.ports import RateLimiter
from tests.concurrency import run_together
from tests.contract.conftest import redis_test_client
from tests.redis_cluster import cluster_test_client


def _redis(clock: ManualClock) -> RateLimiter:
    from commerce_adapters.redis.ratelimit import RedisRateLimiter  # noqa: PLC0415

    return RedisRateLimiter(redis_test_client(), clock)


def _redis_cluster(clock: ManualClock) -> RateLimiter:
    from commerce_adapters.redis.ratelimit import RedisRateLimiter  # noqa: PLC0415

    return RedisRateLimiter(cluster_test_client(), clock)


LIMITERS: dict[str, Callable[[ManualClock], RateLimiter]] = {
    "memory": MemoryRateLimiter, "redis": _redis, "redis-cluster": _redis_cluster}


@pytest.mark.parametrize("make", list(LIMITERS.values()), ids=list(LIMITERS))
def test_counts_per_key_and_window(make: Callable[[ManualClock], RateLimiter]) -> None:
    clock = ManualClock()  # at the start of a minute
    limiter = make(clock)
    decisions = [limiter.hit("ip:1", 3, 60) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[-1].retry_after == 60
    assert limiter.hit("ip:2", 3, 60).allowed  # keys are counted apart
    clock.advance(timedelta(seconds=45))
    assert limiter.hit("ip:1", 3, 60).retry_after == 15
    clock.advance(timedelta(seconds=15))
    assert limiter.hit("ip:1", 3, 60).allowed  # a new window


@pytest.mark.parametrize("make", list(LIMITERS.values()), ids=list(LIMITERS))
def test_concurrent_hits_allow_exactly_the_limit(make: Callable[[ManualClock], RateLimiter]
                                                 ) -> None:
    limiter = make(ManualClock())
    allowed: list[bool] = []

    def caller() -> None:
        for _ in range(5):
            allowed.append(limiter.hit("user:7", 12, 60).allowed)  # list.append is atomic

    assert run_together([caller for _ in range(6)]) == []
    assert allowed.count(True) == 12 and len(allowed) == 30


# The Redis limiter's own behaviour: a sliding window, exact to the fraction of a second ----
def test_redis_limiter_slides_and_tells_the_exact_wait() -> None:
    clock = ManualClock()
    limiter = _redis(clock)
    assert limiter.hit("k", 2, 10).allowed
    clock.advance(timedelta(seconds=4.25))
    assert limiter.hit("k", 2, 10).allowed
    clock.advance(timedelta(seconds=1))
    refused = limiter.hit("k", 2, 10)
    assert not refused.allowed and refused.retry_after == pytest.approx(4.75)
    clock.advance(timedelta(seconds=4.75))  # the first request leaves the window
    assert limiter.hit("k", 2, 10).allowed
    assert not limiter.hit("k", 2, 10).allowed  # a refused hit is not counted...
    clock.advance(timedelta(seconds=4.25))
    assert limiter.hit("k", 2, 10).allowed  # ...so the second one's leaving frees a slot


def test_redis_limiter_fails_open_or_closed_as_configured() -> None:
    from commerce_adapters.redis.client import client  # noqa: PLC0415
    from commerce_adapters.redis.ratelimit import RedisRateLimiter  # noqa: PLC0415
    from commerce_core.errors import Unavailable  # noqa: PLC0415

    nowhere = client("redis://127.0.0.1:1/0?socket_connect_timeout=0.2")
    assert RedisRateLimiter(nowhere, fail_open=True).hit("k", 1, 60).allowed
    with pytest.raises(Unavailable):
        RedisRateLimiter(nowhere, fail_open=False).hit("k", 1, 60)
