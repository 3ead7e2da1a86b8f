"""Coupons: admins manage any, sellers their own (scoped to their products); each coupon's
usage, by whom and on which order."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from commerce_core.accounts.policy import Role
from commerce_core.pricing.coupons import Coupon, CouponKind
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import (
    AmountIn,
    Body,
    Id,
    Limit,
    Model,
    Moment,
    Page,
    Query,
    Text40,
    Timestamp,
)

API = "/api/v1/coupons"
MANAGERS = frozenset({Role.SELLER, Role.ADMIN})
Kind = Literal["percent", "fixed", "free_shipping"]


class CouponOut(Model):
    code: str
    kind: Kind
    value: str  # a percent, or an amount in ``currency``
    currency: str | None
    min_subtotal: str | None
    starts_at: Timestamp | None
    ends_at: Timestamp | None
    max_uses: int | None
    max_uses_per_user: int | None
    seller_id: Id | None
    category_ids: list[Id]
    is_active: bool
    times_used: int


class Coupons(Model):
    coupons: list[CouponOut]
    total_count: int
    page: int
    limit: int


class NewCoupon(Body):
    code: Text40
    kind: Kind
    value: AmountIn | None = None
    currency: Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")] | None = None
    min_subtotal: AmountIn | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    max_uses: Annotated[int, msgspec.Meta(ge=1)] | None = None
    max_uses_per_user: Annotated[int, msgspec.Meta(ge=1)] | None = None
    seller_id: Id | None = None  # sellers: their own, the default
    category_ids: Annotated[list[Id], msgspec.Meta(max_length=100)] = []


class CouponQuery(Query):
    seller_id: Id | None = None  # admins: one seller's (default: every coupon)
    page: Page = 1
    limit: Limit = 20


class RedemptionOut(Model):
    user_id: Id
    order_id: Id
    redeemed_at: Timestamp


class UsageOut(Model):
    code: str
    times_used: int
    redemptions: list[RedemptionOut]
    total_count: int
    page: int
    limit: int


class UsageQuery(Query):
    page: Page = 1
    limit: Limit = 20


def coupon_out(c: Coupon) -> CouponOut:
    return CouponOut(
        code=c.code, kind=c.kind.value, value=str(c.value), currency=c.currency,
        min_subtotal=None if c.min_subtotal is None else str(c.min_subtotal),
        starts_at=c.starts_at, ends_at=c.ends_at, max_uses=c.max_uses,
        max_uses_per_user=c.max_uses_per_user,
        seller_id=None if c.seller_id is None else Id(c.seller_id),
        category_ids=[Id(i) for i in sorted(c.category_ids)], is_active=c.is_active,
        times_used=c.times_used)


def _create(call: Call[object, NewCoupon]) -> CouponOut:
    b, who = call.body, call.who()
    seller = b.seller_id if b.seller_id is not None or who.is_admin else who.user_id
    coupon = Coupon(b.code, CouponKind(b.kind), b.value if b.value is not None else AmountIn(0),
                    b.currency, b.min_subtotal, b.starts_at, b.ends_at, b.max_uses,
                    b.max_uses_per_user, seller, frozenset(b.category_ids))
    return coupon_out(call.shop.coupons.create(who, coupon))


def _list(call: Call[CouponQuery, None]) -> Coupons:
    q = call.query
    found = call.shop.coupons.list(call.who(), q.seller_id, q.page, q.limit)
    return Coupons(coupons=[coupon_out(c) for c in found.items],
                   total_count=found.total_count, page=found.page, limit=found.limit)


def _get(call: Call[object, None]) -> CouponOut:
    return coupon_out(call.shop.coupons.get(call.who(), call.names["code"]))


def _disable(call: Call[object, None]) -> CouponOut:
    return coupon_out(call.shop.coupons.disable(call.who(), call.names["code"]))


def _enable(call: Call[object, None]) -> CouponOut:
    return coupon_out(call.shop.coupons.enable(call.who(), call.names["code"]))


def _usage(call: Call[UsageQuery, None]) -> UsageOut:
    used = call.shop.coupons.usage(call.who(), call.names["code"], call.query.page,
                                   call.query.limit)
    page = used.redemptions
    return UsageOut(code=used.coupon.code, times_used=used.times_used, redemptions=[
        RedemptionOut(user_id=Id(r.user_id), order_id=Id(r.order_id),
                      redeemed_at=r.redeemed_at) for r in page.items],
                    total_count=page.total_count, page=page.page, limit=page.limit)


list_coupons = Operation("GET", API, "list_coupons",
                         "Coupons: every one (admins) or my own (sellers)", _list,
                         query=CouponQuery, response=Coupons, roles=MANAGERS, tag="coupons")
create_coupon = Operation("POST", API, "create_coupon",
                          "Create a coupon (a seller's applies to their products only)",
                          _create, body=NewCoupon, response=CouponOut, status=201,
                          roles=MANAGERS, errors=(409,), tag="coupons")
get_coupon = Operation("GET", f"{API}/{{code}}", "get_coupon", "A coupon", _get,
                       response=CouponOut, roles=MANAGERS, errors=(404,), tag="coupons")
disable_coupon = Operation("POST", f"{API}/{{code}}/disable", "disable_coupon",
                           "No cart may apply it, no checkout redeem it (its uses stand)",
                           _disable, response=CouponOut, roles=MANAGERS, errors=(404,),
                           tag="coupons")
enable_coupon = Operation("POST", f"{API}/{{code}}/enable", "enable_coupon",
                          "Make a disabled coupon usable again", _enable, response=CouponOut,
                          roles=MANAGERS, errors=(404,), tag="coupons")
coupon_usage = Operation("GET", f"{API}/{{code}}/usage", "coupon_usage",
                         "How often a coupon was used, by whom, on which order", _usage,
                         query=UsageQuery, response=UsageOut, roles=MANAGERS, errors=(404,),
                         tag="coupons")

OPERATIONS = (list_coupons, create_coupon, get_coupon, disable_coupon, enable_coupon,
              coupon_usage)
