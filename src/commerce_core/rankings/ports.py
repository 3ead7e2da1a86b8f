"""The rankings port: scores per board and member, summed over a trailing window.

Scores are added to hourly buckets; a board's top is the sum over the buckets of the last
``window``, and may be up to :data:`FRESHNESS` old (the seed's 15 minutes): a store may keep
the summed board that long instead of summing on every read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

BUCKET = timedelta(hours=1)
FRESHNESS = timedelta(minutes=15)


class Rankings(Protocol):
    def add(self, board: str, member: int, score: float, at: datetime) -> None:
        """Add ``score`` to ``member`` in the bucket of ``at`` (atomic under concurrency)."""
        ...

    def top(self, board: str, limit: int, now: datetime, window: timedelta
            ) -> Sequence[tuple[int, float]]:
        """The ``limit`` highest members by score summed over ``window`` before ``now``,
        highest first (ties by member id); at most :data:`FRESHNESS` stale."""
        ...
