"""Checkout saga records."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.checkout.model import Checkout, CheckoutState
from commerce_core.errors import Conflict, NotFound

_MOVE = (t.checkouts.update()
         .where(t.checkouts.c.id == sa.bindparam("cid"),
                t.checkouts.c.state == sa.bindparam("expected"))
         .values({c: sa.bindparam(c) for c in ("state", "payment_id", "failure_code",
                                               "failure_message", "updated_at")}))


def _checkout_row(c: Checkout) -> dict[str, Any]:
    return {"id": c.id, "user_id": c.user_id, "order_id": c.order_id,
            "reservation_id": c.reservation_id, "state": c.state.value,
            "coupon_code": c.coupon_code, "payment_id": c.payment_id,
            "failure_code": c.failure_code, "failure_message": c.failure_message,
            "created_at": c.created_at, "updated_at": c.updated_at}


def _checkout(r: Any) -> Checkout:
    return Checkout(r.id, r.user_id, r.order_id, r.reservation_id, CheckoutState(r.state),
                    r.created_at, r.updated_at, r.coupon_code, r.payment_id, r.failure_code,
                    r.failure_message)


class SqlCheckouts(SqlRepository):
    def add(self, checkout: Checkout) -> None:
        self.insert(t.checkouts, [_checkout_row(checkout)],  # one per order
                    taken=Conflict(f"checkout {checkout.id} exists"))

    def get(self, checkout_id: int) -> Checkout:
        row = self.by_key(t.checkouts, "id", checkout_id)
        if row is None:
            raise NotFound(f"checkout {checkout_id} not found")
        return _checkout(row)

    def for_order(self, order_id: int) -> Checkout:
        row = self.by_key(t.checkouts, "order_id", order_id)
        if row is None:
            raise NotFound(f"no checkout for order {order_id}", {"order_id": order_id})
        return _checkout(row)

    def move(self, checkout: Checkout, expected: CheckoutState) -> bool:
        return bool(self.execute(_MOVE, {
            "cid": checkout.id, "expected": expected.value, "state": checkout.state.value,
            "payment_id": checkout.payment_id, "failure_code": checkout.failure_code,
            "failure_message": checkout.failure_message,
            "updated_at": checkout.updated_at}).rowcount)

    def created_between(self, since: datetime, until: datetime) -> Sequence[Checkout]:
        c = t.checkouts
        return [_checkout(r) for r in self.rows(sa.select(c).where(
            c.c.created_at >= since, c.c.created_at < until).order_by(c.c.created_at, c.c.id))]

    def stuck(self, states: Collection[CheckoutState], updated_before: datetime,
              limit: int) -> Sequence[Checkout]:
        c = t.checkouts
        return [_checkout(r) for r in self.rows(sa.select(c).where(
            c.c.state.in_([s.value for s in states]), c.c.updated_at < updated_before)
            .order_by(c.c.updated_at).limit(limit))]
