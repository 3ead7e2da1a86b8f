"""Orders with their items."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.address import Address
from commerce_core.errors import Conflict, NotFound
from commerce_core.money import Money
from commerce_core.orders.model import (
    Order,
    OrderItem,
    OrderStatus,
    PaymentStatus,
    TimelineEntry,
)
from commerce_core.orders.ports import OrderQuery
from commerce_core.pagination import Page, PageRequest

_ITEM_STATUS = (t.order_items.update()
                .where(t.order_items.c.order_id == sa.bindparam("oid"),
                       t.order_items.c.id.in_(sa.bindparam("item_ids", expanding=True)))
                .values(status=sa.bindparam("item_status")))
# every item of the order to one status: no IN list, so the statement is planned (direct)
_ALL_ITEMS_STATUS = (t.order_items.update()
                     .where(t.order_items.c.order_id == sa.bindparam("oid"))
                     .values(status=sa.bindparam("item_status")))
_STATUS_COLUMNS = ("status", "payment_status", "cancel_reason", "timeline", "updated_at")
_MOVE = (t.orders.update()
         .where(t.orders.c.id == sa.bindparam("oid"),
                t.orders.c.version == sa.bindparam("expected"))
         .values({**{c: sa.bindparam(c) for c in _STATUS_COLUMNS},
                  "version": t.orders.c.version + 1}))
# PostgreSQL: the order's conditional move and its items' status in one statement (a
# writable CTE); no item is touched unless the order row matched its expected version. The
# items as an array (= ANY), not an IN list expanded at each run: the statement is planned
# once (direct)
_MOVED = _MOVE.returning(t.orders.c.id).cte("moved")
_MOVE_WITH_ITEMS = (t.order_items.update().add_cte(_MOVED)
                    .where(t.order_items.c.order_id == sa.select(_MOVED.c.id).scalar_subquery(),
                           t.order_items.c.id == sa.any_(sa.bindparam(
                               "item_ids", type_=postgresql.ARRAY(sa.BigInteger))))
                    .values(status=sa.bindparam("item_status")))
_FILTERS = ("user_id", "seller_id", "status", "from_date", "to_date")


def _order_filters(query: OrderQuery) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Which filters a query sets, and their bound values."""
    values = {name: getattr(query, name) for name in _FILTERS
              if getattr(query, name) is not None}
    if "status" in values:
        values["status"] = values["status"].value
    return tuple(values), {f"f_{k}": v for k, v in values.items()}


@functools.cache
def _where(present: tuple[str, ...]) -> tuple[Any, ...]:
    """The WHERE clauses for a set of filters, built once per combination (bound values)."""
    o, ts = t.orders, t.orders.c.created_at.type
    clauses: list[Any] = []
    for name in present:
        if name == "seller_id":
            clauses.append(sa.exists().where(
                t.order_items.c.order_id == o.c.id,
                t.order_items.c.seller_id == sa.bindparam("f_seller_id")))
        elif name == "from_date":
            clauses.append(o.c.created_at >= sa.bindparam("f_from_date", type_=ts))
        elif name == "to_date":
            clauses.append(o.c.created_at < sa.bindparam("f_to_date", type_=ts))
        else:  # user_id, status: plain equality
            clauses.append(o.c[name] == sa.bindparam(f"f_{name}"))
    return tuple(clauses)


@functools.cache
def _count_stmt(present: tuple[str, ...]) -> sa.Select[Any]:
    return sa.select(sa.func.count()).select_from(t.orders).where(*_where(present))
_PAID = [s.value for s in (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED)]


def _address_json(a: Address) -> dict[str, str]:
    """An address as the orders table's JSON columns hold it, every release alike."""
    return {"line1": a.line1, "city": a.city, "postal_code": a.postal_code,
            "country": a.country, "region": a.region, "line2": a.line2, "name": a.name}


def _address_of(stored: dict[str, str]) -> Address:
    # the optional lines may be absent, as Address's own defaults always allowed
    return Address(stored["line1"], stored["city"], stored["postal_code"], stored["country"],
                   stored.get("region", ""), stored.get("line2", ""), stored.get("name", ""))


def _order_row(o: Order) -> dict[str, Any]:
    return {"id": o.id, "order_number": o.number, "user_id": o.user_id,
            "currency": o.currency, "subtotal": o.subtotal.amount,
            "discount": o.discount.amount, "shipping": o.shipping.amount, "tax": o.tax.amount,
            "total_amount": o.total.amount, "status": o.status.value,
            "payment_status": o.payment_status.value,
            "shipping_address": _address_json(o.shipping_address),
            "billing_address": _address_json(o.billing_address), "coupon_code": o.coupon_code,
            "payment_method": o.payment_method, "cancel_reason": o.cancel_reason,
            "timeline": [{"event": e.event, "timestamp": e.timestamp.isoformat(),
                          "note": e.note} for e in o.timeline],
            "created_at": o.created_at, "updated_at": o.updated_at}


