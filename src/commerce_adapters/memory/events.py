"""In-process event delivery: handlers subscribed by event type, called after commit."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from commerce_core.events import DomainEvent

log = logging.getLogger(__name__)
Handler = Callable[[DomainEvent], None]


class InProcessEventBus:
    """Calls each handler subscribed to the event's class or a base class, in order.

    A handler that raises is logged and does not stop the others; handlers are expected to
    be idempotent by ``event_id`` (the outbox delivers at least once).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: list[tuple[type[DomainEvent], Handler]] = []

    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        with self._lock:
            self._handlers.append((event_type, handler))

    def publish(self, events: Sequence[DomainEvent]) -> None:
        with self._lock:
            handlers = list(self._handlers)
        for event in events:
            for event_type, handler in handlers:
                if isinstance(event, event_type):
                    try:
                        handler(event)
                    except Exception:
                        log.exception("handler %r failed on %s %s", handler, event.name,
                                      event.event_id)
