"""Cache-aside over the :class:`~commerce_core.cache.ports.Cache` port.

A read asks the cache first; on a miss one caller per key (the one whose ``add`` of the
key's loader lock wins) loads from the truth and stores the value, while the others wait a
moment for it instead of all hitting the database at once (stampede protection). A cache
that does not answer is bypassed: the value is loaded and served, never a 500. An
invalidation that could not reach the cache is kept and sent again once it answers, so a
cache coming back never serves what changed while it was away.

Values are bytes; what they mean is the caller's (the HTTP API caches rendered JSON). The
checkout never reads through here: it prices from the catalog store.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping

from commerce_core.cache.keys import GENERATION_TTL, CacheKeys
from commerce_core.cache.ports import Cache
from commerce_core.errors import Unavailable

log = logging.getLogger(__name__)
HIT, MISS, ERROR = "hit", "miss", "error"
_PENDING_MAX = 10_000  # invalidations kept while the cache is down; past that, all listings


class CacheAside:
    """``lock_ttl``: how long a loader may hold a key's lock; ``wait``: how long the others
    wait for its value before loading themselves."""

    def __init__(self, cache: Cache, keys: CacheKeys | None = None, *,
                 lock_ttl: float = 10.0, wait: float = 2.0,
                 poll: float = 0.005, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.cache = cache
        self.keys = keys or CacheKeys()
        self._lock_ttl, self._wait, self._poll = lock_ttl, wait, poll
        self._sleep, self._monotonic = sleep, monotonic
        self._observers: list[Callable[[str], None]] = []
        self._counts = {HIT: 0, MISS: 0, ERROR: 0}
        self._count_lock = threading.Lock()
        self._pending_keys: set[str] = set()
        self._pending_namespaces: set[str] = set()
        self._pending_prefixes: set[str] = set()  # only once too many were kept: all of it
        self._pending_lock = threading.Lock()

    # What happened: counted here and told to observers (the HTTP API's /metrics) ----------
    def observe(self, observer: Callable[[str], None]) -> None:
        """Call ``observer`` with "hit", "miss" or "error" for each key read."""
        self._observers.append(observer)

    def counts(self) -> dict[str, int]:
        with self._count_lock:
            return dict(self._counts)

    def _tell(self, what: str, n: int = 1) -> None:
        with self._count_lock:
            self._counts[what] += n
        for observer in self._observers:
            for _ in range(n):
                observer(what)

    # Reads ---------------------------------------------------------------------------------
    def fetch(self, key: str, ttl: float, load: Callable[[], bytes]) -> bytes:
        """The value under ``key``, loaded by ``load`` and kept ``ttl`` seconds on a miss."""
        return self.fetch_many({key: ttl}, lambda: {key: load()})[key]

    def fetch_many(self, ttls: Mapping[str, float],
                   load: Callable[[], Mapping[str, bytes]]) -> Mapping[str, bytes]:
        """The values of every key of ``ttls`` (one round trip when all are cached); if any
        is missing, ``load`` gives them all and the missing ones are stored."""
        try:
            self._flush_pending()
            found = dict(self.cache.get_many(ttls))
        except Unavailable:
            self._tell(ERROR, len(ttls))
            return load()
        missing = [k for k in ttls if k not in found]
        if not missing:
            self._tell(HIT, len(ttls))
            return found
        self._tell(HIT, len(found))
        self._tell(MISS, len(missing))
        try:
            return {**found, **self._load_once(missing, ttls, load)}
        except Unavailable:  # the cache went away mid-way: serve from the truth
            self._tell(ERROR)
            return load()

    def fetch_in(self, namespace: str, key: str, ttl: float, load: Callable[[], bytes]
                 ) -> bytes:
        """The value under ``key`` in a versioned ``namespace`` (see
        :meth:`invalidate_namespace`): the namespace's generation is read, then the value
        under the key that embeds it, with the stampede protection of :meth:`fetch`."""
        try:
            self._flush_pending()
            generation = self._generation(namespace)
        except Unavailable:
            self._tell(ERROR)
            return load()
        return self.fetch(f"{namespace}{generation}:{key}", ttl, load)

    def _generation(self, namespace: str) -> str:
        gen_key = _generation_key(namespace)
        found = self.cache.get(gen_key)
        if found is None:  # first use, or expired or evicted: a fresh one, so no old page
            fresh = _new_generation()  # can be read again
            if self.cache.add(gen_key, fresh, GENERATION_TTL):
                return fresh.decode()
            found = self.cache.get(gen_key) or fresh
        return found.decode()

    def _load_once(self, missing: list[str], ttls: Mapping[str, float],
                   load: Callable[[], Mapping[str, bytes]]) -> Mapping[str, bytes]:
        lock, token = _lock_key(missing[0]), uuid.uuid4().hex.encode()
        if not self.cache.add(lock, token, self._lock_ttl):
            waited = self._wait_for(missing)
            if waited is not None:
                return waited
            return load()  # the loader is slow or gone: load, but leave storing to it
        try:
            values = load()
            for key in missing:
                self.cache.set(key, values[key], ttls[key])
            if self.cache.get(lock) != token:
                # invalidated while loading (the invalidation drops the lock): what was just
                # stored may predate the change, so it goes
                self.cache.delete(*missing)
            return values
        finally:
            self.cache.delete(lock)

    def _wait_for(self, keys: list[str]) -> Mapping[str, bytes] | None:
        deadline = self._monotonic() + self._wait
        while self._monotonic() < deadline:
            self._sleep(self._poll)
            found = self.cache.get_many(keys)
            if len(found) == len(keys):
                return found
        return None

    # Invalidation ----------------------------------------------------------------------------
    def invalidate(self, *keys: str) -> None:
        """Drop ``keys`` (and their loader locks); kept for later if the cache is down."""
        if not keys:
            return
        try:
            self._flush_pending()
            self.cache.delete(*keys, *map(_lock_key, keys))
        except Unavailable:
            self._keep(keys, ())

    def invalidate_namespace(self, *namespaces: str) -> None:
        """Make every value of each namespace unreachable by giving it a new generation: one
        write each, whatever the number of keys (no scan); the old values die by their TTL.
        The generation is a random token rather than a counter, so a generation key that
        was evicted or expired never comes back as one whose pages are still stored. Kept
        for later if the cache is down."""
        try:
            self._flush_pending()
            for namespace in namespaces:
                self._bump(namespace)
        except Unavailable:
            self._keep((), namespaces)

    def _bump(self, namespace: str) -> None:
        self.cache.set(_generation_key(namespace), _new_generation(), GENERATION_TTL)

    def _keep(self, keys: tuple[str, ...] | set[str], namespaces: tuple[str, ...] | set[str]
              ) -> None:
        self._tell(ERROR)
        with self._pending_lock:
            self._pending_keys.update(keys)
            self._pending_namespaces.update(namespaces)
            if len(self._pending_keys) > _PENDING_MAX:
                log.warning("the cache has been down for %d invalidations; it will be "
                            "emptied when it answers", _PENDING_MAX)
                self._pending_keys.clear()
                self._pending_namespaces.update(self.keys.listings)
                self._pending_prefixes.update(self.keys.every_prefix)

    def _flush_pending(self) -> None:
        if not (self._pending_keys or self._pending_namespaces or self._pending_prefixes):
            return
        with self._pending_lock:
            keys, self._pending_keys = self._pending_keys, set()
            namespaces, self._pending_namespaces = self._pending_namespaces, set()
            prefixes, self._pending_prefixes = self._pending_prefixes, set()
        try:
            if keys:
                self.cache.delete(*keys, *map(_lock_key, keys))
            for namespace in sorted(namespaces):
                self._bump(namespace)
            for prefix in sorted(prefixes):  # the rare "down too long": a scan, once
                self.cache.delete_prefix(prefix)
        except Unavailable:
            with self._pending_lock:  # still down: keep them, and say so to the caller
                self._pending_keys.update(keys)
                self._pending_namespaces.update(namespaces)
                self._pending_prefixes.update(prefixes)
            raise

    @property
    def behind(self) -> bool:
        """Whether invalidations wait for the cache to answer again."""
        return bool(self._pending_keys or self._pending_namespaces or self._pending_prefixes)


def _lock_key(key: str) -> str:
    return f"{key}:loading"


def _generation_key(namespace: str) -> str:
    return f"{namespace}generation"


def _new_generation() -> bytes:
    return uuid.uuid4().hex[:16].encode()
