"""The event bus port. The outbox hands it events after they commit; consumers subscribe.

Delivery is at least once, and in order for one aggregate's events on one topic (the
envelope's ``aggregate_id`` and ``topic``: an order's order events; the in-process bus keeps
every event in order): a handler must be idempotent by ``event_id``. A handler that raises
does not stop the others nor lose the event for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from commerce_core.events import DomainEvent

Handler = Callable[[DomainEvent], None]


class EventPublisher(Protocol):
    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Deliver events (in order per aggregate); raise if they could not all be handed
        over."""
        ...


class EventBus(EventPublisher, Protocol):
    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        """Call ``handler`` with every event of ``event_type`` (or a subclass) published
        from now on."""
        ...
