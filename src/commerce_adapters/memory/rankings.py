"""Rankings in this process (each worker ranks what it saw: share a Redis between workers)."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

from commerce_core.rankings.ports import BUCKET


class MemoryRankings:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, int], dict[int, float]] = {}

    def add(self, board: str, member: int, score: float, at: datetime) -> None:
        with self._lock:
            scores = self._buckets.setdefault((board, _bucket(at)), {})
            scores[member] = scores.get(member, 0.0) + score

    def top(self, board: str, limit: int, now: datetime, window: timedelta
            ) -> Sequence[tuple[int, float]]:
        last = _bucket(now)
        first = last - math.ceil(window / BUCKET) + 1
        total: dict[int, float] = {}
        with self._lock:
            for (name, bucket) in list(self._buckets):
                if name == board and bucket < first:
                    del self._buckets[(name, bucket)]  # out of every window from now on
            for bucket in range(first, last + 1):
                for member, score in self._buckets.get((board, bucket), {}).items():
                    total[member] = total.get(member, 0.0) + score
        return sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def _bucket(at: datetime) -> int:
    return math.floor(at.timestamp() / BUCKET.total_seconds())


def open_rankings(url: str, clock: object = None, prefix: str = "") -> MemoryRankings:
    return MemoryRankings()
