"""The in-process event bus: handlers subscribed by event type, called after commit."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import cast

from commerce_core.bus.ports import BatchHandler, Handler
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
        # (type, handler, whether it takes batches): decided once, at subscribe, since a
        # runtime Protocol check costs microseconds and every commit publishes
        self._handlers: list[tuple[type[DomainEvent], Handler, bool]] = []
        self._attempts = max(1, attempts)

    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        with self._lock:
            self._handlers.append((event_type, handler, isinstance(handler, BatchHandler)))

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Each plain handler gets each event in turn; each batch handler then gets all of
        its events in one call (in the order published)."""
        with self._lock:
            handlers = list(self._handlers)
        batches: dict[int, tuple[BatchHandler, list[DomainEvent]]] = {
            id(h): (cast(BatchHandler, h), []) for _, h, many in handlers if many}
        for event in events:
            for event_type, handler, many in handlers:
                if isinstance(event, event_type):
                    if many:
                        batches[id(handler)][1].append(event)
                    else:
                        self._deliver(handler, event)
        for handler, batch in batches.values():
            if batch:
                self._deliver_many(handler, batch)

    def _deliver_many(self, handler: BatchHandler, events: list[DomainEvent]) -> None:
        for _ in range(self._attempts):
            try:
                handler.handle_many(events)
                return
            except Exception:
                log.debug("batch handler %r failed on %d events", handler, len(events),
                          exc_info=True)
        for event in events:  # one at a time: a bad event costs no other its delivery
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
