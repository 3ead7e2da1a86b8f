"""The rate-limiter port: one counter per key and window, shared by every process that uses
the same store (memory: this process; Redis: all of them)."""

from __future__ import annotations

from typing import Protocol

import attrs


@attrs.frozen
class Decision:
    allowed: bool
    remaining: int
    retry_after: float  # seconds until the next request would be allowed (0 when allowed)


class RateLimiter(Protocol):
    def hit(self, key: str, limit: int, window_seconds: float) -> Decision:
        """Count one request for ``key``; allowed while at most ``limit`` fall in the
        current window."""
        ...
