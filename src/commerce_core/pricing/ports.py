"""Coupon storage (inside a unit of work, so a redemption commits with its order)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from commerce_core.pagination import Page, PageRequest
from commerce_core.pricing.coupons import Coupon, Redemption


class CouponRepository(Protocol):
    def add(self, coupon: Coupon) -> None:
        """Conflict if the code exists."""
        ...

    def get(self, code: str) -> Coupon:
        """The coupon by code (case-insensitive); NotFound if absent."""
        ...

    def update(self, coupon: Coupon) -> None:
        """Replace the coupon's terms (not its usage count)."""
        ...

    def uses_by(self, code: str, user_id: int) -> int:
        """How many standing redemptions ``user_id`` has of ``code``."""
        ...

    def list(self, page: PageRequest, seller_id: int | None = None) -> Page[Coupon]:
        """Coupons by code; only those scoped to ``seller_id`` when it is given."""
        ...

    def redemptions(self, code: str, page: PageRequest) -> Page[Redemption]:
        """The coupon's standing redemptions (who, which order), newest first; NotFound if
        there is no such coupon."""
        ...

    def redeem(self, code: str, user_id: int, order_id: int, now: datetime) -> Coupon:
        """Count one use atomically: ValidationError if the coupon is disabled or the total
        or per-user limit would pass (checked against the stored coupon, not the caller's)."""
        ...

    def release(self, code: str, order_id: int) -> None:
        """Undo the order's redemption (a cancelled checkout); no-op if there is none."""
        ...
