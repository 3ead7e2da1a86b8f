"""The sessions part on Redis: token revocations and rate-limit counters in one server."""

from __future__ import annotations

import os

from commerce_adapters.redis.client import client
from commerce_adapters.redis.ratelimit import RedisRateLimiter, failure_mode
from commerce_adapters.redis.revocations import RedisRevocations
from commerce_core.clock import Clock


def open_sessions(url: str, clock: Clock, prefix: str = "commerce:") -> object:
    """``COMMERCE_SESSIONS_URL=redis://...``. ``COMMERCE_RATE_LIMIT_FAILURE``: ``open`` (the
    default: requests pass while Redis is down) or ``closed`` (they get 503)."""
    from commerce_adapters.bootstrap import Sessions  # noqa: PLC0415 (bootstrap imports us lazily)

    redis_client = client(url)
    fail_open = failure_mode(os.environ.get("COMMERCE_RATE_LIMIT_FAILURE", "open"))
    return Sessions(RedisRevocations(redis_client, clock, prefix),
                    RedisRateLimiter(redis_client, clock, prefix, fail_open),
                    close=redis_client.close)