def _item_rows(o: Order) -> list[dict[str, Any]]:
    return [{"id": i.id, "order_id": o.id, "product_id": i.product_id,
             "variant_id": i.variant_id, "sku": i.sku, "product_name": i.product_name,
             "seller_id": i.seller_id, "category_id": i.category_id, "quantity": i.quantity,
             "unit_price": i.unit_price.amount, "subtotal": i.subtotal.amount,
             "discount": i.discount.amount, "tax": i.tax.amount, "status": i.status.value,
             "position": n} for n, i in enumerate(o.items)]


class SqlOrders(SqlRepository):
    def add(self, order: Order) -> None:
        self.insert(t.orders, [_order_row(order)],  # id or number taken
                    taken=Conflict(f"order {order.number} exists",
                                   {"order_number": order.number}))
        self.insert(t.order_items, _item_rows(order))

    def get(self, order_id: int) -> Order:
        row = self.by_key(t.orders, "id", order_id)
        if row is None:
            raise NotFound(f"order {order_id} not found", {"order_id": order_id})
        return self._build([row])[0]

    def update(self, order: Order) -> None:
        row = _order_row(order)
        o = t.orders
        if not self.execute(o.update().where(o.c.id == order.id).values(
                {**{k: v for k, v in row.items() if k not in ("id", "order_number", "user_id")},
                 "version": o.c.version + 1})).rowcount:
            raise NotFound(f"order {order.id} not found", {"order_id": order.id})
        self._store_items(order)
        order.version += 1

    def move(self, order: Order) -> bool:
        row = _order_row(order)
        values = {"oid": order.id, "expected": order.version,
                  **{c: row[c] for c in _STATUS_COLUMNS}}
        statuses = {item.status for item in order.items}
        if self.dialect == "postgresql" and len(statuses) == 1:
            # an order has items, so none updated means the order row did not match
            if not self.execute(_MOVE_WITH_ITEMS, {
                    **values, "item_ids": [i.id for i in order.items],
                    "item_status": statuses.pop().value}).rowcount:
                return False
        else:
            if not self.execute(_MOVE, values).rowcount:
                return False
            self._store_items(order)
        order.version += 1
        return True

    def _store_items(self, order: Order) -> None:
        """Items' statuses, one statement per distinct status (mostly one: then by the
        order's id alone)."""
        by_status: dict[str, list[int]] = defaultdict(list)
        for item in order.items:
            by_status[item.status.value].append(item.id)
        if len(by_status) == 1:
            self.execute(_ALL_ITEMS_STATUS, {"oid": order.id, "item_status": next(iter(by_status))})
            return
        for status, ids in by_status.items():
            self.execute(_ITEM_STATUS, {"oid": order.id, "item_ids": ids,
                                        "item_status": status})

    def count(self, query: OrderQuery) -> int:
        present, values = _order_filters(query)
        return int(self.execute(_count_stmt(present), values).scalar_one())

    def find(self, query: OrderQuery, page: PageRequest) -> Page[Order]:
        present, values = _order_filters(query)
        stmt = sa.select(t.orders).where(*_where(present)).params(values)
        return self.page(stmt.order_by(t.orders.c.created_at.desc(), t.orders.c.id.desc()),
                         page, self._build)

    def created_between(self, since: datetime, until: datetime,
                        seller_id: int | None) -> Sequence[Order]:
        o = t.orders
        stmt = sa.select(o).where(o.c.created_at >= since, o.c.created_at < until)
        if seller_id is not None:
            stmt = stmt.where(sa.exists().where(t.order_items.c.order_id == o.c.id,
                                                t.order_items.c.seller_id == seller_id))
        return self._build(self.rows(stmt.order_by(o.c.created_at, o.c.id)))

    def has_purchased(self, user_id: int, product_id: int) -> bool:
        i = t.order_items
        return self.execute(sa.select(sa.literal(1)).select_from(i.join(
            t.orders, t.orders.c.id == i.c.order_id)).where(
            t.orders.c.user_id == user_id, i.c.product_id == product_id,
            i.c.status.in_(_PAID)).limit(1)).first() is not None

    def _build(self, rows: Sequence[Any]) -> list[Order]:
        ids = [r.id for r in rows]
        if not ids:
            return []
        items: dict[int, list[OrderItem]] = defaultdict(list)
        currency = {r.id: r.currency for r in rows}
        for i in self.by_keys(t.order_items, "order_id", ids, ("order_id", "position")):
            cur = currency[i.order_id]
            items[i.order_id].append(OrderItem(
                i.id, i.product_id, i.variant_id, i.sku, i.product_name, i.seller_id,
                i.quantity, Money(i.unit_price, cur), Money(i.subtotal, cur),
                Money(i.discount, cur), Money(i.tax, cur), OrderStatus(i.status),
                i.category_id))
        return [Order(r.id, r.order_number, r.user_id, r.currency, items[r.id],
                      Money(r.subtotal, r.currency), Money(r.discount, r.currency),
                      Money(r.shipping, r.currency), Money(r.tax, r.currency),
                      _address_of(r.shipping_address), _address_of(r.billing_address),
                      r.created_at, r.updated_at, OrderStatus(r.status),
                      PaymentStatus(r.payment_status), r.coupon_code, r.payment_method,
                      r.cancel_reason,
                      [TimelineEntry(e["event"], datetime.fromisoformat(e["timestamp"]),
                                     e["note"]) for e in r.timeline], r.version)
                for r in rows]
