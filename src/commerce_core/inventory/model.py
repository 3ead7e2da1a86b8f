"""Stock arithmetic (ARCHITECTURE.md's corrected version of the seed's).

reserve: available -= q, reserved += q      commit:  reserved -= q, sold += q
release/expire: reserved -= q, available += q
Invariant: on_hand = available + reserved, and no count is ever negative.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import attrs

from commerce_core.errors import Conflict, InsufficientStock, ValidationError
from commerce_core.validation import whole_number

RESERVATION_TTL = timedelta(minutes=30)


class MovementType(enum.StrEnum):
    IN = "IN"                  # restock or opening stock: available += q
    OUT = "OUT"                # sale committed: reserved -= q, sold += q
    ADJUSTMENT = "ADJUSTMENT"  # count correction: available += delta (either sign)
    RETURN = "RETURN"          # sold goods back on the shelf: sold -= q, available += q
    # Holds were movements before 0.x: their trail is now the reservation itself (status,
    # lines, created_at, ended_at), so a checkout writes one movement (OUT), as the seed
    # has it. These three stay to read the trails older databases hold.
    RESERVE = "RESERVE"        # available -= q, reserved += q
    RELEASE = "RELEASE"        # reserved -= q, available += q
    EXPIRE = "EXPIRE"          # a release caused by the reservation's deadline


class ReservationStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    COMMITTED = "COMMITTED"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"


@attrs.define
class StockItem:
    variant_id: int
    product_id: int
    seller_id: int
    available: int = 0
    reserved: int = 0
    sold: int = 0
    reorder_level: int = 0
    last_restocked: datetime | None = None
    warehouse_location: str = ""
    updated_at: datetime | None = None

    @property
    def on_hand(self) -> int:
        return self.available + self.reserved

    @property
    def is_low(self) -> bool:
        return self.available <= self.reorder_level

    def reserve(self, q: int) -> None:
        whole_number("quantity", q, 1)
        if self.available < q:
            raise InsufficientStock([{"variant_id": self.variant_id, "requested": q,
                                      "available": self.available}])
        self.available -= q
        self.reserved += q

    def commit(self, q: int) -> None:
        whole_number("quantity", q, 1)
        if self.reserved < q:
            raise Conflict(f"variant {self.variant_id} has only {self.reserved} reserved")
        self.reserved -= q
        self.sold += q

    def release(self, q: int) -> None:
        whole_number("quantity", q, 1)
        if self.reserved < q:
            raise Conflict(f"variant {self.variant_id} has only {self.reserved} reserved")
        self.reserved -= q
        self.available += q

    def restock(self, q: int, now: datetime) -> None:
        whole_number("quantity", q, 1)
        self.available += q
        self.last_restocked = now

    def adjust(self, delta: int) -> None:
        if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
            raise ValidationError("adjustment must be a non-zero whole number",
                                  {"delta": "must be != 0"})
        if self.available + delta < 0:
            raise InsufficientStock([{"variant_id": self.variant_id, "requested": -delta,
                                      "available": self.available}])
        self.available += delta

    def return_sold(self, q: int) -> None:
        whole_number("quantity", q, 1)
        if self.sold < q:
            raise Conflict(f"variant {self.variant_id} has only {self.sold} sold")
        self.sold -= q
        self.available += q


@attrs.frozen
class StockMovement:
    id: int
    variant_id: int
    movement_type: MovementType
    quantity: int
    reason: str
    created_at: datetime
    order_id: int | None = None
    reservation_id: int | None = None
    created_by: int | None = None


@attrs.frozen
class ReservationLine:
    variant_id: int
    quantity: int

    def __attrs_post_init__(self) -> None:
        whole_number("quantity", self.quantity, 1)


@attrs.define
class Reservation:
    """Stock held for one order until committed, released, or past ``expires_at``."""

    id: int
    lines: tuple[ReservationLine, ...]
    expires_at: datetime
    created_at: datetime
    order_id: int | None = None
    status: ReservationStatus = ReservationStatus.ACTIVE
    ended_at: datetime | None = None  # when it was committed, released or expired

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise ValidationError("a reservation needs at least one line", {"lines": "empty"})
        # One line per variant, in id order: every adapter locks rows in this same order,
        # so two multi-line reservations never wait on each other in a cycle.
        merged: dict[int, int] = {}
        for line in self.lines:
            merged[line.variant_id] = merged.get(line.variant_id, 0) + line.quantity
        self.lines = tuple(ReservationLine(v, q) for v, q in sorted(merged.items()))

    @property
    def is_active(self) -> bool:
        return self.status is ReservationStatus.ACTIVE
