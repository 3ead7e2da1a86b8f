"""Contract of the RateLimiter port (ratelimit/ports.py), for every adapter of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from commerce_adapters.memory.ratelimit import MemoryRateLimiter
from commerce_core.clock import ManualClock
from commerce_core.ratelimit.ports import RateLimiter

LIMITERS: dict[str, Callable[[ManualClock], RateLimiter]] = {"memory": MemoryRateLimiter}


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
