"""Contract of the CouponRepository port (pricing/ports.py): limits and redemptions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from commerce_core.errors import Conflict, NotFound, ValidationError
from commerce_core.pagination import PageRequest
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


def test_coupons_are_listed_by_code_and_by_seller(backend: Backend) -> None:
    with backend.storage.uow_factory() as uow:
        for code, seller in (("C3", 7), ("A1", None), ("B2", 7), ("D4", 8)):
            uow.coupons.add(Coupon(code, CouponKind.PERCENT, Decimal(5), seller_id=seller))
        uow.coupons.update(Coupon("D4", CouponKind.PERCENT, Decimal(5), seller_id=7))
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        every = uow.coupons.list(PageRequest(1, 3))
        assert ([c.code for c in every.items], every.total_count) == (["A1", "B2", "C3"], 4)
        theirs = uow.coupons.list(PageRequest(2, 2), seller_id=7)
        assert ([c.code for c in theirs.items], theirs.total_count) == (["D4"], 3)
        assert uow.coupons.list(PageRequest(), seller_id=8).total_count == 0


def test_redemptions_say_who_used_it_on_which_order_newest_first(backend: Backend) -> None:
    start = backend.clock.now()
    with backend.storage.uow_factory() as uow:
        uow.coupons.add(Coupon("spring", CouponKind.PERCENT, Decimal(5)))
        uow.coupons.add(Coupon("other", CouponKind.PERCENT, Decimal(5)))
        for n, (user, order) in enumerate(((1, 10), (2, 11), (1, 12))):
            uow.coupons.redeem("SPRING", user, order, start + timedelta(minutes=n))
        uow.coupons.redeem("other", 3, 13, start)
        uow.coupons.release("spring", 11)
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        used = uow.coupons.redemptions("Spring", PageRequest())
        assert [(r.user_id, r.order_id) for r in used.items] == [(1, 12), (1, 10)]
        assert used.items[0].redeemed_at == start + timedelta(minutes=2)
        assert used.items[0].code == "SPRING" and used.total_count == 2
        assert uow.coupons.get("spring").times_used == 2
        with pytest.raises(NotFound):
            uow.coupons.redemptions("nope", PageRequest())


def test_a_disabled_coupon_is_not_redeemed(backend: Backend) -> None:
    with backend.storage.uow_factory() as uow:
        uow.coupons.add(Coupon("gone", CouponKind.PERCENT, Decimal(5)))
        uow.coupons.update(Coupon("gone", CouponKind.PERCENT, Decimal(5), is_active=False))
        with pytest.raises(ValidationError) as refused:
            uow.coupons.redeem("gone", 1, 10, backend.clock.now())
        assert refused.value.details["coupon_code"] == "inactive"
        stored = uow.coupons.get("gone")
        assert (stored.is_active, stored.times_used) == (False, 0)
        assert uow.coupons.redemptions("gone", PageRequest()).total_count == 0
