"""An in-process fixed-window rate limiter (one process's view: behind several workers, use a
shared store)."""

from __future__ import annotations

import math
import threading

from commerce_core.clock import Clock, SystemClock
from commerce_core.ratelimit.ports import Decision

_MAX_KEYS = 100_000  # forget old windows before memory grows without bound


class MemoryRateLimiter:
    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int], int] = {}

    def hit(self, key: str, limit: int, window_seconds: float) -> Decision:
        now = self._clock.now().timestamp()
        window = math.floor(now / window_seconds)
        with self._lock:
            if len(self._counts) > _MAX_KEYS:
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
        if count <= limit:
            return Decision(True, limit - count, 0.0)
        return Decision(False, 0, (window + 1) * window_seconds - now)
