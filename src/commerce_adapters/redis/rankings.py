"""Rankings on Redis: one sorted set per board and hour (ZINCRBY, kept for the window), and
the board's sum over the window (ZUNIONSTORE) kept for the seed's 15 minutes, so a read is
one ZREVRANGE while it is fresh. A board's keys share a hash tag: one slot on a Cluster."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from commerce_adapters.redis.client import Client, client, reached
from commerce_core.clock import Clock
from commerce_core.rankings.ports import BUCKET, FRESHNESS

WHAT = "rankings store"
KEEP = timedelta(days=8)  # an hour's bucket outlives any window a shop asks for (a week)
# KEYS: the summed board, its "computed at" key, then the window's buckets. ARGV: now (s),
# freshness (s), limit. Sums again when the kept sum is older than the freshness.
_TOP = """
local at = tonumber(redis.call('GET', KEYS[2]) or '-1')
local now, fresh = tonumber(ARGV[1]), tonumber(ARGV[2])
if at < 0 or now - at >= fresh or now < at then
  local buckets = {}
  for i = 3, #KEYS do buckets[#buckets + 1] = KEYS[i] end
  redis.call('ZUNIONSTORE', KEYS[1], #buckets, unpack(buckets))
  redis.call('SET', KEYS[2], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], math.ceil(fresh * 1000))
  redis.call('PEXPIRE', KEYS[2], math.ceil(fresh * 1000))
end
return redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1, 'WITHSCORES')
"""


class RedisRankings:
    def __init__(self, redis_client: Client, prefix: str = "commerce:") -> None:
        self._redis = redis_client
        self._prefix = prefix
        self._top = redis_client.register_script(_TOP)

    def _key(self, board: str, suffix: str) -> str:
        return f"{self._prefix}{{{board}}}:{suffix}"

    def add(self, board: str, member: int, score: float, at: datetime) -> None:
        key = self._key(board, str(_bucket(at)))
        with reached(WHAT):
            pipe = self._redis.pipeline(transaction=False)
            pipe.zincrby(key, score, str(member))
            pipe.expire(key, int(KEEP.total_seconds()))
            pipe.execute()

    def top(self, board: str, limit: int, now: datetime, window: timedelta
            ) -> Sequence[tuple[int, float]]:
        last = _bucket(now)
        buckets = [self._key(board, str(b))
                   for b in range(last - math.ceil(window / BUCKET) + 1, last + 1)]
        with reached(WHAT):
            flat = self._top(keys=[self._key(board, "top"), self._key(board, "at"), *buckets],
                             args=[repr(now.timestamp()), FRESHNESS.total_seconds(), limit])
        pairs = [(int(flat[i]), float(flat[i + 1])) for i in range(0, len(flat), 2)]
        return sorted(pairs, key=lambda kv: (-kv[1], kv[0]))

    def close(self) -> None:
        self._redis.close()  # the client it was given: its connection pool


def open_rankings(url: str, clock: Clock | None = None, prefix: str = "commerce:"
                  ) -> RedisRankings:
    """Rankings beside the cache (``COMMERCE_CACHE_URL=redis://...``)."""
    return RedisRankings(client(url), prefix)


def _bucket(at: datetime) -> int:
    return math.floor(at.timestamp() / BUCKET.total_seconds())
