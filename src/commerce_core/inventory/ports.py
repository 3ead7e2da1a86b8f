"""The inventory port: stock rows, atomic reservations and the movement trail."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

import attrs

from commerce_core.inventory.model import (
    MovementType,
    Reservation,
    ReservationStatus,
    StockItem,
    StockMovement,
)
from commerce_core.pagination import Page, PageRequest


@attrs.frozen
class MovementQuery:
    """Which movements a history read returns; None: any."""
    seller_id: int | None = None
    variant_id: int | None = None
    types: frozenset[MovementType] | None = None


class InventoryRepository(Protocol):
    def add(self, item: StockItem) -> None:
        """Create the stock row of a new variant; Conflict if it exists."""
        ...

    def get(self, variant_id: int) -> StockItem:
        """NotFound if the variant has no stock row."""
        ...

    def get_many(self, variant_ids: Iterable[int]) -> dict[int, StockItem]:
        """Stock rows found among ``variant_ids``."""
        ...

    def reserve(self, reservation: Reservation, now: datetime) -> list[StockItem]:
        """Hold every line or none: InsufficientStock names all short lines and changes nothing.

        Writes one RESERVE movement per line and stores the reservation. Returns the rows after.
        """
        ...

    def commit(self, reservation: Reservation, now: datetime) -> list[StockItem]:
        """Turn an ACTIVE reservation into sold stock (OUT movements); Conflict if not ACTIVE.

        ``reservation`` as the caller holds it (from :meth:`reserve` or
        :meth:`get_reservation`): its lines are settled without reading them again."""
        ...

    def release(self, reservation: Reservation, now: datetime,
                status: ReservationStatus = ReservationStatus.RELEASED) -> list[StockItem]:
        """Give an ACTIVE reservation's stock back (RELEASE or EXPIRE movements); the
        reservation as for :meth:`commit`.

        A reservation that is no longer ACTIVE is left alone and ``[]`` returned (idempotent).
        """
        ...

    def get_reservation(self, reservation_id: int) -> Reservation:
        """NotFound if absent."""
        ...

    def due_reservations(self, now: datetime, limit: int) -> Sequence[Reservation]:
        """ACTIVE reservations whose deadline has passed, oldest first, at most ``limit``.

        Rows another worker is expiring at the same moment may be skipped.
        """
        ...

    def restock(self, variant_id: int, quantity: int, reason: str, now: datetime,
                created_by: int | None = None) -> StockItem:
        """available += quantity, with an IN movement."""
        ...

    def adjust(self, variant_id: int, delta: int, reason: str, now: datetime,
               created_by: int | None = None) -> StockItem:
        """available += delta (either sign, never below zero), with an ADJUSTMENT movement."""
        ...

    def return_sold(self, variant_id: int, quantity: int, reason: str, now: datetime,
                    order_id: int | None = None) -> StockItem:
        """sold -= quantity, available += quantity, with a RETURN movement."""
        ...

    def set_reorder_level(self, variant_id: int, level: int) -> StockItem:
        """Change the level at or below which stock counts as low."""
        ...

    def movements(self, variant_id: int, types: Iterable[MovementType] | None = None
                  ) -> Sequence[StockMovement]:
        """The variant's movement trail, oldest first."""
        ...

    def movement_history(self, query: MovementQuery, page: PageRequest) -> Page[StockMovement]:
        """Movements matching ``query`` (the seller's: of their variants' stock rows), newest
        first (ties: the later id first), with the total count."""
        ...

    def for_seller(self, seller_id: int) -> Sequence[StockItem]:
        """Every stock row of the seller's variants."""
        ...

    def for_product(self, product_id: int) -> Sequence[StockItem]:
        """Every stock row of the product's variants, by variant id."""
        ...

    def remove(self, variant_ids: Iterable[int]) -> None:
        """Delete these stock rows and their movements (rows that never became sellable:
        see ``CatalogService.repair``); unknown ids are ignored."""
        ...

    def low_stock(self, seller_id: int | None = None) -> Sequence[StockItem]:
        """Rows with available <= reorder_level, optionally for one seller."""
        ...
