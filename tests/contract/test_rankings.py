"""Contract of the rankings port (rankings/ports.py), for every adapter of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from commerce_adapters.memory.rankings import MemoryRankings
from commerce_core.clock import ManualClock
from commerce_core.rankings.ports import FRESHNESS, Rankings
from tests.concurrency import run_together
from tests.contract.conftest import redis_test_client
from tests.redis_cluster import cluster_test_client


def _redis() -> Rankings:
    from commerce_adapters.redis.rankings import RedisRankings  # noqa: PLC0415

    return RedisRankings(redis_test_client(), prefix="t:")


def _redis_cluster() -> Rankings:
    from commerce_adapters.redis.rankings import RedisRankings  # noqa: PLC0415

    return RedisRankings(cluster_test_client(), prefix="t:")


RANKINGS: dict[str, Callable[[], Rankings]] = {"memory": MemoryRankings, "redis": _redis,
                                               "redis-cluster": _redis_cluster}
DAY = timedelta(hours=24)


@pytest.fixture(params=sorted(RANKINGS))
def rankings(request: pytest.FixtureRequest) -> Rankings:
    return RANKINGS[request.param]()


def test_top_sums_scores_highest_first(rankings: Rankings) -> None:
    now = ManualClock().now()
    for member, score in ((1, 2.0), (2, 5.0), (1, 4.0), (3, 1.0), (4, 6.0)):
        rankings.add("board", member, score, now)
    rankings.add("other", 9, 100.0, now)  # boards are apart
    assert list(rankings.top("board", 3, now, DAY)) == [(1, 6.0), (4, 6.0), (2, 5.0)]
    assert list(rankings.top("empty", 3, now, DAY)) == []


def test_only_the_window_counts(rankings: Rankings) -> None:
    clock = ManualClock()
    rankings.add("board", 1, 10.0, clock.now() - timedelta(hours=30))  # before the window
    rankings.add("board", 2, 1.0, clock.now() - timedelta(hours=2))
    rankings.add("board", 3, 2.0, clock.now())
    assert list(rankings.top("board", 10, clock.now(), DAY)) == [(3, 2.0), (2, 1.0)]


def test_a_top_is_at_most_fifteen_minutes_stale(rankings: Rankings) -> None:
    clock = ManualClock()
    rankings.add("board", 1, 1.0, clock.now())
    assert list(rankings.top("board", 5, clock.now(), DAY)) == [(1, 1.0)]
    rankings.add("board", 2, 3.0, clock.now())
    clock.advance(FRESHNESS)
    assert list(rankings.top("board", 5, clock.now(), DAY)) == [(2, 3.0), (1, 1.0)]


def test_concurrent_adds_are_all_counted(rankings: Rankings) -> None:
    now = ManualClock().now()

    def adder() -> None:
        for _ in range(25):
            rankings.add("board", 7, 1.0, now)

    assert run_together([adder for _ in range(4)]) == []
    assert list(rankings.top("board", 1, now, DAY)) == [(7, 100.0)]
