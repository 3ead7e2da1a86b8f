"""The cache port on Redis: values shared by every worker and host, each with a TTL that the
server enforces (its clock, not the shop's)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from redis.cluster import RedisCluster

from commerce_adapters.redis.client import Client, client, reached
from commerce_core.clock import Clock

WHAT = "cache"
_SCAN_BATCH = 500


class RedisCache:
    """A :class:`~commerce_core.cache.ports.Cache` on one Redis (or a Redis Cluster). Keys are
    stored as given: the shop's key scheme carries its own prefix."""

    def __init__(self, redis_client: Client) -> None:
        self._redis = redis_client

    def get(self, key: str) -> bytes | None:
        with reached(WHAT):
            value = self._redis.get(key)
        return value if value is None else bytes(value)  # type: ignore[arg-type]

    def get_many(self, keys: Iterable[str]) -> Mapping[str, bytes]:
        wanted = list(keys)
        if not wanted:
            return {}
        with reached(WHAT):
            if isinstance(self._redis, RedisCluster):  # keys of many slots
                values = self._redis.mget_nonatomic(wanted)
            else:
                values = self._redis.mget(wanted)
        return {k: v for k, v in zip(wanted, values, strict=True) if v is not None}

    def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        ms = _ttl_ms(value, ttl_seconds)
        with reached(WHAT):
            self._redis.set(key, value, px=ms)

    def add(self, key: str, value: bytes, ttl_seconds: float) -> bool:
        ms = _ttl_ms(value, ttl_seconds)
        with reached(WHAT):
            return bool(self._redis.set(key, value, px=ms, nx=True))

    def delete(self, *keys: str) -> int:
        if not keys:
            return 0
        with reached(WHAT):
            return int(self._redis.delete(*keys))

    def delete_prefix(self, prefix: str) -> int:
        """SCAN for the prefix (never KEYS: the server keeps answering others meanwhile), then
        UNLINK in batches; on a cluster, every primary is scanned."""
        pattern = _glob_escape(prefix) + "*"
        removed = 0
        with reached(WHAT):
            batch: list[bytes] = []
            for key in self._redis.scan_iter(match=pattern, count=_SCAN_BATCH):
                batch.append(key)
                if len(batch) >= _SCAN_BATCH:
                    removed += int(self._redis.unlink(*batch))
                    batch = []
            if batch:
                removed += int(self._redis.unlink(*batch))
        return removed

    def ping(self) -> None:
        with reached(WHAT):
            self._redis.ping()

    def close(self) -> None:
        self._redis.close()  # the client it was given: its connection pool


def open_cache(url: str, clock: Clock | None = None) -> RedisCache:
    """The cache part's factory (``COMMERCE_CACHE_URL=redis://...``)."""
    return RedisCache(client(url))


def _ttl_ms(value: bytes, ttl_seconds: float) -> int:
    if not isinstance(value, bytes):
        raise TypeError(f"cache values are bytes, not {type(value).__name__}")
    if not ttl_seconds > 0:  # also refuses NaN
        raise ValueError(f"ttl_seconds must be positive, not {ttl_seconds!r}")
    return max(1, math.ceil(ttl_seconds * 1000))


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)
