"""Retry with exponential backoff and full jitter, and a circuit breaker (seed: Reliability)."""

from __future__ import annotations

import enum
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TypeVar

import attrs

from commerce_core.errors import TransientError, Unavailable
from commerce_core.money import Money
from commerce_core.payments.ports import (
    ChargeRequest,
    ChargeResult,
    GatewayEvent,
    PaymentGateway,
    RefundResult,
)

T = TypeVar("T")


@attrs.frozen
class RetryPolicy:
    """``attempts`` tries in all; the n-th wait is uniform in [0, min(cap, base * 2**n)]."""

    attempts: int = 3
    base_delay: float = 0.1
    max_delay: float = 2.0

    def delay(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        return float(rng() * min(self.max_delay, self.base_delay * (2 ** attempt)))


def retry(fn: Callable[[], T], policy: RetryPolicy,
          sleep: Callable[[float], None] = time.sleep,
          rng: Callable[[], float] = random.random) -> T:
    """Call ``fn``; on TransientError wait and try again, up to ``policy.attempts`` times."""
    for attempt in range(policy.attempts):
        try:
            return fn()
        except TransientError:
            if attempt + 1 == policy.attempts:
                raise
            sleep(policy.delay(attempt, rng))
    raise AssertionError("unreachable")  # pragma: no cover


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Fails fast with Unavailable after ``threshold`` failures in a row, for ``reset_after``;
    then lets one trial call through (half open): success closes it, failure re-opens it."""

    def __init__(self, now: Callable[[], datetime], threshold: int = 5,
                 reset_after: timedelta = timedelta(seconds=30), name: str = "gateway") -> None:
        self._now = now
        self._threshold = threshold
        self._reset_after = reset_after
        self._name = name
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: datetime | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._now() - self._opened_at >= self._reset_after:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def call(self, fn: Callable[[], T]) -> T:
        with self._lock:
            state = self._state()
            if state is BreakerState.OPEN or (state is BreakerState.HALF_OPEN
                                              and self._trial_running):
                raise Unavailable(f"{self._name} is unavailable (circuit open); try later",
                                  {"circuit": self._name})
            self._trial_running = state is BreakerState.HALF_OPEN
        try:
            result = fn()
        except TransientError:
            self._record(success=False)
            raise
        self._record(success=True)
        return result

    def _record(self, success: bool) -> None:
        with self._lock:
            self._trial_running = False
            if success:
                self._failures = 0
                self._opened_at = None
                return
            self._failures += 1
            if self._failures >= self._threshold or self._opened_at is not None:
                self._opened_at = self._now()


class ResilientGateway:
    """A PaymentGateway that retries transient failures and trips a breaker when they persist.

    Safe because every gateway call carries an idempotency key: a retried charge is the same
    charge. Declines are answers, not failures, and never count against the breaker.
    """

    def __init__(self, gateway: PaymentGateway, policy: RetryPolicy, breaker: CircuitBreaker,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._gateway = gateway
        self._policy = policy
        self._breaker = breaker
        self._sleep = sleep
        # a gateway that moves no money (a fake, a test-mode key) says so; /health shows it
        self.takes_real_money = bool(getattr(gateway, "takes_real_money", True))
        # how long the gateway may take to show a charge to lookup() (a search index)
        self.search_lag: timedelta = getattr(gateway, "search_lag", timedelta(0))

    @property
    def breaker(self) -> CircuitBreaker:
        return self._breaker

    def _call(self, fn: Callable[[], T]) -> T:
        return retry(lambda: self._breaker.call(fn), self._policy, self._sleep)

    def charge(self, request: ChargeRequest) -> ChargeResult:
        return self._call(lambda: self._gateway.charge(request))

    def lookup(self, idempotency_key: str) -> ChargeResult | None:
        return self._call(lambda: self._gateway.lookup(idempotency_key))

    def void(self, idempotency_key: str) -> bool:
        return self._call(lambda: self._gateway.void(idempotency_key))

    def refund(self, transaction_id: str, amount: Money, idempotency_key: str) -> RefundResult:
        return self._call(lambda: self._gateway.refund(transaction_id, amount, idempotency_key))

    def verify_event(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        return self._gateway.verify_event(body, headers)
