"""Seller use cases: the store profile, their stock, their order items and refunds of them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.catalog.ports import CatalogSession, ProductQuery
from commerce_core.clock import Clock
from commerce_core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    Unavailable,
    ValidationError,
)
from commerce_core.events import StoreChanged
from commerce_core.inventory.model import StockItem
from commerce_core.inventory.service import stock_events
from commerce_core.money import total
from commerce_core.orders.model import Order, OrderStatus
from commerce_core.orders.ports import OrderQuery
from commerce_core.pagination import Page, PageRequest
from commerce_core.payments.model import PaymentState, Refund
from commerce_core.payments.refunds import RefundDesk
from commerce_core.sellers.model import SellerProfile
from commerce_core.uow import Transactions, UnitOfWork
from commerce_core.validation import given

_PAID = frozenset({OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED})
# money was taken (and perhaps already given back: the refund desk refuses what is not left)
_CAPTURED = frozenset({PaymentState.COMPLETED, PaymentState.PARTIALLY_REFUNDED,
                       PaymentState.REFUNDED})


@attrs.frozen
class StockRow:
    stock: StockItem
    sku: str
    product_name: str


class SellerService:
    def __init__(self, tx: Transactions, refunds: RefundDesk, clock: Clock) -> None:
        self._tx = tx
        self._refunds = refunds
        self._clock = clock

    # Profile --------------------------------------------------------------------------------
    def create_profile(self, actor: Actor, store_name: str, description: str = "",
                       seller_id: int | None = None) -> SellerProfile:
        """Open the seller's store; its rating starts from reviews already written."""
        seller_id = actor.user_id if seller_id is None else seller_id
        authorize(actor, Action.MANAGE_STORE, seller_id)
        now = self._clock.now()
        profile = SellerProfile(seller_id, store_name, now, now, description.strip())
        with self._tx.catalog_read() as catalog:
            for product_id in _product_ids(catalog, seller_id):
                stats = catalog.reviews.stats(product_id)
                profile.add_ratings(stats.total, stats.count)
        with self._tx() as uow:
            uow.sellers.add(profile)
        self._store_changed(seller_id)  # its products' pages now name it
        return profile

    def update_profile(self, actor: Actor, *, store_name: str | None = None,
                       description: str | None = None,
                       seller_id: int | None = None) -> SellerProfile:
        seller_id = actor.user_id if seller_id is None else seller_id
        authorize(actor, Action.MANAGE_STORE, seller_id)
        with self._tx() as uow:
            before = self._profile(uow, seller_id)
            profile = attrs.evolve(
                before, updated_at=self._clock.now(),
                **given(store_name=store_name, description=description and description.strip()))
            uow.sellers.update(profile)
        if profile.store_name != before.store_name:  # the description is on no product page
            self._store_changed(seller_id)
        return profile

    def _store_changed(self, seller_id: int) -> None:
        """Tell the caches (no outbox notice) which product pages name this store."""
        with self._tx.catalog_read() as catalog:
            product_ids = tuple(_product_ids(catalog, seller_id))
        self._tx.announce(StoreChanged(occurred_at=self._clock.now(), seller_id=seller_id,
                                       product_ids=product_ids))

    def profile(self, seller_id: int) -> SellerProfile:
        """The public store profile."""
        with self._tx.read() as uow:
            return self._profile(uow, seller_id)

    def profiles(self, seller_ids: Iterable[int]) -> dict[int, SellerProfile]:
        """The public profiles of these sellers, in one read; a seller with no store is left
        out (a product page names its seller when there is one)."""
        with self._tx.read(replica=True, snapshot=False) as uow:  # one statement
            return uow.sellers.find_many(seller_ids)

    @staticmethod
    def _profile(uow: UnitOfWork, seller_id: int) -> SellerProfile:
        profile = uow.sellers.find(seller_id)
        if profile is None:
            raise NotFound(f"seller {seller_id} not found", {"seller_id": seller_id})
        return profile

    # Stock and orders -----------------------------------------------------------------------
    def inventory(self, actor: Actor, seller_id: int | None = None,
                  low_only: bool = False) -> list[StockRow]:
        """Every variant the seller stocks, with low-stock flags, by product name and SKU."""
        seller_id = actor.user_id if seller_id is None else seller_id
        authorize(actor, Action.MANAGE_INVENTORY, seller_id)
        with self._tx.read() as uow:
            items = [s for s in uow.inventory.for_seller(seller_id) if s.is_low or not low_only]
        with self._tx.catalog_read() as catalog:
            variants = catalog.products.get_variants([s.variant_id for s in items])
            names = {pid: p.name for pid, p in catalog.products.get_many(
                {s.product_id for s in items}).items()}
        rows = [StockRow(s, variants[s.variant_id].sku if s.variant_id in variants else "",
                         names.get(s.product_id, "")) for s in items]
        return sorted(rows, key=lambda r: (r.product_name, r.sku))

    def orders(self, actor: Actor, seller_id: int | None = None, status: str | None = None,
               page: int = 1, limit: int = 20) -> Page[Order]:
        """Orders holding the seller's items, newest first, showing only those items."""
        seller_id = actor.user_id if seller_id is None else seller_id
        authorize(actor, Action.VIEW_SALES, seller_id)
        try:
            wanted = OrderStatus(status.upper()) if status else None
        except ValueError:
            raise ValidationError(f"unknown status {status!r}", {"status": "unknown"}) from None
        with self._tx.read() as uow:
            found = uow.orders.find(OrderQuery(seller_id=seller_id, status=wanted),
                                    PageRequest(page, limit))

        def own_items(order: Order) -> Order:
            order.items = [i for i in order.items if i.seller_id == seller_id]
            return order
        return found.map(own_items)

    # Refunds --------------------------------------------------------------------------------
    def refund_items(self, actor: Actor, order_id: int, item_ids: Sequence[int], reason: str,
                     *, restock: bool = False, idempotency_key: str | None = None) -> Refund:
        """Refund whole order items of one seller (each at most once) from the order's
        payment; ``restock`` puts returned goods back on the shelf (RETURN movements)."""
        if not reason.strip():
            raise ValidationError("a refund needs a reason", {"reason": "required"})
        with self._tx.read() as uow:
            order = uow.orders.get(order_id)
            items = [order.item(i) for i in dict.fromkeys(item_ids)]
            sellers = {i.seller_id for i in items}
            if len(sellers) != 1:
                raise ValidationError("refund the items of one seller at a time",
                                      {"order_item_ids": "empty" if not items else "mixed"})
            seller_id = sellers.pop()
            authorize(actor, Action.REFUND_ITEMS, seller_id, f"order {order_id}")
            unpaid = [i.id for i in items if i.status not in _PAID]
            if unpaid:
                raise InvalidTransition("only paid items can be refunded",
                                        {"order_item_ids": unpaid})
            captured = [p for p in uow.payments.for_order(order_id) if p.status in _CAPTURED]
        if not captured:
            raise Conflict(f"order {order.number} has no captured payment to refund")
        amount = total([i.total for i in items], order.currency)
        try:
            refund, made = self._refunds.issue_once(
                captured[-1].id, amount, reason, idempotency_key, seller_id=seller_id,
                item_ids=[i.id for i in items])
        except Unavailable:  # held and pending: the goods are back all the same
            if restock:
                self._restock(order_id, [i.id for i in items], actor)
            raise
        if restock and made:  # a retry with the same key restocked the first time
            self._restock(order_id, [i.id for i in items], actor)
        return refund

    def _restock(self, order_id: int, item_ids: list[int], actor: Actor) -> None:
        now = self._clock.now()
        with self._tx() as uow:
            order = uow.orders.get(order_id)
            for item in (order.item(i) for i in item_ids):
                before = uow.inventory.get(item.variant_id).available
                row = uow.inventory.return_sold(item.variant_id, item.quantity,
                                                f"refund on order {order.number}", now, order_id)
                uow.record(*stock_events(row, before, "returned", now))
            order.note("ITEMS_RESTOCKED", now, ", ".join(map(str, item_ids)))
            uow.orders.update(order)


def _product_ids(catalog: CatalogSession, seller_id: int) -> list[int]:
    ids: list[int] = []
    page = 1
    while True:
        found = catalog.products.find(ProductQuery(seller_id=seller_id, include_inactive=True),
                                  PageRequest(page, 100))
        ids += [p.id for p in found.items]
        if page * 100 >= found.total_count:
            return ids
        page += 1
