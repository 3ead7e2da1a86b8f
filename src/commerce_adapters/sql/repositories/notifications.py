"""Notification messages and channel preferences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.errors import NotFound
from commerce_core.notifications.model import (
    Channel,
    DeliveryStatus,
    Message,
    NotificationType,
    Preferences,
)
from commerce_core.pagination import Page, PageRequest

n = t.notifications


def _message_row(m: Message) -> dict[str, Any]:
    return {"id": m.id, "event_id": m.event_id, "user_id": m.user_id, "type": m.type.value,
            "channel": m.channel.value, "recipient": m.recipient, "subject": m.subject[:255],
            "body": m.body, "status": m.status.value, "attempts": m.attempts,
            "last_error": m.last_error, "created_at": m.created_at,
            "next_attempt_at": m.next_attempt_at, "sent_at": m.sent_at, "read_at": m.read_at}


def _message(r: Any) -> Message:
    return Message(r.id, r.event_id, r.user_id, NotificationType(r.type), Channel(r.channel),
                   r.recipient, r.subject, r.body, r.created_at, r.next_attempt_at,
                   DeliveryStatus(r.status), r.attempts, r.last_error, r.sent_at, r.read_at)


class SqlNotifications(SqlRepository):
    def add(self, message: Message) -> bool:
        return self.insert_ignore(n, _message_row(message))

    def get(self, message_id: int) -> Message:
        row = self.one(sa.select(n).where(n.c.id == message_id))
        if row is None:
            raise NotFound(f"notification {message_id} not found",
                           {"notification_id": message_id})
        return _message(row)

    def update(self, message: Message) -> None:
        if not self.execute(n.update().where(n.c.id == message.id)
                            .values(_message_row(message))).rowcount:
            raise NotFound(f"notification {message.id} not found",
                           {"notification_id": message.id})

    def due(self, now: datetime, limit: int) -> Sequence[Message]:
        stmt = (sa.select(n).where(n.c.status == DeliveryStatus.PENDING.value,
                                   n.c.next_attempt_at <= now)
                .order_by(n.c.next_attempt_at, n.c.id).limit(limit))
        if self.dialect == "postgresql" and not self._uow.read_only:
            stmt = stmt.with_for_update(skip_locked=True)  # workers claim disjoint batches
        return [_message(r) for r in self.rows(stmt)]

    def find(self, user_id: int | None, status: DeliveryStatus | None, channel: str | None,
             unread_only: bool, page: PageRequest) -> Page[Message]:
        stmt = sa.select(n)
        if user_id is not None:
            stmt = stmt.where(n.c.user_id == user_id)
        if status is not None:
            stmt = stmt.where(n.c.status == status.value)
        if channel is not None:
            stmt = stmt.where(n.c.channel == channel)
        if unread_only:
            stmt = stmt.where(n.c.read_at.is_(None))
        return self.page(stmt.order_by(n.c.created_at.desc(), n.c.id.desc()), page,
                         lambda rows: [_message(r) for r in rows])

    def preferences(self, user_id: int) -> Preferences | None:
        p = t.notification_preferences
        row = self.execute(sa.select(p).where(p.c.user_id == user_id)).first()
        return None if row is None else Preferences(
            user_id, frozenset(Channel(c) for c in row.channels))

    def set_preferences(self, preferences: Preferences) -> None:
        p = t.notification_preferences
        channels = sorted(c.value for c in preferences.channels)
        if not self.execute(p.update().where(p.c.user_id == preferences.user_id)
                            .values(channels=channels)).rowcount:
            self.execute(p.insert(), {"user_id": preferences.user_id, "channels": channels})
