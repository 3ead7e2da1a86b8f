"""In-memory recent views and searches, bounded per user."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from datetime import datetime

from commerce_core.activity.ports import MAX_ENTRIES, Searched, Viewed


class MemoryActivityStore:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._max = max_entries
        self._views: dict[int, OrderedDict[int, datetime]] = {}
        self._searches: dict[int, OrderedDict[str, datetime]] = {}

    def _push(self, log: OrderedDict, key: object, at: datetime) -> None:  # type: ignore[type-arg]
        log.pop(key, None)
        log[key] = at
        while len(log) > self._max:
            log.popitem(last=False)

    def record_view(self, user_id: int, product_id: int, at: datetime) -> None:
        with self._lock:
            self._push(self._views.setdefault(user_id, OrderedDict()), product_id, at)

    def record_search(self, user_id: int, query: str, at: datetime) -> None:
        with self._lock:
            self._push(self._searches.setdefault(user_id, OrderedDict()), query, at)

    def recent_views(self, user_id: int, limit: int) -> Sequence[Viewed]:
        with self._lock:
            items = list(self._views.get(user_id, {}).items())
        return [Viewed(p, at) for p, at in reversed(items)][:limit]

    def recent_searches(self, user_id: int, limit: int) -> Sequence[Searched]:
        with self._lock:
            items = list(self._searches.get(user_id, {}).items())
        return [Searched(q, at) for q, at in reversed(items)][:limit]

    def forget(self, user_id: int) -> None:
        with self._lock:
            self._views.pop(user_id, None)
            self._searches.pop(user_id, None)

    def popular_searches(self, prefix: str, limit: int) -> Sequence[str]:
        """Queries starting with ``prefix`` among every user's recent searches, by how many
        users have them, then alphabetically."""
        with self._lock:
            counts = Counter(q for log in self._searches.values() for q in log
                             if q.startswith(prefix))
        return sorted(counts, key=lambda q: (-counts[q], q))[:limit]
