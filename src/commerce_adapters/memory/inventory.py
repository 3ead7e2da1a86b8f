"""In-memory inventory: the core's stock arithmetic applied under the unit of work's lock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.errors import Conflict, InsufficientStock, NotFound, ValidationError
from commerce_core.inventory.model import (
    MovementType,
    Reservation,
    ReservationStatus,
    StockItem,
    StockMovement,
)
from commerce_core.inventory.ports import MovementQuery
from commerce_core.pagination import Page, PageRequest


class MemoryInventory:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._stock = state.table("stock")
        self._reservations = state.table("reservations")
        self._movements = state.table("movements")   # variant id -> list, append-only
        self._ids = state.ids
        self._j = journal

    def add(self, item: StockItem) -> None:
        if item.variant_id in self._stock:
            raise Conflict(f"variant {item.variant_id} already has stock")
        self._j.put(self._stock, item.variant_id, item)

    def get(self, variant_id: int) -> StockItem:
        return fresh(self._row(variant_id))

    def _row(self, variant_id: int) -> StockItem:
        try:
            row: StockItem = self._stock[variant_id]
        except KeyError:
            raise NotFound(f"no stock for variant {variant_id}",
                           {"variant_id": variant_id}) from None
        return row

    def get_many(self, variant_ids: Iterable[int]) -> dict[int, StockItem]:
        return {v: fresh(self._stock[v]) for v in variant_ids if v in self._stock}

    def _store(self, item: StockItem, now: datetime) -> StockItem:
        item.updated_at = now
        self._j.put(self._stock, item.variant_id, item)
        return fresh(item)

    def _save(self, item: StockItem, now: datetime, kind: MovementType, quantity: int,
              reason: str, **refs: Any) -> StockItem:
        after = self._store(item, now)
        movement = StockMovement(self._ids.next_id(), item.variant_id, kind, quantity, reason,
                                 now, **refs)
        self._j.append(self._movements, item.variant_id, movement)  # frozen: no copy
        return after

    def reserve(self, reservation: Reservation, now: datetime) -> list[StockItem]:
        if reservation.id in self._reservations:
            raise Conflict(f"reservation {reservation.id} exists")
        rows = [fresh(self._row(line.variant_id)) for line in reservation.lines]
        short = [{"variant_id": row.variant_id, "requested": line.quantity,
                  "available": row.available}
                 for row, line in zip(rows, reservation.lines, strict=True)
                 if row.available < line.quantity]
        if short:
            raise InsufficientStock(short)
        after = []
        for row, line in zip(rows, reservation.lines, strict=True):
            row.reserve(line.quantity)
            after.append(self._store(row, now))  # a hold's trail is its reservation
        self._j.put(self._reservations, reservation.id, reservation)
        return after

    def _active(self, reservation_id: int) -> Reservation | None:
        reservation: Reservation = fresh(self._reservation(reservation_id))
        return reservation if reservation.is_active else None

    def _reservation(self, reservation_id: int) -> Reservation:
        try:
            found: Reservation = self._reservations[reservation_id]
        except KeyError:
            raise NotFound(f"reservation {reservation_id} not found") from None
        return found

    def commit(self, held: Reservation, now: datetime) -> list[StockItem]:
        reservation_id = held.id
        reservation = self._active(reservation_id)
        if reservation is None:
            raise Conflict(f"reservation {reservation_id} is not active",
                           {"status": self._reservation(reservation_id).status.value})
        after = []
        for line in reservation.lines:
            row = fresh(self._row(line.variant_id))
            row.commit(line.quantity)
            after.append(self._save(row, now, MovementType.OUT, line.quantity, "sold",
                                    order_id=reservation.order_id,
                                    reservation_id=reservation.id))
        reservation.status, reservation.ended_at = ReservationStatus.COMMITTED, now
        self._j.put(self._reservations, reservation.id, reservation)
        return after

    def release(self, held: Reservation, now: datetime,
                status: ReservationStatus = ReservationStatus.RELEASED) -> list[StockItem]:
        if status not in (ReservationStatus.RELEASED, ReservationStatus.EXPIRED):
            raise ValidationError("release ends as RELEASED or EXPIRED", {"status": status})
        reservation = self._active(held.id)
        if reservation is None:
            return []
        after = []
        for line in reservation.lines:
            row = fresh(self._row(line.variant_id))
            row.release(line.quantity)
            after.append(self._store(row, now))
        reservation.status, reservation.ended_at = status, now
        self._j.put(self._reservations, reservation.id, reservation)
        return after

    def get_reservation(self, reservation_id: int) -> Reservation:
        return fresh(self._reservation(reservation_id))

    def due_reservations(self, now: datetime, limit: int) -> Sequence[Reservation]:
        due = sorted((r for r in self._reservations.values()
                      if r.is_active and r.expires_at <= now), key=lambda r: r.expires_at)
        return [fresh(r) for r in due[:limit]]

    def restock(self, variant_id: int, quantity: int, reason: str, now: datetime,
                created_by: int | None = None) -> StockItem:
        row = fresh(self._row(variant_id))
        row.restock(quantity, now)
        return self._save(row, now, MovementType.IN, quantity, reason, created_by=created_by)

    def adjust(self, variant_id: int, delta: int, reason: str, now: datetime,
               created_by: int | None = None) -> StockItem:
        row = fresh(self._row(variant_id))
        row.adjust(delta)
        return self._save(row, now, MovementType.ADJUSTMENT, delta, reason,
                          created_by=created_by)

    def return_sold(self, variant_id: int, quantity: int, reason: str, now: datetime,
                    order_id: int | None = None) -> StockItem:
        row = fresh(self._row(variant_id))
        row.return_sold(quantity)
        return self._save(row, now, MovementType.RETURN, quantity, reason, order_id=order_id)

    def set_reorder_level(self, variant_id: int, level: int) -> StockItem:
        row = fresh(self._row(variant_id))
        row.reorder_level = level
        self._j.put(self._stock, variant_id, row)
        return fresh(row)

    def movements(self, variant_id: int, types: Iterable[MovementType] | None = None
                  ) -> Sequence[StockMovement]:
        wanted = set(types) if types is not None else None
        return [m for m in self._movements.get(variant_id, ())
                if wanted is None or m.movement_type in wanted]

    def movement_history(self, query: MovementQuery, page: PageRequest) -> Page[StockMovement]:
        variants = ([query.variant_id] if query.variant_id is not None
                    else list(self._movements))
        hits = sorted((m for v in variants for m in self._movements.get(v, ())
                       if (query.types is None or m.movement_type in query.types)
                       and (query.seller_id is None
                            or (v in self._stock and self._stock[v].seller_id == query.seller_id))),
                      key=lambda m: (m.created_at, m.id), reverse=True)
        return Page(hits[page.offset:page.offset + page.limit], len(hits), page.page, page.limit)

    def for_seller(self, seller_id: int) -> Sequence[StockItem]:
        return [fresh(s) for s in self._stock.values() if s.seller_id == seller_id]

    def for_product(self, product_id: int) -> Sequence[StockItem]:
        return sorted((fresh(s) for s in self._stock.values() if s.product_id == product_id),
                      key=lambda s: s.variant_id)

    def remove(self, variant_ids: Iterable[int]) -> None:
        for variant_id in variant_ids:
            if variant_id in self._stock:
                self._j.delete(self._stock, variant_id)
            if variant_id in self._movements:
                self._j.delete(self._movements, variant_id)

    def low_stock(self, seller_id: int | None = None) -> Sequence[StockItem]:
        return [fresh(s) for s in self._stock.values()
                if s.is_low and (seller_id is None or s.seller_id == seller_id)]
