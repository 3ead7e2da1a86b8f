"""A consumer group's side of the bus, whatever the broker: envelopes in, handlers called.

A :class:`Dispatcher` is one consumer group. For each envelope it: skips a schema version
newer than it reads (logged); drops an event the group has already processed (the record
written by the handler's own transaction, see :meth:`Transactions.consuming`); calls the
group's handlers for the event's type, each retried with exponential backoff; after the last
attempt hands the envelope to the dead letters and goes on. The broker adapter commits its
offsets only after :meth:`Dispatcher.handle` returns, so a crash redelivers (at least once)
and the processed record makes the second delivery a no-op.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from enum import Enum
from typing import Protocol

import attrs

from commerce_core.bus.envelope import Envelope
from commerce_core.bus.ports import Handler
from commerce_core.events import DomainEvent
from commerce_core.uow import AlreadyProcessed, Transactions

log = logging.getLogger(__name__)


class _GaveUp(Exception):
    pass


class Outcome(Enum):
    DONE = "done"  # every handler succeeded
    DUPLICATE = "duplicate"  # the group had processed it already
    UNREADABLE = "unreadable"  # a newer schema version (kept, skipped)
    IGNORED = "ignored"  # no handler of the group wants this type
    DEAD = "dead"  # a handler gave up: the envelope went to the dead letters


@attrs.frozen
class Backoff:
    """``attempts`` tries in all, waiting ``base``, 2x``base``, 4x``base``... between them
    (at most ``cap``)."""

    attempts: int = 5
    base: timedelta = timedelta(milliseconds=200)
    cap: timedelta = timedelta(seconds=30)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (from 1)."""
        delay: timedelta = min(self.base * 2 ** (attempt - 1), self.cap)
        return delay.total_seconds()


@attrs.frozen
class DeadLetter:
    group: str
    envelope: Envelope
    error: str
    attempts: int


class DeadLetters(Protocol):
    def send(self, letter: DeadLetter) -> None:
        """Keep a letter for ``list``/``replay``; raise if it could not be kept (the
        adapter then does not commit the offset, so the event comes back)."""
        ...


class Dispatcher:
    """One consumer group: its handlers by event type, its retries and dead letters.

    ``tx``: the transactional store that holds the group's processed record; without one
    (a bus used on its own) nothing is deduplicated and handlers must be idempotent."""

    def __init__(self, group: str, tx: Transactions | None = None,
                 backoff: Backoff | None = None, dead_letters: DeadLetters | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.group = group
        self._tx = tx
        self._backoff = backoff or Backoff()
        self.dead_letters = dead_letters
        self._sleep = sleep
        self._handlers: list[tuple[type[DomainEvent], Handler]] = []

    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        self._handlers.append((event_type, handler))

    def wants(self, event: DomainEvent) -> list[Handler]:
        return [h for t, h in self._handlers if isinstance(event, t)]

    def handle(self, envelope: Envelope) -> Outcome:
        """Process one envelope once for this group (see the module's doc)."""
        event = envelope.event()
        if event is None:
            return Outcome.UNREADABLE
        handlers = self.wants(event)
        if not handlers:
            return Outcome.IGNORED
        if self._tx is not None and self._tx.processed(self.group, event.event_id):
            return Outcome.DUPLICATE
        try:
            if self._tx is None:
                return self._run(envelope, event, handlers)
            with self._tx.consuming(self.group, event.event_id):
                outcome = self._run(envelope, event, handlers)
                if outcome is Outcome.DEAD:
                    raise _GaveUp  # not recorded as processed: a redelivery tries again
                return outcome
        except AlreadyProcessed:  # a twin delivery won the race: its effect stands
            return Outcome.DUPLICATE
        except _GaveUp:
            return Outcome.DEAD

    def replay(self, envelope: Envelope) -> Outcome:
        """A dead letter, once more: through :meth:`handle` if the group has not recorded
        the event, else straight to its handlers (they are idempotent by ``event_id``)."""
        event = envelope.event()
        if event is None:
            return Outcome.UNREADABLE
        if self._tx is None or not self._tx.processed(self.group, event.event_id):
            return self.handle(envelope)
        return self._run(envelope, event, self.wants(event))

    def _run(self, envelope: Envelope, event: DomainEvent, handlers: Sequence[Handler]
             ) -> Outcome:
        outcome = Outcome.DONE
        for handler in handlers:
            error = self._attempt(handler, event)
            if error is not None:
                self._bury(envelope, error)
                outcome = Outcome.DEAD
        return outcome

    def _attempt(self, handler: Handler, event: DomainEvent) -> str | None:
        """Call the handler until it succeeds (None) or runs out of attempts (the error)."""
        attempts = self._backoff.attempts
        for attempt in range(1, attempts + 1):
            try:
                handler(event)
                return None
            except AlreadyProcessed:
                raise
            except Exception as ex:
                if attempt == attempts:
                    log.exception("%s: %r gave up on %s %s after %d attempts", self.group,
                                  handler, event.name, event.event_id, attempt)
                    return f"{type(ex).__name__}: {ex}"[:1000]
                self._sleep(self._backoff.delay(attempt))
        return None  # pragma: no cover - attempts >= 1

    def _bury(self, envelope: Envelope, error: str) -> None:
        if self.dead_letters is not None:
            self.dead_letters.send(DeadLetter(self.group, envelope, error,
                                              self._backoff.attempts))
