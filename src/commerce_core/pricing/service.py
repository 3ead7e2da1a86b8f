"""Coupon management: admins create and manage any coupon, a seller only coupons scoped to
their own products (the rule of ``Commerce.add_coupon``)."""

from __future__ import annotations

import attrs

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.pagination import Page, PageRequest
from commerce_core.pricing.coupons import Coupon, Redemption, normalize_code
from commerce_core.uow import Transactions, UnitOfWork


@attrs.frozen
class CouponUsage:
    """How often a coupon was used, and one page of by whom and on which order."""

    coupon: Coupon
    redemptions: Page[Redemption]

    @property
    def times_used(self) -> int:
        return self.coupon.times_used


def _authorize(actor: Actor, coupon: Coupon) -> None:
    authorize(actor, Action.MANAGE_PRODUCTS, coupon.seller_id, f"coupon {coupon.code}")


class CouponService:
    def __init__(self, tx: Transactions) -> None:
        self._tx = tx

    def create(self, actor: Actor, coupon: Coupon) -> Coupon:
        """Store a new coupon; Conflict if its code exists."""
        _authorize(actor, coupon)
        with self._tx() as uow:
            uow.coupons.add(coupon)
        return coupon

    def list(self, actor: Actor, seller_id: int | None = None, page: int = 1,
             limit: int = 20) -> Page[Coupon]:
        """Admins: every coupon, or one seller's. Sellers: their own (naming another
        seller is refused)."""
        if not actor.is_admin:
            seller_id = actor.user_id if seller_id is None else seller_id
            authorize(actor, Action.MANAGE_PRODUCTS, seller_id, "coupons")
        request = PageRequest(page, limit)
        with self._tx.read() as uow:
            return uow.coupons.list(request, seller_id)

    def get(self, actor: Actor, code: str) -> Coupon:
        with self._tx.read() as uow:
            coupon = uow.coupons.get(code)
        _authorize(actor, coupon)
        return coupon

    def disable(self, actor: Actor, code: str) -> Coupon:
        """No cart may apply it and no checkout redeem it from now on; its redemptions
        stand."""
        return self._set_active(actor, code, False)

    def enable(self, actor: Actor, code: str) -> Coupon:
        return self._set_active(actor, code, True)

    def usage(self, actor: Actor, code: str, page: int = 1, limit: int = 20) -> CouponUsage:
        """The count of standing redemptions and a page of them, newest first."""
        request = PageRequest(page, limit)
        with self._tx.read() as uow:
            coupon = uow.coupons.get(code)
            _authorize(actor, coupon)
            return CouponUsage(coupon, uow.coupons.redemptions(coupon.code, request))

    def _set_active(self, actor: Actor, code: str, active: bool) -> Coupon:
        with self._tx() as uow:
            coupon = _owned(uow, actor, code)
            changed = attrs.evolve(coupon, is_active=active)
            uow.coupons.update(changed)
        return changed


def _owned(uow: UnitOfWork, actor: Actor, code: str) -> Coupon:
    coupon = uow.coupons.get(normalize_code(code))
    _authorize(actor, coupon)
    return coupon
