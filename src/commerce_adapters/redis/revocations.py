"""Signed-out tokens on Redis: a key per token whose TTL is the token's remaining life, so
a logout on one worker is refused by every other at once and Redis forgets the token when it
would have expired anyway; an index (a sorted set by expiry) lets ``purge`` say how many went.

All keys share one hash tag, so on a Redis Cluster each script touches a single slot.
"""

from __future__ import annotations

import math
from datetime import datetime

from commerce_adapters.redis.client import Client, reached
from commerce_core.clock import Clock, SystemClock

WHAT = "sessions store"
# kept this long past a token's expiry: a host whose clock runs behind still refuses it
GRACE_SECONDS = 60
# KEYS: the token's key, the index; ARGV: token id, expiry (s), TTL (ms). The first
# revocation of a token sets how long it is kept (NX on both).
_REVOKE = """
if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
end
return 1
"""
# KEYS: the index; ARGV: before (s), the token key prefix. Drops index entries (and keys)
# of tokens that expired strictly before the moment; how many.
_PURGE = """
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
for _, token in ipairs(gone) do redis.call('DEL', ARGV[2] .. token) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
return #gone
"""


class RedisRevocations:
    def __init__(self, redis_client: Client, clock: Clock | None = None,
                 prefix: str = "commerce:") -> None:
        self._redis = redis_client
        self._clock = clock or SystemClock()
        tag = f"{{{prefix}revoked}}"
        self._token_prefix = f"{prefix}{tag}:"
        self._index = f"{prefix}{tag}:index"
        self._revoke = redis_client.register_script(_REVOKE)
        self._purge = redis_client.register_script(_PURGE)

    def revoke(self, token_id: str, expires_at: datetime) -> None:
        expiry = expires_at.timestamp()
        remaining = max(0.0, expiry - self._clock.now().timestamp())
        ttl_ms = math.ceil((remaining + GRACE_SECONDS) * 1000)
        with reached(WHAT):
            self._revoke(keys=[self._token_prefix + token_id, self._index],
                         args=[token_id, repr(expiry), ttl_ms])

    def is_revoked(self, token_id: str) -> bool:
        with reached(WHAT):
            return bool(self._redis.exists(self._token_prefix + token_id))

    def purge(self, expired_before: datetime) -> int:
        # the scripts name the token keys they build from ARGV: all share the index's slot
        with reached(WHAT):
            return int(self._purge(keys=[self._index],
                                   args=[repr(expired_before.timestamp()), self._token_prefix]))
