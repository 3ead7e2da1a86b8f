"""Events on the wire: a versioned envelope around a domain event's payload.

An envelope names the event (``type``), the version of its payload's shape
(``schema_version``), when it happened, and the aggregate it belongs to (the order, the
variant, the product...), which is what a broker partitions by so one aggregate's events stay
in order. A consumer that meets a version newer than it knows keeps the envelope (it can be
replayed after an upgrade) and skips it with a log line instead of failing.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, Final

import attrs

from commerce_core.events import DomainEvent, event_from_dict

log = logging.getLogger(__name__)

# the payload shape this code writes and reads; a field added or renamed bumps it
SCHEMA_VERSION: Final = 1

ORDER_EVENTS: Final = "order-events"
PAYMENT_EVENTS: Final = "payment-events"
INVENTORY_EVENTS: Final = "inventory-events"
USER_EVENTS: Final = "user-events"
NOTIFICATION_EVENTS: Final = "notification-events"
TOPICS: Final = (ORDER_EVENTS, PAYMENT_EVENTS, INVENTORY_EVENTS, USER_EVENTS,
                 NOTIFICATION_EVENTS)

# The seed's topics, by event: payments follow their order (one order's story on two topics,
# each in order); the catalog's notices travel with the stock they describe.
_TOPIC_OF: Final[dict[str, str]] = {
    "OrderPlaced": ORDER_EVENTS, "OrderConfirmed": ORDER_EVENTS,
    "OrderCancelled": ORDER_EVENTS, "OrderStatusChanged": ORDER_EVENTS,
    "OrderHeld": ORDER_EVENTS, "OrderShipped": ORDER_EVENTS, "OrderDelivered": ORDER_EVENTS,
    "PaymentConfirmed": PAYMENT_EVENTS, "PaymentFailed": PAYMENT_EVENTS,
    "PaymentRequiresAction": PAYMENT_EVENTS, "RefundIssued": PAYMENT_EVENTS,
    "InventoryUpdated": INVENTORY_EVENTS, "LowStock": INVENTORY_EVENTS,
    "ReservationExpired": INVENTORY_EVENTS, "ProductCreated": INVENTORY_EVENTS,
    "ProductUpdated": INVENTORY_EVENTS,
    "ReviewRequested": NOTIFICATION_EVENTS,
}
# the field naming an event's aggregate, most specific first
_AGGREGATE_FIELDS: Final = ("order_id", "variant_id", "product_id", "reservation_id",
                            "user_id")


def topic_of(event_type: str) -> str:
    """The seed topic (without prefix) an event of this type is published to; an event type
    this table does not know (a newer one) goes to ``user-events`` only if it has nothing
    better: it is keyed by its aggregate all the same."""
    return _TOPIC_OF.get(event_type, USER_EVENTS)


def aggregate_of(event: DomainEvent) -> str:
    """The aggregate an event belongs to, as ``field:value`` (``order_id:42``)."""
    for field in _AGGREGATE_FIELDS:
        value = getattr(event, field, None)
        if value is not None:
            return f"{field}:{value}"
    return f"event_id:{event.event_id}"


@attrs.frozen
class Envelope:
    event_id: str
    type: str
    schema_version: int
    occurred_at: datetime
    aggregate_id: str
    payload: dict[str, Any]

    @classmethod
    def of(cls, event: DomainEvent) -> Envelope:
        return cls(event.event_id, event.name, SCHEMA_VERSION, event.occurred_at,
                   aggregate_of(event), event.payload())

    @property
    def topic(self) -> str:
        return topic_of(self.type)

    def known(self) -> bool:
        """True when this code can read the payload (its version is not newer)."""
        return self.schema_version <= SCHEMA_VERSION

    def event(self) -> DomainEvent | None:
        """The domain event, or None (logged) for a version newer than this code knows."""
        if not self.known():
            log.warning("skipping %s %s: schema version %d is newer than %d", self.type,
                        self.event_id, self.schema_version, SCHEMA_VERSION)
            return None
        return event_from_dict({"event_id": self.event_id, "name": self.type,
                                "occurred_at": self.occurred_at.isoformat(),
                                "payload": self.payload})

    def to_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "type": self.type,
                "schema_version": self.schema_version,
                "occurred_at": self.occurred_at.isoformat(),
                "aggregate_id": self.aggregate_id, "payload": self.payload}

    def encode(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Envelope:
        try:
            return cls(str(data["event_id"]), str(data["type"]), int(data["schema_version"]),
                       datetime.fromisoformat(data["occurred_at"]), str(data["aggregate_id"]),
                       dict(data["payload"]))
        except (KeyError, TypeError, ValueError) as ex:
            raise ValueError(f"not an event envelope: {ex}") from None

    @classmethod
    def decode(cls, raw: bytes) -> Envelope:
        """ValueError for bytes that are not an envelope."""
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as ex:
            raise ValueError(f"not an event envelope: {ex}") from None
        if not isinstance(data, dict):
            raise ValueError("not an event envelope: not an object")
        return cls.from_dict(data)
