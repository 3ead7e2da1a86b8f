"""Coupons: percent, fixed or free shipping; minimum subtotal, window, usage limits, scope."""

from __future__ import annotations

import enum
from collections.abc import Collection
from datetime import datetime
from decimal import Decimal

import attrs

from commerce_core.errors import ValidationError
from commerce_core.money import Money


class CouponKind(enum.StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"
    FREE_SHIPPING = "free_shipping"


def normalize_code(code: str) -> str:
    return (code or "").strip().upper()


def _coupon_error(code: str, reason: str, message: str) -> ValidationError:
    return ValidationError(message, {"coupon_code": reason, "code": code})


@attrs.define
class Coupon:
    code: str = attrs.field(converter=normalize_code)
    kind: CouponKind
    value: Decimal = Decimal(0)
    currency: str | None = None            # required for FIXED
    min_subtotal: Decimal | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    max_uses: int | None = None
    max_uses_per_user: int | None = None
    seller_id: int | None = None           # scope: only this seller's lines
    category_ids: frozenset[int] = frozenset()  # scope: only lines in these categories
    is_active: bool = True
    times_used: int = 0

    def __attrs_post_init__(self) -> None:
        if not self.code:
            raise ValidationError("coupon code must not be blank", {"code": "required"})
        if self.kind is CouponKind.PERCENT and not 0 < self.value <= 100:
            raise ValidationError("percent must be within (0, 100]", {"value": "0 < v <= 100"})
        if self.kind is CouponKind.FIXED:
            if self.value <= 0:
                raise ValidationError("fixed discount must be positive", {"value": "> 0"})
            if self.currency is None:
                raise ValidationError("fixed discount needs a currency", {"currency": "required"})
        for name in ("max_uses", "max_uses_per_user"):
            limit = getattr(self, name)
            if limit is not None and limit < 1:
                raise ValidationError(f"{name} must be >= 1", {name: ">= 1"})
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValidationError("coupon ends before it starts", {"ends_at": "<= starts_at"})

    def in_scope(self, seller_id: int, category_id: int, categories: Collection[int]) -> bool:
        """Whether a line (its seller and category, plus that category's ancestors) qualifies."""
        if self.seller_id is not None and seller_id != self.seller_id:
            return False
        return not self.category_ids or bool(self.category_ids & {category_id, *categories})

    def check_usable(self, now: datetime, user_uses: int) -> None:
        """Raise a ValidationError naming why this coupon cannot be used now by this user."""
        if not self.is_active:
            raise _coupon_error(self.code, "inactive", f"coupon {self.code} is not active")
        if self.starts_at and now < self.starts_at:
            raise _coupon_error(self.code, "not_started", f"coupon {self.code} is not valid yet")
        if self.ends_at and now >= self.ends_at:
            raise _coupon_error(self.code, "expired", f"coupon {self.code} has expired")
        if self.max_uses is not None and self.times_used >= self.max_uses:
            raise _coupon_error(self.code, "used_up", f"coupon {self.code} is used up")
        if self.max_uses_per_user is not None and user_uses >= self.max_uses_per_user:
            raise _coupon_error(self.code, "user_limit",
                                f"you have already used coupon {self.code}")

    def check_subtotal(self, eligible: Money) -> None:
        if eligible.is_zero:
            raise _coupon_error(self.code, "no_eligible_items",
                                f"no item in the cart qualifies for coupon {self.code}")
        if self.min_subtotal is not None and eligible.amount < self.min_subtotal:
            raise _coupon_error(self.code, "below_minimum",
                                f"coupon {self.code} needs a subtotal of at least "
                                f"{self.min_subtotal} {eligible.currency}")

    def discount_on(self, eligible: Money) -> Money:
        """The discount on the qualifying subtotal; never more than that subtotal."""
        if self.kind is CouponKind.PERCENT:
            return eligible.percent(self.value)
        if self.kind is CouponKind.FIXED:
            if self.currency != eligible.currency:
                raise _coupon_error(self.code, "currency",
                                    f"coupon {self.code} is in {self.currency}")
            return Money(self.value, eligible.currency).min(eligible)
        return Money.zero(eligible.currency)

    @property
    def frees_shipping(self) -> bool:
        return self.kind is CouponKind.FREE_SHIPPING


@attrs.frozen
class Redemption:
    code: str
    user_id: int
    order_id: int
    redeemed_at: datetime
