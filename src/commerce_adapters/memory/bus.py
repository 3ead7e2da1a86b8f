"""The in-process event bus: handlers subscribed by event type, called after commit."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from commerce_core.bus.ports import Handler
from commerce_core.events import DomainEvent

log = logging.getLogger(__name__)


class InProcessEventBus:
    """An :class:`~commerce_core.bus.ports.EventBus` calling each handler subscribed to the
    event's class or a base class, in order.

    A handler that raises is called again (``attempts`` times in all: a deadlock or a dropped
    connection usually clears at once), then logged with the event, and does not stop the
    others. Handlers must be idempotent by ``event_id``: the outbox delivers at least once.
    """

    def __init__(self, attempts: int = 3) -> None:
        self._lock = threading.Lock()
        self._handlers: list[tuple[type[DomainEvent], Handler]] = []
        self._attempts = max(1, attempts)

    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        with self._lock:
            self._handlers.append((event_type, handler))

    def publish(self, events: Sequence[DomainEvent]) -> None:
        with self._lock:
            handlers = list(self._handlers)
        for event in events:
            for event_type, handler in handlers:
                if isinstance(event, event_type):
                    self._deliver(handler, event)

    def _deliver(self, handler: Handler, event: DomainEvent) -> None:
        for attempt in range(1, self._attempts + 1):
            try:
                handler(event)
                return
            except Exception:
                if attempt == self._attempts:
                    log.exception("handler %r gave up on %s after %d attempts: %s", handler,
                                  event.name, attempt, event.to_dict())


def in_process(url: str = "memory://") -> InProcessEventBus:
    """The bus ``memory://`` names (the scheme table's factory)."""
    return InProcessEventBus()
