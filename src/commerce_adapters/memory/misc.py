"""In-memory coupons, idempotency records, outbox and sequences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.errors import Conflict, NotFound, ValidationError
from commerce_core.idempotency import IdempotencyRecord
from commerce_core.pricing.coupons import Coupon, Redemption, normalize_code
from commerce_core.uow import OutboxEntry


class MemoryCoupons:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[str, Coupon] = state.table("coupons")
        self._redemptions = state.table("redemptions")  # (code, order id) -> Redemption
        self._j = journal

    def add(self, coupon: Coupon) -> None:
        if coupon.code in self._rows:
            raise Conflict(f"coupon {coupon.code} exists", {"code": coupon.code})
        self._j.put(self._rows, coupon.code, coupon)

    def get(self, code: str) -> Coupon:
        try:
            return fresh(self._rows[normalize_code(code)])
        except KeyError:
            raise NotFound(f"coupon {normalize_code(code)} not found",
                           {"coupon_code": normalize_code(code)}) from None

    def update(self, coupon: Coupon) -> None:
        stored = self.get(coupon.code)
        self._j.put(self._rows, coupon.code, attrs.evolve(coupon, times_used=stored.times_used))

    def uses_by(self, code: str, user_id: int) -> int:
        code = normalize_code(code)
        return sum(1 for (c, _), r in self._redemptions.items()
                   if c == code and r.user_id == user_id)

    def redeem(self, code: str, user_id: int, order_id: int, now: datetime) -> Coupon:
        coupon = self.get(code)
        if (coupon.code, order_id) in self._redemptions:
            raise Conflict(f"order {order_id} already redeemed {coupon.code}")
        if coupon.max_uses is not None and coupon.times_used >= coupon.max_uses:
            raise ValidationError(f"coupon {coupon.code} is used up",
                                  {"coupon_code": "used_up"})
        if (coupon.max_uses_per_user is not None
                and self.uses_by(coupon.code, user_id) >= coupon.max_uses_per_user):
            raise ValidationError(f"you have already used coupon {coupon.code}",
                                  {"coupon_code": "user_limit"})
        coupon.times_used += 1
        self._j.put(self._rows, coupon.code, coupon)
        self._j.put(self._redemptions, (coupon.code, order_id),
                    Redemption(coupon.code, user_id, order_id, now))
        return fresh(coupon)

    def release(self, code: str, order_id: int) -> None:
        code = normalize_code(code)
        if (code, order_id) not in self._redemptions:
            return
        coupon = self.get(code)
        coupon.times_used -= 1
        self._j.put(self._rows, code, coupon)
        self._j.delete(self._redemptions, (code, order_id))


class MemoryIdempotency:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows = state.table("idempotency")
        self._j = journal

    def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        record: IdempotencyRecord | None = self._rows.get((scope, key))
        return record

    def add(self, record: IdempotencyRecord) -> None:
        if (record.scope, record.key) in self._rows:
            raise Conflict("this Idempotency-Key is already in use",
                           {"idempotency_key": record.key})
        self._j.put(self._rows, (record.scope, record.key), record)

    def purge(self, older_than: datetime) -> int:
        old = [k for k, r in self._rows.items() if r.created_at < older_than]
        for k in old:
            self._j.delete(self._rows, k)
        return len(old)


class MemoryOutbox:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows = state.table("outbox")
        self._j = journal

    def add(self, entry: OutboxEntry) -> None:
        self._j.put(self._rows, entry.id, entry)

    def pending(self, limit: int) -> Sequence[OutboxEntry]:
        waiting = sorted((e for e in self._rows.values() if e.published_at is None),
                         key=lambda e: e.id)
        return waiting[:limit]

    def mark_published(self, entry_ids: Sequence[int], now: datetime) -> None:
        for entry_id in entry_ids:
            entry = self._rows.get(entry_id)
            if entry is not None and entry.published_at is None:
                self._j.put(self._rows, entry_id,
                            OutboxEntry(entry.id, entry.event, entry.created_at, now))


class MemorySequences:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows = state.table("sequences")
        self._j = journal

    def next_value(self, name: str) -> int:
        value = int(self._rows.get(name, 0)) + 1
        self._j.put(self._rows, name, value)
        return value
