"""The rate limiter on Redis: a sliding-window log per key, shared by every worker and host.

One Lua script per hit drops the requests that left the window, counts the rest and, when
there is room, records this one, atomically: at most ``limit`` requests are allowed in any
``window_seconds``, whichever worker serves them, and a refused request is told exactly when
the oldest counted one leaves the window (its ``Retry-After``). Refused requests are not
recorded, so they do not push that moment back. Time comes from the shop's clock, so every
host must keep its clock in step (NTP), as token expiry already needs.
"""

from __future__ import annotations

import logging
import uuid

import redis

from commerce_adapters.redis.client import Client, reached
from commerce_core.clock import Clock, SystemClock
from commerce_core.errors import Unavailable
from commerce_core.ratelimit.ports import Decision

log = logging.getLogger(__name__)
WHAT = "rate limiter"
FAILURE_MODES = ("open", "closed")
# KEYS[1] the log; ARGV: now, window (s), limit, a unique member. Returns allowed (0/1),
# remaining, and retry_after as a string (a Lua number would be truncated to an integer).
_HIT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
  return {1, limit - count - 1, '0'}
end
local frees = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
return {0, 0, tostring(tonumber(frees[2]) + window - now)}
"""


class RedisRateLimiter:
    """``fail_open``: when Redis does not answer, allow the request (and log it) instead of
    raising :class:`Unavailable` (a 503)."""

    def __init__(self, redis_client: Client, clock: Clock | None = None,
                 prefix: str = "commerce:", fail_open: bool = True) -> None:
        self._clock = clock or SystemClock()
        self._prefix = prefix
        self._fail_open = fail_open
        self._hit = redis_client.register_script(_HIT)

    def hit(self, key: str, limit: int, window_seconds: float) -> Decision:
        now = self._clock.now().timestamp()
        try:
            with reached(WHAT):
                allowed, remaining, retry = self._hit(
                    keys=[f"{self._prefix}ratelimit:{{{key}}}"],
                    args=[repr(now), repr(float(window_seconds)), limit, uuid.uuid4().hex])
        except Unavailable:
            if not self._fail_open:
                raise
            log.warning("the rate limiter's Redis did not answer; request let through")
            return Decision(True, limit, 0.0)
        except redis.ResponseError as ex:  # a script error is a bug, never a pass
            raise RuntimeError(f"rate-limit script failed: {ex}") from ex
        return Decision(bool(allowed), int(remaining), max(0.0, float(retry)))


def failure_mode(value: str) -> bool:
    """``open`` -> True (fail open), ``closed`` -> False; ValueError naming the setting."""
    chosen = value.strip().lower() or "open"
    if chosen not in FAILURE_MODES:
        raise ValueError(f"COMMERCE_RATE_LIMIT_FAILURE must be open or closed, not {value!r}")
    return chosen == "open"

