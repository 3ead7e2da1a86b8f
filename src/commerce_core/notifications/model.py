"""Notification types, channels, messages and per-user preferences."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs


class NotificationType(enum.StrEnum):
    ORDER_PLACED = "order_placed"
    PAYMENT_CONFIRMED = "payment_confirmed"
    ORDER_SHIPPED = "order_shipped"
    ORDER_DELIVERED = "order_delivered"
    PAYMENT_FAILED = "payment_failed"
    REFUND_ISSUED = "refund_issued"
    REVIEW_REQUEST = "review_request"


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    IN_APP = "in_app"


class DeliveryStatus(enum.StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


_E, _S, _P, _I = Channel.EMAIL, Channel.SMS, Channel.PUSH, Channel.IN_APP
# The seed's notification matrix; every type also lands in the in-app inbox.
CHANNELS: dict[NotificationType, frozenset[Channel]] = {
    NotificationType.ORDER_PLACED: frozenset({_E, _S, _P, _I}),
    NotificationType.PAYMENT_CONFIRMED: frozenset({_E, _P, _I}),
    NotificationType.ORDER_SHIPPED: frozenset({_E, _S, _P, _I}),
    NotificationType.ORDER_DELIVERED: frozenset({_E, _P, _I}),
    NotificationType.PAYMENT_FAILED: frozenset({_E, _S, _P, _I}),
    NotificationType.REFUND_ISSUED: frozenset({_E, _S, _P, _I}),
    NotificationType.REVIEW_REQUEST: frozenset({_E, _I}),
}


@attrs.define
class Message:
    id: int
    event_id: str
    user_id: int
    type: NotificationType
    channel: Channel
    recipient: str
    subject: str
    body: str
    created_at: datetime
    next_attempt_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    last_error: str = ""
    sent_at: datetime | None = None
    read_at: datetime | None = None


@attrs.define
class Preferences:
    """The channels a user accepts; the in-app inbox cannot be switched off."""

    user_id: int
    channels: frozenset[Channel] = frozenset(Channel)

    def __attrs_post_init__(self) -> None:
        self.channels = frozenset(Channel(c) for c in self.channels) | {Channel.IN_APP}
