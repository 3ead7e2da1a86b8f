"""A seller's stock movement history (IN, OUT, ADJUSTMENT, RETURN), newest first."""

from __future__ import annotations

from typing import Literal

from commerce_core.accounts.policy import Role
from commerce_core.inventory.model import StockMovement
from commerce_http.contract.operation import Call, Operation
from commerce_http.contract.wire import Id, Limit, Model, Page, Query, Timestamp

Kind = Literal["IN", "OUT", "ADJUSTMENT", "RETURN", "RESERVE", "RELEASE", "EXPIRE"]


class MovementQuery(Query):
    variant_id: Id | None = None
    type: list[Kind] | None = None  # repeatable: ?type=IN&type=RETURN
    seller_id: Id | None = None  # admins: one seller's (default: every seller's)
    page: Page = 1
    limit: Limit = 20


class MovementOut(Model):
    movement_id: Id
    variant_id: Id
    movement_type: Kind
    quantity: int
    reason: str
    created_at: Timestamp
    order_id: Id | None
    created_by: Id | None


class Movements(Model):
    movements: list[MovementOut]
    total_count: int
    page: int
    limit: int


def _movement(m: StockMovement) -> MovementOut:
    return MovementOut(movement_id=Id(m.id), variant_id=Id(m.variant_id),
                       movement_type=m.movement_type.value, quantity=m.quantity,
                       reason=m.reason, created_at=m.created_at,
                       order_id=None if m.order_id is None else Id(m.order_id),
                       created_by=None if m.created_by is None else Id(m.created_by))


def _history(call: Call[MovementQuery, None]) -> Movements:
    q = call.query
    found = call.shop.inventory.movement_history(call.who(), variant_id=q.variant_id,
                                                 types=q.type, seller_id=q.seller_id,
                                                 page=q.page, limit=q.limit)
    return Movements(movements=[_movement(m) for m in found.items],
                     total_count=found.total_count, page=found.page, limit=found.limit)


stock_movements = Operation(
    "GET", "/api/v1/seller/inventory/movements", "list_stock_movements",
    "Stock movements of my variants, newest first (admins: any seller's)", _history,
    query=MovementQuery, response=Movements, roles=frozenset({Role.SELLER, Role.ADMIN}),
    errors=(404,), tag="seller")

OPERATIONS = (stock_movements,)
