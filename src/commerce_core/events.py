"""Domain events: facts recorded in a unit of work and published after it commits."""

from __future__ import annotations

import enum
import functools
import types
import typing
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

import attrs

from commerce_core.money import Money


def _new_event_id() -> str:
    return uuid.uuid4().hex


@attrs.frozen(kw_only=True)
class DomainEvent:
    """Base of every event; ``event_id`` lets consumers drop duplicates (at-least-once)."""

    occurred_at: datetime
    event_id: str = attrs.field(factory=_new_event_id)

    @property
    def name(self) -> str:
        return type(self).__name__

    def payload(self) -> dict[str, Any]:
        """The event's own fields as JSON-ready values (Money as a string amount + currency)."""
        raw = attrs.asdict(self, recurse=False)
        raw.pop("occurred_at")
        raw.pop("event_id")
        return {k: _jsonable(v) for k, v in raw.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "name": self.name,
                "occurred_at": self.occurred_at.isoformat(), "payload": self.payload()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """The event :meth:`to_dict` wrote; ValueError if it is not one of ``cls``."""
        event = event_from_dict(data)
        if not isinstance(event, cls):
            raise ValueError(f"{event.name} is not a {cls.__name__}")
        return event


def event_types() -> dict[str, type[DomainEvent]]:
    """Every event class defined here, by name (what ``to_dict`` writes as ``name``)."""
    return {name: obj for name, obj in globals().items()
            if isinstance(obj, type) and issubclass(obj, DomainEvent) and obj is not DomainEvent}


def event_from_dict(data: dict[str, Any]) -> DomainEvent:
    """Rebuild an event from :meth:`DomainEvent.to_dict` (outbox rows, broker messages)."""
    try:
        cls = event_types()[data["name"]]
    except KeyError:
        raise ValueError(f"unknown event {data.get('name')!r}") from None
    payload = data["payload"]
    defaults = {f.name for f in attrs.fields(cls) if f.default is not attrs.NOTHING}
    try:  # a field with a default may be missing: rows written before it was carried
        fields = {name: _revive(kind, payload[name]) for name, kind in _fields(cls).items()
                  if name in payload or name not in defaults}
    except KeyError as ex:
        raise ValueError(f"{cls.__name__} without its field {ex.args[0]!r}") from None
    return cls(occurred_at=datetime.fromisoformat(data["occurred_at"]),
               event_id=data["event_id"], **fields)


def _fields(cls: type[DomainEvent]) -> dict[str, Any]:
    """The event's own fields and their resolved types (annotations are strings here)."""
    return _resolved(cls.__name__)


@functools.cache
def _resolved(name: str) -> dict[str, Any]:
    cls = event_types()[name]
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in attrs.fields(cls)
            if f.name not in ("occurred_at", "event_id")}


def _revive(kind: Any, value: Any) -> Any:
    """``value`` as :func:`_jsonable` wrote it, back to the field's type ``kind``."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        return _revive(options[0], value) if len(options) == 1 else value
    if origin in (list, tuple):
        args = typing.get_args(kind)
        items = [_revive(args[0] if args else Any, v) for v in value]
        return items if origin is list else tuple(items)
    if kind is Money:
        return Money(value["amount"], value["currency"])
    if kind is Decimal:
        return Decimal(value)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


# Catalog ------------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class ProductCreated(DomainEvent):
    product_id: int
    seller_id: int


@attrs.frozen(kw_only=True)
class ProductUpdated(DomainEvent):
    product_id: int
    seller_id: int


@attrs.frozen(kw_only=True)
class ReviewsChanged(DomainEvent):
    """A review of the product was written, changed, hidden or voted on (its rating and
    review count may have moved). Told to the committed-event handlers (caches) only."""

    product_id: int


@attrs.frozen(kw_only=True)
class CategoriesChanged(DomainEvent):
    """The category tree changed. Told to the committed-event handlers (caches) only."""

    category_id: int


@attrs.frozen(kw_only=True)
class StoreChanged(DomainEvent):
    """A seller opened or renamed their store: every product page naming it (its products'
    details, the listings) is stale. Told to the committed-event handlers (caches) only."""

    seller_id: int
    product_ids: tuple[int, ...]


@attrs.frozen(kw_only=True)
class ProductRated(DomainEvent):
    """A review changed the product's rating or review count."""

    product_id: int
    seller_id: int


@attrs.frozen(kw_only=True)
class CategoryMoved(DomainEvent):
    """A category moved under another parent: its sub-tree's products have new ancestors."""

    category_id: int


# Inventory ----------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class InventoryUpdated(DomainEvent):
    variant_id: int
    available: int
    reserved: int
    sold: int
    reason: str
    product_id: int | None = None  # None in events written before it was carried
    available_before: int | None = None  # the same

    def may_flip_in_stock(self) -> bool:
        """Whether the change may move its product's ``in_stock`` (what listings and the
        search index hold of stock): not if the variant stayed on its side of zero (every
        sale and restock but the last and the first). An event that does not carry the
        count before may."""
        before = self.available_before
        return before is None or (before > 0) != (self.available > 0)


@attrs.frozen(kw_only=True)
class LowStock(DomainEvent):
    variant_id: int
    seller_id: int
    available: int
    reorder_level: int


@attrs.frozen(kw_only=True)
class ReservationExpired(DomainEvent):
    reservation_id: int
    order_id: int | None


# Orders -------------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class OrderPlaced(DomainEvent):
    order_id: int
    order_number: str
    user_id: int
    total: Money


@attrs.frozen(kw_only=True)
class OrderConfirmed(DomainEvent):
    order_id: int
    user_id: int


@attrs.frozen(kw_only=True)
class OrderCancelled(DomainEvent):
    order_id: int
    user_id: int
    reason: str


@attrs.frozen(kw_only=True)
class OrderStatusChanged(DomainEvent):
    order_id: int
    user_id: int
    status: str


@attrs.frozen(kw_only=True)
class OrderChanged(DomainEvent):
    """Something an order's page shows changed without a state change of its own (a
    shipment made, tracked or voided; a fraud decision): readers of a cached copy re-read."""

    order_id: int


# Payments -----------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class PaymentConfirmed(DomainEvent):
    order_id: int
    payment_id: int
    user_id: int
    amount: Money
    transaction_id: str


@attrs.frozen(kw_only=True)
class PaymentFailed(DomainEvent):
    order_id: int
    payment_id: int
    user_id: int
    reason: str


@attrs.frozen(kw_only=True)
class PaymentRequiresAction(DomainEvent):
    order_id: int
    payment_id: int
    user_id: int


@attrs.frozen(kw_only=True)
class RefundIssued(DomainEvent):
    order_id: int
    payment_id: int
    refund_id: int
    user_id: int
    amount: Money


@attrs.frozen(kw_only=True)
class OrderHeld(DomainEvent):
    """Fraud screening held the order for an admin's review."""

    order_id: int
    user_id: int
    score: int
    signals: list[str]


# Shipping -----------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class OrderShipped(DomainEvent):
    """A shipment of the order left with the carrier."""

    order_id: int
    user_id: int
    shipment_id: int
    carrier: str
    tracking_number: str


@attrs.frozen(kw_only=True)
class OrderDelivered(DomainEvent):
    """A shipment of the order was delivered."""

    order_id: int
    user_id: int
    shipment_id: int


@attrs.frozen(kw_only=True)
class ReviewRequested(DomainEvent):
    """Delivered products the customer is invited to review."""

    order_id: int
    user_id: int
    product_ids: list[int]
