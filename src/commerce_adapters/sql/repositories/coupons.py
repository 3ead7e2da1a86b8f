"""Coupons and their redemptions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.errors import Conflict, NotFound, ValidationError
from commerce_core.pagination import Page, PageRequest
from commerce_core.pricing.coupons import Coupon, CouponKind, Redemption, normalize_code


def _coupon_data(c: Coupon) -> dict[str, Any]:
    return {"kind": c.kind.value, "value": str(c.value), "currency": c.currency,
            "min_subtotal": None if c.min_subtotal is None else str(c.min_subtotal),
            "starts_at": c.starts_at.isoformat() if c.starts_at else None,
            "ends_at": c.ends_at.isoformat() if c.ends_at else None,
            "seller_id": c.seller_id, "category_ids": sorted(c.category_ids),
            "is_active": c.is_active}


def _coupon(r: Any) -> Coupon:
    d = r.data
    return Coupon(r.code, CouponKind(d["kind"]), Decimal(d["value"]), d["currency"],
                  None if d["min_subtotal"] is None else Decimal(d["min_subtotal"]),
                  datetime.fromisoformat(d["starts_at"]) if d["starts_at"] else None,
                  datetime.fromisoformat(d["ends_at"]) if d["ends_at"] else None,
                  r.max_uses, r.max_uses_per_user, d["seller_id"],
                  frozenset(d["category_ids"]), d["is_active"], r.times_used)


class SqlCoupons(SqlRepository):
    def add(self, coupon: Coupon) -> None:
        if self.execute(sa.select(t.coupons.c.code).where(
                t.coupons.c.code == coupon.code)).first() is not None:
            raise Conflict(f"coupon {coupon.code} exists", {"code": coupon.code})
        self.execute(t.coupons.insert(), {
            "code": coupon.code, "data": _coupon_data(coupon), "times_used": coupon.times_used,
            "max_uses": coupon.max_uses, "max_uses_per_user": coupon.max_uses_per_user,
            "seller_id": coupon.seller_id})

    def get(self, code: str) -> Coupon:
        code = normalize_code(code)
        row = self.execute(sa.select(t.coupons).where(t.coupons.c.code == code)).first()
        if row is None:
            raise NotFound(f"coupon {code} not found", {"coupon_code": code})
        return _coupon(row)

    def update(self, coupon: Coupon) -> None:
        done = self.execute(t.coupons.update().where(t.coupons.c.code == coupon.code).values(
            data=_coupon_data(coupon), max_uses=coupon.max_uses,
            max_uses_per_user=coupon.max_uses_per_user,
            seller_id=coupon.seller_id))  # times_used is the store's own
        if not done.rowcount:
            raise NotFound(f"coupon {coupon.code} not found", {"coupon_code": coupon.code})

    def uses_by(self, code: str, user_id: int) -> int:
        r = t.coupon_redemptions
        return int(self.execute(sa.select(sa.func.count()).where(
            r.c.code == normalize_code(code), r.c.user_id == user_id)).scalar_one())

    def list(self, page: PageRequest, seller_id: int | None = None) -> Page[Coupon]:
        c = t.coupons
        stmt = sa.select(c).order_by(c.c.code)
        if seller_id is not None:
            stmt = stmt.where(c.c.seller_id == seller_id)
        return self.page(stmt, page, lambda rows: [_coupon(r) for r in rows])

    def redemptions(self, code: str, page: PageRequest) -> Page[Redemption]:
        code = self.get(code).code
        r = t.coupon_redemptions
        stmt = (sa.select(r).where(r.c.code == code)
                .order_by(r.c.redeemed_at.desc(), r.c.order_id.desc()))
        return self.page(stmt, page, lambda rows: [
            Redemption(x.code, x.user_id, x.order_id, x.redeemed_at) for x in rows])

    def redeem(self, code: str, user_id: int, order_id: int, now: datetime) -> Coupon:
        """Count one use; a refusal changes nothing. The coupon row is locked first, so a
        concurrent redemption of the same coupon waits and then sees this one's count."""
        code = normalize_code(code)
        c = t.coupons
        locked = self.one(sa.select(c).where(c.c.code == code))
        if locked is None:
            raise NotFound(f"coupon {code} not found", {"coupon_code": code})
        if self.execute(sa.select(t.coupon_redemptions.c.code).where(
                t.coupon_redemptions.c.code == code,
                t.coupon_redemptions.c.order_id == order_id)).first() is not None:
            raise Conflict(f"order {order_id} already redeemed {code}")
        if not locked.data["is_active"]:  # disabled since the checkout read it
            raise ValidationError(f"coupon {code} is not active", {"coupon_code": "inactive"})
        if (locked.max_uses_per_user is not None
                and self.uses_by(code, user_id) >= locked.max_uses_per_user):
            raise ValidationError(f"you have already used coupon {code}",
                                  {"coupon_code": "user_limit"})
        row = self.execute(c.update().where(
            c.c.code == code, sa.or_(c.c.max_uses.is_(None), c.c.times_used < c.c.max_uses))
            .values(times_used=c.c.times_used + 1).returning(*c.c)).first()
        if row is None:
            raise ValidationError(f"coupon {code} is used up", {"coupon_code": "used_up"})
        self.execute(t.coupon_redemptions.insert(), {
            "code": code, "order_id": order_id, "user_id": user_id, "redeemed_at": now})
        return _coupon(row)

    def release(self, code: str, order_id: int) -> None:
        code = normalize_code(code)
        r = t.coupon_redemptions
        gone = self.execute(r.delete().where(r.c.code == code, r.c.order_id == order_id))
        if gone.rowcount:
            self.execute(t.coupons.update().where(t.coupons.c.code == code)
                         .values(times_used=t.coupons.c.times_used - 1))
