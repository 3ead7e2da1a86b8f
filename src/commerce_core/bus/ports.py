"""The event bus port. The outbox hands it events after they commit; consumers subscribe.

Delivery is at least once, and in order for one aggregate's events on one topic (the
envelope's ``aggregate_id`` and ``topic``: an order's order events; the in-process bus keeps
every event in order): a handler must be idempotent by ``event_id``. A handler that raises
does not stop the others nor lose the event for them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from commerce_core.events import DomainEvent

if TYPE_CHECKING:
    from commerce_core.bus.consumer import Dispatcher

Handler = Callable[[DomainEvent], None]


@runtime_checkable
class BatchHandler(Protocol):
    """A handler that can also take many events at once. A bus that has a batch at hand (the
    in-process one: everything one commit published) gives it the batch's events of its
    types in one call; others call it one event at a time. Each is still idempotent."""

    def __call__(self, event: DomainEvent) -> None: ...

    def handle_many(self, events: Sequence[DomainEvent]) -> None: ...


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


@runtime_checkable
class ConsumerGroups(Protocol):
    """A broker whose consumers run as groups, each in processes of its own."""

    def consume(self, dispatcher: Dispatcher, stop: threading.Event, batch: int = 200,
                on_batch: Any = None) -> None:
        """Feed the dispatcher's group until ``stop`` is set, committing each batch's
        offsets after its work (a crash redelivers the batch)."""
        ...

    def dead_letter_box(self) -> DeadLetterBox:
        """Where the groups' dead letters are kept."""
        ...


class DeadLetterBox(Protocol):
    def send(self, letter: Any) -> None:
        """Keep a dead letter; raise if it could not be kept."""
        ...

    def letters(self, group: str | None = None) -> list[dict[str, Any]]:
        """Every letter kept (of ``group``), oldest first, with ``replayed``."""
        ...

    def replay(self, dispatcher: Dispatcher) -> dict[str, int]:
        """The group's letters not replayed yet, through ``dispatcher`` again."""
        ...
