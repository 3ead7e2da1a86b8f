"""From domain events to delivered messages.

:meth:`NotificationService.handle` is an event consumer: it enriches the event with the
user's contact details and order number, renders one message per channel the user accepts,
and stores them (in-app ones land in the inbox at once). :meth:`deliver_due`, run by the
worker, sends the rest through the notifier, retrying failures with exponential backoff and
recording each outcome. Both are safe to repeat: events are delivered at least once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import attrs

from commerce_core.accounts.model import User
from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.clock import Clock
from commerce_core.errors import NotFound
from commerce_core.events import (
    DomainEvent,
    OrderDelivered,
    OrderPlaced,
    OrderShipped,
    PaymentConfirmed,
    PaymentFailed,
    RefundIssued,
    ReviewRequested,
)
from commerce_core.ids import IdGenerator
from commerce_core.money import Money
from commerce_core.notifications.model import (
    CHANNELS,
    Channel,
    DeliveryStatus,
    Message,
    NotificationType,
    Preferences,
)
from commerce_core.notifications.ports import Notifier
from commerce_core.notifications.templates import render
from commerce_core.pagination import Page, PageRequest
from commerce_core.uow import Transactions, UnitOfWork
from commerce_core.validation import choice

log = logging.getLogger(__name__)

_TYPES: dict[type[DomainEvent], NotificationType] = {
    OrderPlaced: NotificationType.ORDER_PLACED,
    PaymentConfirmed: NotificationType.PAYMENT_CONFIRMED,
    OrderShipped: NotificationType.ORDER_SHIPPED,
    OrderDelivered: NotificationType.ORDER_DELIVERED,
    PaymentFailed: NotificationType.PAYMENT_FAILED,
    RefundIssued: NotificationType.REFUND_ISSUED,
    ReviewRequested: NotificationType.REVIEW_REQUEST,
}
EVENTS = tuple(_TYPES)  # what to subscribe the handler to


@attrs.frozen
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


class NotificationService:
    def __init__(self, tx: Transactions, notifier: Notifier, ids: IdGenerator, clock: Clock,
                 max_attempts: int = 5, base_delay: timedelta = timedelta(seconds=30),
                 lease: timedelta = timedelta(minutes=5)) -> None:
        self._tx = tx
        self._notifier = notifier
        self._ids = ids
        self._clock = clock
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._lease = lease

    # Consuming events -----------------------------------------------------------------------
    def consume(self, event: DomainEvent) -> None:
        """The event handler to subscribe to a bus or consumer."""
        self.handle(event)

    def handle(self, event: DomainEvent) -> int:
        """Queue the messages an event calls for; how many were new (0 for a repeat)."""
        kind = _TYPES.get(type(event))
        user_id = getattr(event, "user_id", None)
        if kind is None or user_id is None:
            return 0
        now = self._clock.now()
        with self._tx() as uow:
            user = _user(uow, user_id)
            prefs = uow.notifications.preferences(user_id) or Preferences(user_id)
            context = _context(uow, event, user)
            added = 0
            for channel in sorted(CHANNELS[kind] & prefs.channels):
                recipient = _recipient(channel, user, user_id)
                if recipient is None:
                    continue  # no phone number, or no account to e-mail
                subject, body = render(kind, channel, context)
                message = Message(self._ids.next_id(), event.event_id, user_id, kind, channel,
                                  recipient, subject, body, now, now)
                if channel is Channel.IN_APP:  # the inbox is ours: delivered by storing it
                    message.status, message.sent_at = DeliveryStatus.SENT, now
                added += uow.notifications.add(message)
            return added

    # Delivering ------------------------------------------------------------------------------
    def deliver_due(self, limit: int = 100) -> DeliveryReport:
        """Send due messages. Each is claimed for a lease first, so two workers do not send
        it twice; a failure is retried after 30 s, 1 min, 2 min... up to ``max_attempts``."""
        claimed = self._claim(limit)
        sent = retrying = failed = 0
        for message in claimed:
            try:
                self._notifier.send(message)
                error = ""
            except Exception as ex:  # any channel failure: retried, then recorded as failed
                error = f"{type(ex).__name__}: {ex}"[:500]
                log.warning("sending notification %s failed: %s", message.id, error)
            status = self._record(message.id, error)
            sent += status is DeliveryStatus.SENT
            failed += status is DeliveryStatus.FAILED
            retrying += status is DeliveryStatus.PENDING
        return DeliveryReport(sent, retrying, failed)

    def _claim(self, limit: int) -> list[Message]:
        now = self._clock.now()
        with self._tx() as uow:
            due = list(uow.notifications.due(now, limit))
            for message in due:
                message.attempts += 1
                message.next_attempt_at = now + self._lease
                uow.notifications.update(message)
            return due

    def _record(self, message_id: int, error: str) -> DeliveryStatus:
        now = self._clock.now()
        with self._tx() as uow:
            message = uow.notifications.get(message_id)
            if not error:
                message.status, message.sent_at, message.last_error = (
                    DeliveryStatus.SENT, now, "")
            elif message.attempts >= self._max_attempts:
                message.status, message.last_error = DeliveryStatus.FAILED, error
            else:
                delay = self._base_delay * 2 ** (message.attempts - 1)
                message.next_attempt_at = now + min(delay, timedelta(hours=1))
                message.last_error = error
            uow.notifications.update(message)
            return message.status

    # Reading ---------------------------------------------------------------------------------
    def inbox(self, actor: Actor, unread_only: bool = False, page: int = 1,
              limit: int = 20) -> Page[Message]:
        """The actor's in-app messages, newest first."""
        authorize(actor, Action.READ_NOTIFICATIONS, actor.user_id)
        with self._tx.read() as uow:
            return uow.notifications.find(actor.user_id, None, Channel.IN_APP.value,
                                          unread_only, PageRequest(page, limit))

    def mark_read(self, actor: Actor, message_id: int) -> Message:
        with self._tx() as uow:
            message = uow.notifications.get(message_id)
            authorize(actor, Action.READ_NOTIFICATIONS, message.user_id,
                      f"notification {message_id}")
            if message.read_at is None:
                message.read_at = self._clock.now()
                uow.notifications.update(message)
            return message

    def history(self, actor: Actor, user_id: int | None = None,
                status: DeliveryStatus | str | None = None, page: int = 1,
                limit: int = 20) -> Page[Message]:
        """The log of sent, pending and failed messages: the actor's own, or (admins)
        anyone's or everyone's."""
        if user_id is None and not actor.is_admin:
            user_id = actor.user_id
        authorize(actor, Action.READ_NOTIFICATIONS, user_id, f"user {user_id}")
        with self._tx.read() as uow:
            return uow.notifications.find(user_id, choice(DeliveryStatus, status, "status")
                                          if status else None,
                                          None, False, PageRequest(page, limit))

    def preferences(self, actor: Actor) -> Preferences:
        with self._tx.read() as uow:
            return uow.notifications.preferences(actor.user_id) or Preferences(actor.user_id)

    def set_preferences(self, actor: Actor, channels: Iterable[Channel | str]) -> Preferences:
        """Choose the channels to be notified on (in-app always stays on)."""
        authorize(actor, Action.READ_NOTIFICATIONS, actor.user_id)
        prefs = Preferences(actor.user_id,
                            frozenset(choice(Channel, c, "channels") for c in channels))
        with self._tx() as uow:
            uow.notifications.set_preferences(prefs)
        return prefs


def _user(uow: UnitOfWork, user_id: int) -> User | None:
    try:
        return uow.users.get(user_id)
    except NotFound:
        return None


def _recipient(channel: Channel, user: User | None, user_id: int) -> str | None:
    if channel is Channel.IN_APP:
        return f"user:{user_id}"
    if user is None or not user.is_active:
        return None
    if channel is Channel.EMAIL:
        return user.email
    if channel is Channel.SMS:
        return user.phone or None
    return f"user:{user_id}"  # push: the notifier maps a user to their devices


def _context(uow: UnitOfWork, event: DomainEvent, user: User | None) -> dict[str, str]:
    context: dict[str, str] = {"name": (user.display_name if user else "") or "there"}
    for key, value in event.payload().items():
        context[key] = _text(value)
    for key in ("total", "amount"):
        money = getattr(event, key, None)
        if isinstance(money, Money):
            context[key] = f"{money.amount} {money.currency}"
    order_id = getattr(event, "order_id", None)
    if order_id is not None and "order_number" not in context:
        try:
            context["order_number"] = uow.orders.get(order_id).number
        except NotFound:
            context["order_number"] = str(order_id)
    return context


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values())
    return str(value)
