"""Contract of the NotificationRepository port (notifications/ports.py)."""

from __future__ import annotations

from datetime import timedelta

from commerce_core.notifications.model import (
    Channel,
    DeliveryStatus,
    Message,
    NotificationType,
    Preferences,
)
from commerce_core.pagination import PageRequest
from tests.contract.conftest import Backend


def test_notifications_dedupe_due_filters_and_preferences(backend: Backend) -> None:
    now = backend.clock.now()

    def message(event: str, channel: Channel, user: int = 1, minutes: int = 0) -> Message:
        at = now + timedelta(minutes=minutes)
        return Message(backend.ids.next_id(), event, user, NotificationType.ORDER_PLACED,
                       channel, "to", "s", "b", at, at)

    with backend.storage.uow_factory() as uow:
        first = message("e1", Channel.EMAIL)
        assert uow.notifications.add(first)
        assert not uow.notifications.add(message("e1", Channel.EMAIL))  # redelivered event
        sms, inbox = message("e1", Channel.SMS, minutes=1), message("e2", Channel.IN_APP, 2, 2)
        assert uow.notifications.add(sms) and uow.notifications.add(inbox)
        later = message("e3", Channel.EMAIL, minutes=10)
        uow.notifications.add(later)
        assert [m.id for m in uow.notifications.due(now + timedelta(minutes=5), 10)] == \
            [first.id, sms.id, inbox.id]  # oldest due first; not yet due left out
        assert later.id not in [m.id for m in uow.notifications.due(now, 10)]
        first.status, first.read_at = DeliveryStatus.SENT, now
        uow.notifications.update(first)
        assert first.id not in [m.id for m in uow.notifications.due(now, 10)]
        found = uow.notifications.find(1, None, None, False, PageRequest())
        assert found.total_count == 3 and found.items[0].id == later.id  # newest first
        assert uow.notifications.find(None, DeliveryStatus.SENT, "email", False,
                                      PageRequest()).total_count == 1
        assert uow.notifications.find(1, None, "email", True, PageRequest()).total_count == 1
        assert uow.notifications.preferences(1) is None
        uow.notifications.set_preferences(Preferences(1, frozenset({Channel.SMS})))
        assert uow.notifications.preferences(1) == Preferences(1, frozenset({Channel.SMS}))
