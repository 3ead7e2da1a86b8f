"""Inventory use cases for sellers and the events every stock change raises."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.clock import Clock
from commerce_core.errors import ValidationError
from commerce_core.events import DomainEvent, InventoryUpdated, LowStock
from commerce_core.inventory.model import MovementType, StockItem, StockMovement
from commerce_core.inventory.ports import MovementQuery
from commerce_core.pagination import Page, PageRequest
from commerce_core.uow import Transactions, UnitOfWork
from commerce_core.validation import choice, whole_number


def stock_events(item: StockItem, available_before: int, reason: str,
                 now: datetime) -> list[DomainEvent]:
    """InventoryUpdated always; LowStock when available falls to the reorder level or below."""
    events: list[DomainEvent] = [InventoryUpdated(
        occurred_at=now, variant_id=item.variant_id, available=item.available,
        reserved=item.reserved, sold=item.sold, reason=reason,
        product_id=item.product_id, available_before=available_before)]
    if item.available <= item.reorder_level < available_before:
        events.append(LowStock(occurred_at=now, variant_id=item.variant_id,
                               seller_id=item.seller_id, available=item.available,
                               reorder_level=item.reorder_level))
    return events


class InventoryService:
    """A seller's stock: counts, restocks, corrections and the movement trail (admins: all)."""

    def __init__(self, tx: Transactions, clock: Clock) -> None:
        self._tx = tx
        self._clock = clock

    def stock(self, actor: Actor, variant_id: int) -> StockItem:
        with self._tx.read() as uow:
            return _own(uow, actor, variant_id)

    def restock(self, actor: Actor, variant_id: int, quantity: int,
                reason: str = "restock") -> StockItem:
        now = self._clock.now()
        with self._tx() as uow:
            before = _own(uow, actor, variant_id).available
            item = uow.inventory.restock(variant_id, quantity, reason, now, actor.user_id)
            uow.record(*stock_events(item, before, "restock", now))
            return item

    def adjust(self, actor: Actor, variant_id: int, delta: int, reason: str) -> StockItem:
        """Correct the count (shrinkage, a recount); the reason is kept in the movement trail."""
        if not (reason or "").strip():
            raise ValidationError("an adjustment needs a reason", {"reason": "required"})
        now = self._clock.now()
        with self._tx() as uow:
            before = _own(uow, actor, variant_id).available
            item = uow.inventory.adjust(variant_id, delta, reason, now, actor.user_id)
            uow.record(*stock_events(item, before, "adjustment", now))
            return item

    def set_reorder_level(self, actor: Actor, variant_id: int, level: int) -> StockItem:
        whole_number("reorder_level", level)
        with self._tx() as uow:
            _own(uow, actor, variant_id)
            return uow.inventory.set_reorder_level(variant_id, level)

    def movements(self, actor: Actor, variant_id: int) -> Sequence[StockMovement]:
        with self._tx.read() as uow:
            _own(uow, actor, variant_id)
            return uow.inventory.movements(variant_id)

    def movement_history(self, actor: Actor, *, variant_id: int | None = None,
                         types: Iterable[MovementType | str] | None = None,
                         seller_id: int | None = None, page: int = 1,
                         limit: int = 20) -> Page[StockMovement]:
        """The stock movements of a seller's variants, newest first, paged; filtered by
        variant and by type (IN, OUT, ADJUSTMENT, RETURN; older trails also hold RESERVE,
        RELEASE, EXPIRE). Sellers see their own (the actor by default); admins any seller,
        or every one when no seller is named. A variant of another seller is refused."""
        if seller_id is None and not actor.is_admin:
            seller_id = actor.user_id
        if seller_id is not None:
            authorize(actor, Action.MANAGE_INVENTORY, seller_id)
        wanted = (None if types is None
                  else frozenset(choice(MovementType, k, "type") for k in types) or None)
        request = PageRequest(page, limit)
        with self._tx.read() as uow:
            if variant_id is not None:
                item = _own(uow, actor, variant_id)
                if seller_id is not None and item.seller_id != seller_id:
                    raise ValidationError(f"variant {variant_id} is not seller {seller_id}'s",
                                          {"variant_id": "another seller's"})
            return uow.inventory.movement_history(
                MovementQuery(seller_id, variant_id, wanted), request)

    def low_stock(self, actor: Actor, seller_id: int | None = None) -> Sequence[StockItem]:
        """Low rows of one seller (the actor by default); admins may ask for every seller."""
        if seller_id is None and not actor.is_admin:
            seller_id = actor.user_id
        if seller_id is not None:
            authorize(actor, Action.MANAGE_INVENTORY, seller_id)
        with self._tx.read() as uow:
            return uow.inventory.low_stock(seller_id)


def _own(uow: UnitOfWork, actor: Actor, variant_id: int) -> StockItem:
    item = uow.inventory.get(variant_id)
    authorize(actor, Action.MANAGE_INVENTORY, item.seller_id, f"stock of variant {variant_id}")
    return item
