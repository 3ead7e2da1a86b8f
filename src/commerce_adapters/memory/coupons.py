"""In-memory coupons and their redemptions."""

from __future__ import annotations

from datetime import datetime

import attrs

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.errors import Conflict, NotFound, ValidationError
from commerce_core.pagination import Page, PageRequest
from commerce_core.pricing.coupons import Coupon, Redemption, normalize_code


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

    def list(self, page: PageRequest, seller_id: int | None = None) -> Page[Coupon]:
        found = [c for _, c in sorted(self._rows.items())
                 if seller_id is None or c.seller_id == seller_id]
        return Page([fresh(c) for c in found[page.offset:page.offset + page.limit]],
                    len(found), page.page, page.limit)

    def redemptions(self, code: str, page: PageRequest) -> Page[Redemption]:
        code = self.get(code).code
        found = sorted((r for (c, _), r in self._redemptions.items() if c == code),
                       key=lambda r: (r.redeemed_at, r.order_id), reverse=True)
        return Page(found[page.offset:page.offset + page.limit], len(found), page.page,
                    page.limit)

    def redeem(self, code: str, user_id: int, order_id: int, now: datetime) -> Coupon:
        coupon = self.get(code)
        if (coupon.code, order_id) in self._redemptions:
            raise Conflict(f"order {order_id} already redeemed {coupon.code}")
        if not coupon.is_active:
            raise ValidationError(f"coupon {coupon.code} is not active",
                                  {"coupon_code": "inactive"})
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
