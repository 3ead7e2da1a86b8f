"""Sending messages, and storing them with preferences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from commerce_core.notifications.model import DeliveryStatus, Message, Preferences
from commerce_core.pagination import Page, PageRequest


class Notifier(Protocol):
    def send(self, message: Message) -> None:
        """Hand the message to its channel (email, SMS, push); raise if that failed."""
        ...


class NotificationRepository(Protocol):
    def add(self, message: Message) -> bool:
        """Store a new message; False (and nothing stored) if this event already produced
        one on this channel, so a redelivered event notifies once."""
        ...

    def get(self, message_id: int) -> Message:
        """NotFound if absent."""
        ...

    def update(self, message: Message) -> None:
        """Replace a message; NotFound if absent."""
        ...

    def due(self, now: datetime, limit: int) -> Sequence[Message]:
        """PENDING messages whose next attempt is due, oldest first."""
        ...

    def find(self, user_id: int | None, status: DeliveryStatus | None,
             channel: str | None, unread_only: bool, page: PageRequest) -> Page[Message]:
        """Messages matching every given filter, newest first."""
        ...

    def preferences(self, user_id: int) -> Preferences | None:
        ...

    def set_preferences(self, preferences: Preferences) -> None:
        ...
