"""Sales analytics for sellers and the admin dashboard.

Revenue is the item subtotal net of discounts, before tax and shipping; GMV is what buyers
paid in total. Only paid orders count (confirmed, shipped, delivered) and cancelled items are
left out. Amounts are kept per currency; days are UTC dates, both ends included.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import attrs

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.checkout.model import CheckoutState
from commerce_core.errors import ValidationError
from commerce_core.orders.model import Order, OrderItem, OrderStatus
from commerce_core.payments.model import Refund, RefundState
from commerce_core.uow import Transactions

MAX_DAYS = 366
DEFAULT_DAYS = 30
TOP = 5


def period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The days a report covers, both included: those given, else the ``DEFAULT_DAYS``
    up to ``end`` (``today`` when not given)."""
    last = end or today
    return start or last - timedelta(days=DEFAULT_DAYS - 1), last
_PAID = frozenset({OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED})
Amounts = dict[str, Decimal]


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    if start > end:
        raise ValidationError("start is after end", {"start": "> end"})
    if (end - start).days >= MAX_DAYS:
        raise ValidationError(f"a report covers at most {MAX_DAYS} days", {"end": "too far"})
    return (datetime.combine(start, time(), UTC),
            datetime.combine(end + timedelta(days=1), time(), UTC))


def _add(into: Amounts, currency: str, amount: Decimal) -> None:
    into[currency] = into.get(currency, Decimal(0)) + amount


def _live(order: Order, seller_id: int | None = None) -> list[OrderItem]:
    if order.status not in _PAID:
        return []
    return [i for i in order.items if i.status is not OrderStatus.CANCELLED
            and (seller_id is None or i.seller_id == seller_id)]


def _net(item: OrderItem) -> Decimal:
    return (item.subtotal - item.discount).amount


@attrs.frozen
class SalesReport:
    seller_id: int
    start: date
    end: date
    revenue: Amounts
    units: int
    orders: int
    refunds: Amounts
    average_rating: Decimal | None
    per_day: list[dict[str, Any]]
    top_products: list[dict[str, Any]]


@attrs.frozen
class Dashboard:
    start: date
    end: date
    gmv: Amounts
    orders: int
    average_order_value: Amounts
    refunds: Amounts
    checkouts_started: int
    carts_converted: int
    conversion_rate: Decimal | None
    top_categories: list[dict[str, Any]]


class AnalyticsService:
    def __init__(self, tx: Transactions) -> None:
        self._tx = tx

    def seller_sales(self, actor: Actor, start: date, end: date,
                     seller_id: int | None = None) -> SalesReport:
        seller_id = actor.user_id if seller_id is None else seller_id
        authorize(actor, Action.VIEW_SALES, seller_id)
        since, until = _window(start, end)
        with self._tx.read(replica=True) as uow:
            orders = uow.orders.created_between(since, until, seller_id)
            refunds = uow.payments.refunds_between(since, until)
            profile = uow.sellers.find(seller_id)
        days: dict[date, dict[str, Any]] = {}
        revenue: Amounts = {}
        units, count = 0, 0
        by_product: dict[int, dict[str, Any]] = {}
        for order in orders:
            items = _live(order, seller_id)
            if not items:
                continue
            count += 1
            day = days.setdefault(order.created_at.astimezone(UTC).date(),
                                  {"orders": 0, "units": 0, "revenue": {}})
            day["orders"] += 1
            for item in items:
                units += item.quantity
                day["units"] += item.quantity
                _add(revenue, order.currency, _net(item))
                _add(day["revenue"], order.currency, _net(item))
                row = by_product.setdefault(item.product_id, {
                    "product_id": item.product_id, "name": item.product_name, "units": 0,
                    "revenue": {}})
                row["units"] += item.quantity
                _add(row["revenue"], order.currency, _net(item))
        refunded: Amounts = {}
        for r in refunds:
            if r.seller_id == seller_id and r.status is RefundState.COMPLETED:
                _add(refunded, r.amount.currency, r.amount.amount)
        top = sorted(by_product.values(),
                     key=lambda r: (-sum(r["revenue"].values()), -r["units"], r["product_id"]))
        return SalesReport(seller_id, start, end, revenue, units, count, refunded,
                           profile.rating if profile else None,
                           [{"date": d.isoformat(), **days[d]} for d in sorted(days)],
                           top[:TOP])

    def seller_refunds(self, actor: Actor, start: date, end: date,
                       seller_id: int | None = None) -> list[Refund]:
        """A seller's refunds made in the period (days, UTC), newest first, in every state
        (a PENDING one waits for the gateway)."""
        seller_id = actor.user_id if seller_id is None else seller_id
        authorize(actor, Action.VIEW_SALES, seller_id)
        since, until = _window(start, end)
        with self._tx.read(replica=True) as uow:
            found = uow.payments.refunds_between(since, until)
        return sorted((r for r in found if r.seller_id == seller_id),
                      key=lambda r: (r.created_at, r.id), reverse=True)

    def dashboard(self, actor: Actor, start: date, end: date) -> Dashboard:
        authorize(actor, Action.VIEW_DASHBOARD)
        since, until = _window(start, end)
        with self._tx.read(replica=True) as uow:
            orders = uow.orders.created_between(since, until, None)
            refunds = uow.payments.refunds_between(since, until)
            checkouts = uow.checkouts.created_between(since, until)
        with self._tx.catalog_read(replica=True) as catalog:
            names = {c.id: c.name for c in catalog.categories.all()}
        gmv: Amounts = {}
        paid: Counter[str] = Counter()
        by_category: dict[int | None, Amounts] = defaultdict(dict)
        for order in orders:
            items = _live(order)
            if not items:
                continue
            paid[order.currency] += 1
            _add(gmv, order.currency, order.total.amount)
            for item in items:
                _add(by_category[item.category_id], order.currency, _net(item))
        refunded: Amounts = {}
        for r in refunds:
            if r.status is RefundState.COMPLETED:
                _add(refunded, r.amount.currency, r.amount.amount)
        started = len(checkouts)
        converted = sum(1 for c in checkouts if c.state is CheckoutState.COMPLETED)
        return Dashboard(
            start, end, gmv, sum(paid.values()),
            {cur: (amount / paid[cur]).quantize(Decimal("0.01")) for cur, amount in gmv.items()},
            refunded, started, converted,
            (Decimal(converted) / started).quantize(Decimal("0.0001")) if started else None,
            _top_categories(by_category.items(), names))


def _top_categories(rows: Iterable[tuple[int | None, Amounts]], names: dict[int, str]
                    ) -> list[dict[str, Any]]:
    ranked = sorted(rows, key=lambda r: -sum(r[1].values()))
    return [{"category_id": cid, "name": names.get(cid, "") if cid is not None else "",
             "revenue": amounts} for cid, amounts in ranked[:TOP]]
