"""Inventory use cases for sellers and the events every stock change raises."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from commerce_core.clock import Clock
from commerce_core.errors import ValidationError
from commerce_core.events import DomainEvent, InventoryUpdated, LowStock
from commerce_core.inventory.model import StockItem, StockMovement
from commerce_core.uow import Transactions
from commerce_core.validation import whole_number


def stock_events(item: StockItem, available_before: int, reason: str,
                 now: datetime) -> list[DomainEvent]:
    """InventoryUpdated always; LowStock when available falls to the reorder level or below."""
    events: list[DomainEvent] = [InventoryUpdated(
        occurred_at=now, variant_id=item.variant_id, available=item.available,
        reserved=item.reserved, sold=item.sold, reason=reason)]
    if item.available <= item.reorder_level < available_before:
        events.append(LowStock(occurred_at=now, variant_id=item.variant_id,
                               seller_id=item.seller_id, available=item.available,
                               reorder_level=item.reorder_level))
    return events


class InventoryService:
    def __init__(self, tx: Transactions, clock: Clock) -> None:
        self._tx = tx
        self._clock = clock

    def stock(self, variant_id: int) -> StockItem:
        with self._tx.read() as uow:
            return uow.inventory.get(variant_id)

    def restock(self, variant_id: int, quantity: int, reason: str = "restock",
                created_by: int | None = None) -> StockItem:
        now = self._clock.now()
        with self._tx() as uow:
            before = uow.inventory.get(variant_id).available
            item = uow.inventory.restock(variant_id, quantity, reason, now, created_by)
            uow.record(*stock_events(item, before, "restock", now))
            return item

    def adjust(self, variant_id: int, delta: int, reason: str,
               created_by: int | None = None) -> StockItem:
        """Correct the count (shrinkage, a recount); the reason is kept in the movement trail."""
        if not (reason or "").strip():
            raise ValidationError("an adjustment needs a reason", {"reason": "required"})
        now = self._clock.now()
        with self._tx() as uow:
            before = uow.inventory.get(variant_id).available
            item = uow.inventory.adjust(variant_id, delta, reason, now, created_by)
            uow.record(*stock_events(item, before, "adjustment", now))
            return item

    def set_reorder_level(self, variant_id: int, level: int) -> StockItem:
        whole_number("reorder_level", level)
        with self._tx() as uow:
            return uow.inventory.set_reorder_level(variant_id, level)

    def movements(self, variant_id: int) -> Sequence[StockMovement]:
        with self._tx.read() as uow:
            uow.inventory.get(variant_id)
            return uow.inventory.movements(variant_id)

    def low_stock(self, seller_id: int | None = None) -> Sequence[StockItem]:
        with self._tx.read() as uow:
            return uow.inventory.low_stock(seller_id)
