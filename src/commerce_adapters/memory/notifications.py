"""In-memory notification messages and channel preferences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.errors import NotFound
from commerce_core.notifications.model import DeliveryStatus, Message, Preferences
from commerce_core.pagination import Page, PageRequest


class MemoryNotifications:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, Message] = state.table("notifications")
        self._keys: dict[tuple[str, str], int] = state.table("notification_keys")
        self._prefs: dict[int, Preferences] = state.table("notification_preferences")
        self._j = journal

    def add(self, message: Message) -> bool:
        key = (message.event_id, message.channel.value)
        if key in self._keys:
            return False
        self._j.put(self._keys, key, message.id)
        self._j.put(self._rows, message.id, message)
        return True

    def get(self, message_id: int) -> Message:
        try:
            return fresh(self._rows[message_id])
        except KeyError:
            raise NotFound(f"notification {message_id} not found",
                           {"notification_id": message_id}) from None

    def update(self, message: Message) -> None:
        self.get(message.id)
        self._j.put(self._rows, message.id, message)

    def due(self, now: datetime, limit: int) -> Sequence[Message]:
        hits = sorted((m for m in self._rows.values()
                       if m.status is DeliveryStatus.PENDING and m.next_attempt_at <= now),
                      key=lambda m: (m.next_attempt_at, m.id))
        return [fresh(m) for m in hits[:limit]]

    def find(self, user_id: int | None, status: DeliveryStatus | None, channel: str | None,
             unread_only: bool, page: PageRequest) -> Page[Message]:
        hits = sorted((m for m in self._rows.values()
                       if (user_id is None or m.user_id == user_id)
                       and (status is None or m.status is status)
                       and (channel is None or m.channel.value == channel)
                       and (not unread_only or m.read_at is None)),
                      key=lambda m: (m.created_at, m.id), reverse=True)
        chunk = hits[page.offset:page.offset + page.limit]
        return Page([fresh(m) for m in chunk], len(hits), page.page, page.limit)

    def preferences(self, user_id: int) -> Preferences | None:
        row = self._prefs.get(user_id)
        return None if row is None else fresh(row)

    def set_preferences(self, preferences: Preferences) -> None:
        self._j.put(self._prefs, preferences.user_id, preferences)
