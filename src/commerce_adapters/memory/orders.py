"""In-memory orders, payments and refunds, and checkout saga records."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.checkout.model import Checkout, CheckoutState
from commerce_core.errors import Conflict, NotFound
from commerce_core.orders.model import Order, OrderStatus
from commerce_core.orders.ports import OrderQuery
from commerce_core.pagination import Page, PageRequest
from commerce_core.payments.model import Payment, PaymentState, Refund, RefundState

_PAID = frozenset({OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED})


class MemoryOrders:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, Order] = state.table("orders")
        self._numbers = state.table("order_numbers")
        self._j = journal

    def add(self, order: Order) -> None:
        if order.id in self._rows or order.number in self._numbers:
            raise Conflict(f"order {order.number} exists", {"order_number": order.number})
        self._j.put(self._numbers, order.number, order.id)
        self._j.put(self._rows, order.id, order)

    def get(self, order_id: int) -> Order:
        try:
            return fresh(self._rows[order_id])
        except KeyError:
            raise NotFound(f"order {order_id} not found", {"order_id": order_id}) from None

    def update(self, order: Order) -> None:
        self.get(order.id)
        self._j.put(self._rows, order.id, order)

    def find(self, query: OrderQuery, page: PageRequest) -> Page[Order]:
        def keep(o: Order) -> bool:
            return ((query.user_id is None or o.user_id == query.user_id)
                    and (query.seller_id is None
                         or any(i.seller_id == query.seller_id for i in o.items))
                    and (query.status is None or o.status is query.status)
                    and (query.from_date is None or o.created_at >= query.from_date)
                    and (query.to_date is None or o.created_at < query.to_date))
        hits = sorted((o for o in self._rows.values() if keep(o)),
                      key=lambda o: (o.created_at, o.id), reverse=True)
        chunk = hits[page.offset:page.offset + page.limit]
        return Page([fresh(o) for o in chunk], len(hits), page.page, page.limit)


    def count(self, query: OrderQuery) -> int:
        return self.find(query, PageRequest(1, 1)).total_count

    def created_between(self, since: datetime, until: datetime,
                        seller_id: int | None) -> Sequence[Order]:
        hits = sorted((o for o in self._rows.values() if since <= o.created_at < until
                       and (seller_id is None or any(i.seller_id == seller_id
                                                     for i in o.items))),
                      key=lambda o: (o.created_at, o.id))
        return [fresh(o) for o in hits]

    def has_purchased(self, user_id: int, product_id: int) -> bool:
        return any(i.product_id == product_id and i.status in _PAID
                   for o in self._rows.values() if o.user_id == user_id for i in o.items)


class MemoryPayments:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, Payment] = state.table("payments")
        self._keys = state.table("payment_keys")          # idempotency key -> id
        self._txns = state.table("payment_transactions")  # transaction id -> id
        self._refunds: dict[int, Refund] = state.table("refunds")
        self._j = journal

    def add(self, payment: Payment) -> None:
        if payment.id in self._rows or payment.idempotency_key in self._keys:
            raise Conflict(f"payment {payment.id} exists")
        self._j.put(self._keys, payment.idempotency_key, payment.id)
        self._index_txn(payment)
        self._j.put(self._rows, payment.id, payment)

    def _index_txn(self, payment: Payment) -> None:
        if payment.transaction_id:
            owner = self._txns.get(payment.transaction_id)
            if owner is not None and owner != payment.id:
                raise Conflict(f"transaction {payment.transaction_id} belongs to another "
                               "payment", {"transaction_id": payment.transaction_id})
            self._j.put(self._txns, payment.transaction_id, payment.id)

    def get(self, payment_id: int) -> Payment:
        try:
            return fresh(self._rows[payment_id])
        except KeyError:
            raise NotFound(f"payment {payment_id} not found",
                           {"payment_id": payment_id}) from None

    def update(self, payment: Payment) -> None:
        self.get(payment.id)
        self._index_txn(payment)
        self._j.put(self._rows, payment.id, payment)

    def for_order(self, order_id: int) -> Sequence[Payment]:
        found = [p for p in self._rows.values() if p.order_id == order_id]
        return [fresh(p) for p in sorted(found, key=lambda p: (p.created_at, p.id))]

    def by_transaction(self, transaction_id: str) -> Payment:
        if transaction_id not in self._txns:
            raise NotFound(f"no payment for transaction {transaction_id}",
                           {"transaction_id": transaction_id})
        return self.get(self._txns[transaction_id])

    def add_refund(self, refund: Refund) -> None:
        if refund.id in self._refunds:
            raise Conflict(f"refund {refund.id} exists")
        self._j.put(self._refunds, refund.id, refund)

    def update_refund(self, refund: Refund) -> None:
        self.get_refund(refund.id)
        self._j.put(self._refunds, refund.id, refund)

    def get_refund(self, refund_id: int) -> Refund:
        try:
            return fresh(self._refunds[refund_id])
        except KeyError:
            raise NotFound(f"refund {refund_id} not found", {"refund_id": refund_id}) from None

    def refunds(self, payment_id: int) -> Sequence[Refund]:
        found = [r for r in self._refunds.values() if r.payment_id == payment_id]
        return [fresh(r) for r in sorted(found, key=lambda r: (r.created_at, r.id))]

    def refunds_between(self, since: datetime, until: datetime) -> Sequence[Refund]:
        hits = sorted((r for r in self._refunds.values() if since <= r.created_at < until),
                      key=lambda r: (r.created_at, r.id))
        return [fresh(r) for r in hits]

    def failures_since(self, user_id: int, since: datetime) -> int:
        return sum(1 for p in self._rows.values() if p.user_id == user_id
                   and p.status is PaymentState.FAILED and p.updated_at >= since)

    def pending_refunds(self, created_before: datetime, limit: int) -> Sequence[Refund]:
        found = sorted((r for r in self._refunds.values()
                        if r.status is RefundState.PENDING and r.created_at < created_before),
                       key=lambda r: r.created_at)
        return [fresh(r) for r in found[:limit]]


class MemoryCheckouts:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, Checkout] = state.table("checkouts")
        self._by_order = state.table("checkout_orders")
        self._j = journal

    def add(self, checkout: Checkout) -> None:
        if checkout.id in self._rows or checkout.order_id in self._by_order:
            raise Conflict(f"checkout {checkout.id} exists")
        self._j.put(self._by_order, checkout.order_id, checkout.id)
        self._j.put(self._rows, checkout.id, checkout)

    def get(self, checkout_id: int) -> Checkout:
        try:
            return fresh(self._rows[checkout_id])
        except KeyError:
            raise NotFound(f"checkout {checkout_id} not found") from None

    def for_order(self, order_id: int) -> Checkout:
        if order_id not in self._by_order:
            raise NotFound(f"no checkout for order {order_id}", {"order_id": order_id})
        return self.get(self._by_order[order_id])

    def update(self, checkout: Checkout) -> None:
        self.get(checkout.id)
        self._j.put(self._rows, checkout.id, checkout)

    def created_between(self, since: datetime, until: datetime) -> Sequence[Checkout]:
        hits = sorted((c for c in self._rows.values() if since <= c.created_at < until),
                      key=lambda c: (c.created_at, c.id))
        return [fresh(c) for c in hits]

    def stuck(self, states: Collection[CheckoutState], updated_before: datetime,
              limit: int) -> Sequence[Checkout]:
        found = sorted((c for c in self._rows.values()
                        if c.state in states and c.updated_at < updated_before),
                       key=lambda c: c.updated_at)
        return [fresh(c) for c in found[:limit]]
