"""Rate limits per client IP and per signed-in user, through the rate-limiter port."""

from __future__ import annotations

import math

import attrs
import falcon

from commerce_core.errors import RateLimited
from commerce_core.ratelimit.ports import RateLimiter


@attrs.frozen
class Limits:
    per_ip: int = 300        # requests per window from one address
    per_user: int = 120      # requests per window from one signed-in user
    window_seconds: float = 60.0


class RateLimit:
    """Runs after authentication, so a user is counted as themselves wherever they connect
    from; health checks and metrics scrapes are not counted."""

    EXEMPT = frozenset({"/health", "/metrics"})

    def __init__(self, limiter: RateLimiter, limits: Limits) -> None:
        self._limiter = limiter
        self._limits = limits

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.path in self.EXEMPT:
            return
        checks = [(f"ip:{req.remote_addr}", self._limits.per_ip)]
        if req.context.actor is not None:
            checks.append((f"user:{req.context.actor.user_id}", self._limits.per_user))
        for key, limit in checks:
            decision = self._limiter.hit(key, limit, self._limits.window_seconds)
            if not decision.allowed:
                raise RateLimited(f"too many requests; try again in "
                                  f"{max(1, math.ceil(decision.retry_after))} s",
                                  decision.retry_after)
