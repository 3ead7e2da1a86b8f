"""A process-local, bounded cache with time to live (one process's view: share a server cache
between workers)."""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlsplit

from commerce_core.clock import Clock, SystemClock


class MemoryCache:
    """A :class:`~commerce_core.cache.ports.Cache` in a dict, safe to share between threads.

    When ``max_entries`` is reached, expired entries go first, then the least recently used.
    ``max_ttl``: no value is kept longer, whatever its TTL (several workers each caching
    alone: a change invalidated in one worker is seen by the others within that time).
    """

    def __init__(self, clock: Clock | None = None, max_entries: int = 100_000,
                 max_ttl: float | None = None) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        if max_ttl is not None and not max_ttl > 0:
            raise ValueError(f"max_ttl must be positive, not {max_ttl!r}")
        self._max_ttl = max_ttl
        self._clock = clock or SystemClock()
        self._max_entries = max_entries
        self._lock = threading.Lock()
        # Oldest (least recently used) first; each value with its expiry as a POSIX timestamp.
        self._entries: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        # A heap of (expiry, key) so expired entries are found without a scan. Rows outlive
        # replaced or deleted entries; they are skipped when popped and dropped on a rebuild.
        self._expiries: list[tuple[float, str]] = []

    def get(self, key: str) -> bytes | None:
        now = self._now()
        with self._lock:
            return self._live(key, now)

    def get_many(self, keys: Iterable[str]) -> Mapping[str, bytes]:
        now = self._now()
        found: dict[str, bytes] = {}
        with self._lock:
            for key in keys:
                value = self._live(key, now)
                if value is not None:
                    found[key] = value
        return found

    def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        now = self._now()
        expires_at = self._capped(now, _expiry(now, value, ttl_seconds))
        with self._lock:
            self._store(key, value, expires_at, now)

    def add(self, key: str, value: bytes, ttl_seconds: float) -> bool:
        now = self._now()
        expires_at = self._capped(now, _expiry(now, value, ttl_seconds))
        with self._lock:  # the check and the store under one lock: one caller wins
            if self._live(key, now) is not None:
                return False
            self._store(key, value, expires_at, now)
            return True

    def delete(self, *keys: str) -> int:
        now = self._now()
        with self._lock:
            return sum(self._pop_live(key, now) for key in keys)

    def delete_prefix(self, prefix: str) -> int:
        now = self._now()
        with self._lock:
            matching = [key for key in self._entries if key.startswith(prefix)]
            return sum(self._pop_live(key, now) for key in matching)

    def ping(self) -> None:
        return None  # always reachable: it lives in this process

    def _capped(self, now: float, expires_at: float) -> float:
        return expires_at if self._max_ttl is None else min(expires_at, now + self._max_ttl)

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _live(self, key: str, now: float) -> bytes | None:
        """The unexpired value under ``key``, marked as just used; an expired one is dropped."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= now:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def _pop_live(self, key: str, now: float) -> bool:
        entry = self._entries.pop(key, None)
        return entry is not None and entry[1] > now  # an expired entry was already gone

    def _store(self, key: str, value: bytes, expires_at: float, now: float) -> None:
        self._entries[key] = (value, expires_at)
        self._entries.move_to_end(key)
        heapq.heappush(self._expiries, (expires_at, key))
        self._drop_expired(now)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        if len(self._expiries) > 2 * len(self._entries) + 64:
            self._expiries = [(exp, k) for k, (_, exp) in self._entries.items()]
            heapq.heapify(self._expiries)

    def _drop_expired(self, now: float) -> None:
        while self._expiries and self._expiries[0][0] <= now:
            expires_at, key = heapq.heappop(self._expiries)
            entry = self._entries.get(key)
            if entry is not None and entry[1] == expires_at:  # not a stale row of a replaced one
                del self._entries[key]


def _expiry(now: float, value: bytes, ttl_seconds: float) -> float:
    if not isinstance(value, bytes):
        raise TypeError(f"cache values are bytes, not {type(value).__name__}")
    if not ttl_seconds > 0:  # also refuses NaN
        raise ValueError(f"ttl_seconds must be positive, not {ttl_seconds!r}")
    return now + ttl_seconds


def open_cache(url: str, clock: Clock | None = None) -> MemoryCache:
    """The cache part's embedded default (``COMMERCE_CACHE_URL=memory://``);
    ``memory://?max_ttl=5`` keeps no value longer than 5 s."""
    query = dict(parse_qsl(urlsplit(url).query))
    unknown = set(query) - {"max_ttl"}
    if unknown:
        raise ValueError(f"memory:// cache takes max_ttl, not {sorted(unknown)[0]!r}")
    raw = query.get("max_ttl")
    try:
        max_ttl = None if raw is None else float(raw)
    except ValueError:
        raise ValueError(f"memory://?max_ttl= needs seconds, not {raw!r}") from None
    return MemoryCache(clock, max_ttl=max_ttl)


class NoCache:
    """A cache that keeps nothing (``COMMERCE_CACHE_URL=none://``): every read goes to the
    database. For several workers without a shared cache, where each worker's own memory
    would serve what another worker changed, and as the baseline of the benchmarks."""

    def get(self, key: str) -> bytes | None:
        return None

    def get_many(self, keys: Iterable[str]) -> Mapping[str, bytes]:
        return {}

    def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        _expiry(0.0, value, ttl_seconds)  # the same refusals as a cache that keeps it

    def add(self, key: str, value: bytes, ttl_seconds: float) -> bool:
        _expiry(0.0, value, ttl_seconds)
        return True

    def delete(self, *keys: str) -> int:
        return 0

    def delete_prefix(self, prefix: str) -> int:
        return 0

    def ping(self) -> None:
        return None


def open_no_cache(url: str, clock: Clock | None = None) -> NoCache:
    return NoCache()
