"""Contract of the CouponRepository port (pricing/ports.py): limits and redemptions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commerce_core.errors import Conflict, NotFound, ValidationError
from commerce_core.pricing.coupons import Coupon, CouponKind
from tests.contract.conftest import Backend


def test_coupon_limits_are_counted_atomically_and_released(backend: Backend) -> None:
    now = backend.clock.now()
    with backend.storage.uow_factory() as uow:
        uow.coupons.add(Coupon("twice", CouponKind.PERCENT, Decimal(5), max_uses=2,
                               max_uses_per_user=1))
        with pytest.raises(Conflict):
            uow.coupons.add(Coupon("TWICE", CouponKind.PERCENT, Decimal(9)))
        uow.coupons.redeem("twice", user_id=1, order_id=10, now=now)
        with pytest.raises(ValidationError):
            uow.coupons.redeem("TWICE", user_id=1, order_id=11, now=now)   # per-user limit
        uow.coupons.redeem("TWICE", user_id=2, order_id=12, now=now)
        with pytest.raises(ValidationError):
            uow.coupons.redeem("TWICE", user_id=3, order_id=13, now=now)   # total limit
        uow.coupons.release("TWICE", order_id=10)
        uow.coupons.release("TWICE", order_id=10)                            # no-op
        assert uow.coupons.uses_by("twice", 1) == 0
        edited = Coupon("TWICE", CouponKind.PERCENT, Decimal(7), max_uses=2)
        uow.coupons.update(edited)
        assert edited.times_used == 0  # the caller's object is left alone
        stored = uow.coupons.get("twice")
        assert (stored.value, stored.times_used) == (Decimal(7), 1)
        with pytest.raises(NotFound):
            uow.coupons.get("nope")
