"""Webhook endpoints (registered by an admin, per event type) and their deliveries."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs


class DeliveryState(enum.StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    SENT = "sent"  # the endpoint answered 2xx
    FAILED = "failed"  # out of attempts


@attrs.define
class Endpoint:
    id: int
    url: str
    event_types: list[str]  # event names (OrderPlaced...); "*" for every event
    secret: str  # signs each delivery (HMAC-SHA256); shown to the admin once, at creation
    created_at: datetime
    active: bool = True

    def wants(self, event_type: str) -> bool:
        return self.active and ("*" in self.event_types or event_type in self.event_types)


@attrs.define
class Delivery:
    id: int
    endpoint_id: int
    event_id: str
    event_type: str
    body: str  # the envelope's JSON, as signed and sent
    created_at: datetime
    next_attempt_at: datetime
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    last_status: int | None = None  # the endpoint's last HTTP status (None: no answer)
    last_error: str = ""
    sent_at: datetime | None = None
