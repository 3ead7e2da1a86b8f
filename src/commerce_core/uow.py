"""The transactional store's unit of work, and the transaction helper every service uses.

A unit of work is one atomic transaction over the transactional store's repositories (orders,
payments, checkouts, inventory, coupons, accounts...). Events recorded in it go to its outbox
in the same commit, and are published right after; a crash in between leaves them in the
outbox for :class:`OutboxRelay` to publish later (delivery is at least once).

The catalog (products, categories, reviews) is a part of its own with its own sessions
(:class:`~commerce_core.catalog.ports.CatalogSession`). A change to it is announced before it
is made: :meth:`Transactions.catalog_change` commits the notices to the outbox first, then
writes the catalog, then publishes, so a crash anywhere loses no notice (docs/parts.md).
"""

from __future__ import annotations

import atexit
import contextvars
import logging
import os
import queue
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

import attrs

from commerce_core.bus.ports import EventPublisher
from commerce_core.catalog.ports import CatalogSession, CatalogSessions
from commerce_core.events import DomainEvent

if TYPE_CHECKING:
    from commerce_core.accounts.ports import AddressBook, UserRepository
    from commerce_core.checkout.ports import CheckoutRepository
    from commerce_core.fraud.ports import FraudRepository
    from commerce_core.idempotency import IdempotencyStore
    from commerce_core.inventory.ports import InventoryRepository
    from commerce_core.notifications.ports import NotificationRepository
    from commerce_core.orders.ports import OrderRepository
    from commerce_core.payments.ports import PaymentRepository
    from commerce_core.pricing.ports import CouponRepository
    from commerce_core.sellers.ports import SellerRepository
    from commerce_core.settings.ports import SettingsRepository
    from commerce_core.shipping.ports import ShipmentRepository
    from commerce_core.webhooks.ports import WebhookRepository
    from commerce_core.wishlist.ports import WishlistRepository

log = logging.getLogger(__name__)
# how old an unpublished outbox entry must be before the relay takes it: younger ones belong
# to a commit whose own request is still publishing them (or still writing the catalog)
RELAY_GRACE = timedelta(seconds=60)
# how often delivered entries are stamped published, in one transaction per shop, by one
# thread of the process (well inside RELAY_GRACE, so the relay never sends them again)
MARK_INTERVAL = 1.0


@attrs.frozen
class OutboxEntry:
    id: int
    event: DomainEvent
    created_at: datetime
    published_at: datetime | None = None


class Outbox(Protocol):
    def pending(self, limit: int, before: datetime | None = None) -> Sequence[OutboxEntry]:
        """Unpublished entries (created before ``before``, if given), oldest first."""
        ...

    def claim(self, limit: int, before: datetime | None = None) -> Sequence[OutboxEntry]:
        """As :meth:`pending`, the entries held by this unit of work until it ends: another
        relay's claim neither waits for them nor takes them, nor any later entry of their
        aggregates (``aggregate_of``), so one aggregate's events stay in order."""
        ...

    def mark_published(self, entry_ids: Sequence[int], now: datetime) -> None:
        """Stamp entries as published; unknown ids are ignored."""
        ...


class ProcessedEvents(Protocol):
    """What each consumer group has done: the record that makes its handlers idempotent."""

    def add(self, group: str, event_id: str, at: datetime) -> bool:
        """Record the event as processed by ``group``; False if it already was."""
        ...

    def seen(self, group: str, event_id: str) -> bool:
        """True once ``group`` has processed the event."""
        ...


class AlreadyProcessed(Exception):
    """The consumer group had processed this event already: the handler's transaction is
    rolled back, so its effect happens once."""


@attrs.define
class _Consuming:
    group: str
    event_id: str
    written: bool = False


# The event a consumer group is handling in this thread (set by Transactions.consuming):
# the first unit of work the handler commits also records it as processed.
_CONSUMING: contextvars.ContextVar[_Consuming | None] = contextvars.ContextVar(
    "commerce_consuming", default=None)


class Sequences(Protocol):
    def next_value(self, name: str) -> int:
        """The next number of the named sequence, from 1: unique and increasing, gaps allowed."""
        ...


class UnitOfWork(Protocol):
    @property
    def inventory(self) -> InventoryRepository: ...

    @property
    def coupons(self) -> CouponRepository: ...

    @property
    def settings(self) -> SettingsRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def payments(self) -> PaymentRepository: ...

    @property
    def checkouts(self) -> CheckoutRepository: ...

    @property
    def idempotency(self) -> IdempotencyStore: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def sequences(self) -> Sequences: ...

    @property
    def processed(self) -> ProcessedEvents: ...

    @property
    def webhooks(self) -> WebhookRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def addresses(self) -> AddressBook: ...

    @property
    def wishlists(self) -> WishlistRepository: ...

    @property
    def sellers(self) -> SellerRepository: ...

    @property
    def fraud(self) -> FraudRepository: ...

    @property
    def shipments(self) -> ShipmentRepository: ...

    @property
    def notifications(self) -> NotificationRepository: ...

    def __enter__(self) -> Self:
        """Begin the transaction."""
        ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Roll back whatever was not committed, and end the transaction."""
        ...

    def commit(self) -> None:
        """Make every change and recorded event durable at once."""
        ...

    def rollback(self) -> None:
        """Discard every change and recorded event since the last commit."""
        ...

    def record(self, *events: DomainEvent) -> None:
        """Queue events for the outbox; written by commit, dropped by rollback."""
        ...

    def committed(self) -> Sequence[OutboxEntry]:
        """Outbox entries written by the last commit of this unit of work."""
        ...


UnitOfWorkFactory = Callable[..., UnitOfWork]


class Transactions:
    """Opens units of work for the services and publishes what each commit recorded."""

    def __init__(self, uow_factory: UnitOfWorkFactory, catalog_sessions: CatalogSessions,
                 publisher: EventPublisher, clock: Callable[[], datetime],
                 inline: bool = False) -> None:
        self._factory = uow_factory
        self._catalog = catalog_sessions
        self._publisher = publisher
        self._now = clock
        # inline: committed events are published by the committing thread before it goes
        # on (scripts and tests that read what handlers wrote); else by the delivery thread
        self._inline = inline
        # entries delivered but not yet stamped published: stamped in batches by the
        # process's delivery thread (no request waits for it), or by flush_marks
        self._unmarked: list[int] = []
        self._unmarked_lock = threading.Lock()
        # one stamping at a time, so a flush returns only once one in flight is written
        self._stamping = threading.Lock()
        # called in the committing thread with each commit's events (cache invalidation)
        self._committed_handlers: list[Callable[[Sequence[DomainEvent]], None]] = []

    def after_commit(self, handler: Callable[[Sequence[DomainEvent]], None]) -> None:
        """Call ``handler`` with the events of every commit, in the committing thread,
        before the call that committed returns (and with events the relay sends again). For
        quick, local reactions such as dropping cache entries; a handler that raises is
        logged, never undoes the commit."""
        self._committed_handlers.append(handler)

    def announce(self, *events: DomainEvent) -> None:
        """Tell the :meth:`after_commit` handlers of a change that has no outbox notice (a
        review, a category), after it was committed. At most once: a crash in between
        leaves a cache stale until its TTL."""
        self._tell_committed(events)

    def _tell_committed(self, events: Sequence[DomainEvent]) -> None:
        for handler in self._committed_handlers:
            try:
                handler(events)
            except Exception:
                log.exception("a committed-event handler failed")

    @contextmanager
    def __call__(self) -> Iterator[UnitOfWork]:
        """A read-write transaction: committed if the block finishes, rolled back if it raises;
        what it recorded is published after the commit. Within :meth:`consuming`, the
        first such transaction also records the event as processed by the consumer group
        (and raises :class:`AlreadyProcessed`, rolling back, if it had been)."""
        mark = _CONSUMING.get()
        if mark is not None and mark.written:
            mark = None
        with self._factory() as uow:
            yield uow
            if mark is not None and not uow.processed.add(mark.group, mark.event_id,
                                                          self._now()):
                raise AlreadyProcessed(f"{mark.group} has processed {mark.event_id}")
            uow.commit()
            entries = list(uow.committed())
        if mark is not None:
            mark.written = True
        if entries:
            self._delivered(entries)

    @contextmanager
    def consuming(self, group: str, event_id: str) -> Iterator[None]:
        """A consumer group handles one event in this block: the handler's own first
        transaction records it as processed in the same commit, so a redelivered event has
        no second effect; a handler that commits nothing gets the record in a transaction
        of its own when the block ends. Raises :class:`AlreadyProcessed` for a repeat."""
        mark = _Consuming(group, event_id)
        token = _CONSUMING.set(mark)
        try:
            yield
            if not mark.written:
                with self():
                    pass
        finally:
            _CONSUMING.reset(token)

    def processed(self, group: str, event_id: str) -> bool:
        """True once the consumer group has processed the event."""
        with self.read() as uow:
            return uow.processed.seen(group, event_id)

    @contextmanager
    def read(self, replica: bool = False, snapshot: bool = True) -> Iterator[UnitOfWork]:
        """A read-only transaction that never commits. ``replica``: it may be served by a
        read replica, so it may miss writes of the last moments; only for browsing (catalog,
        listings, history, reports), never for a step that must see what was just written.
        ``snapshot`` False: no transaction around the reads (on a database, the round trips
        that begin and end one are saved); each read still sees committed state only, but
        two reads may see different moments. Only where each read answers on its own, such
        as one record per read with no read depending on another's exact state."""
        with self._factory(read_only=True, replica=replica, snapshot=snapshot) as uow:
            yield uow

    @contextmanager
    def catalog_read(self, replica: bool = False, within: UnitOfWork | None = None
                     ) -> Iterator[CatalogSession]:
        """A read-only catalog session; ``replica`` as for :meth:`read`. ``within``: read
        inside that unit of work's transaction when the catalog lives in the same database
        (a round trip per statement saved, and one snapshot); a session of its own if not."""
        with self._catalog(read_only=True, replica=replica, within=within) as session:
            yield session

    @contextmanager
    def catalog_change(self, *notices: DomainEvent,
                       prepare: Callable[[UnitOfWork], object] | None = None
                       ) -> Iterator[CatalogSession]:
        """Change the catalog, announced by ``notices``, in the order that survives a crash:

        1. one unit of work runs ``prepare`` (the transactional side of the change, such as
           a new variant's stock row) and commits it with the notices in the outbox;
        2. the block writes the catalog session, committed when the block ends;
        3. the notices are published.

        A crash after 1 leaves notices of a change that may not have happened: consumers
        re-read the catalog, so a notice is harmless, and the relay publishes it after
        :data:`RELAY_GRACE`; ``CatalogService.repair`` first removes stock rows whose
        variant never reached the catalog. If the block raises, the notices are withdrawn
        (marked as handled) and the error goes on; undoing ``prepare`` is the caller's part.
        """
        entries: list[OutboxEntry] = []
        if notices or prepare is not None:
            with self._factory() as uow:
                if prepare is not None:
                    prepare(uow)
                uow.record(*notices)
                uow.commit()
                entries = list(uow.committed())
        try:
            with self._catalog() as session:
                yield session
                session.commit()
        except Exception:  # not BaseException: a crash leaves the notices to the repair pass
            self._mark([e.id for e in entries])
            raise
        if entries:
            self._delivered(entries)

    def publish(self, entries: Sequence[OutboxEntry]) -> bool:
        """Hand entries to the publisher; False leaves them pending. Delivered entries are
        stamped published within :data:`MARK_INTERVAL` (or by :meth:`flush_marks`): until
        then the relay, which waits :data:`RELAY_GRACE`, leaves them alone, and if this
        process dies first they are delivered again (at least once)."""
        try:
            self._publisher.publish([e.event for e in entries])
        except Exception:  # the relay will retry: the entries stay pending in the outbox
            log.exception("publishing %d events failed; left in the outbox", len(entries))
            return False
        with self._unmarked_lock:
            self._unmarked.extend(e.id for e in entries)
        _DELIVERY.watch(self)
        return True

    def _delivered(self, entries: Sequence[OutboxEntry]) -> None:
        """After a commit: hand the entries to the delivery thread (the caller returns at
        once), or publish them here when delivery is inline."""
        self._tell_committed([e.event for e in entries])
        if self._inline:
            self.publish(entries)
        else:
            _DELIVERY.submit(self, entries)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every event committed so far in this process has been delivered
        (False if ``timeout`` seconds passed first)."""
        return _DELIVERY.join(timeout)

    def flush_marks(self) -> int:
        """Stamp every delivered entry published now, in one transaction; how many. Returns
        once every entry delivered so far is stamped, by this call or by one in flight."""
        with self._stamping:
            marks = self._take_marks()
            try:
                self._mark(marks)
            except BaseException:
                self._give_back(marks)
                raise
        return len(marks)

    def _take_marks(self) -> list[int]:
        with self._unmarked_lock:
            marks, self._unmarked = self._unmarked, []
        return marks

    def _give_back(self, marks: list[int]) -> None:
        with self._unmarked_lock:
            self._unmarked[:0] = marks

    def _mark(self, entry_ids: Sequence[int]) -> None:
        if entry_ids:
            with self._factory() as uow:
                uow.outbox.mark_published(entry_ids, self._now())
                uow.commit()


class _Delivery:
    """One daemon thread per process that delivers what each :class:`Transactions` handed
    it after a commit (in commit order) and stamps the delivered entries published, in one
    transaction per shop at most every :data:`MARK_INTERVAL`. A batch that cannot be
    stamped is dropped: its entries stay pending and the relay delivers them again after the
    grace (at least once, as after a crash)."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Transactions, Sequence[OutboxEntry]]] = queue.Queue()
        self._live: weakref.WeakSet[Transactions] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def submit(self, tx: Transactions, entries: Sequence[OutboxEntry]) -> None:
        self.watch(tx)
        self._queue.put((tx, entries))

    def join(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted so far has been delivered; False on timeout."""
        done = self._queue.all_tasks_done
        deadline = None if timeout is None else time.monotonic() + timeout
        with done:
            while self._queue.unfinished_tasks:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                done.wait(left)
        return True

    def finish(self, timeout: float) -> None:
        """At exit: deliver what is queued, then stamp it."""
        self.join(timeout)
        self._stamp(quiet=True)  # shops whose databases are gone by now are no news

    def watch(self, tx: Transactions) -> None:
        with self._lock:
            self._live.add(tx)
            # a forked worker inherits the queue but not the thread
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="commerce-events",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        stamped = time.monotonic()
        while True:
            try:
                tx, entries = self._queue.get(timeout=MARK_INTERVAL)
            except queue.Empty:
                pass
            else:
                try:
                    tx.publish(entries)
                finally:
                    self._queue.task_done()
            if time.monotonic() - stamped >= MARK_INTERVAL:
                self._stamp()
                stamped = time.monotonic()

    def _stamp(self, quiet: bool = False) -> None:
        with self._lock:
            live = list(self._live)
        for tx in live:
            try:
                tx.flush_marks()
            except Exception:
                tx._take_marks()
                if not quiet:
                    log.warning("could not stamp delivered events; the relay will deliver "
                                "them again", exc_info=True)


_DELIVERY = _Delivery()
# a script that exits right after its last commit still delivers and stamps what it
# committed (what does not make it in time stays in the outbox for the relay)
atexit.register(_DELIVERY.finish, 10.0)


class OutboxRelay:
    """Publishes outbox entries that were committed but never published (after a crash, or
    while the broker was away).

    ``publisher``: a broker's (whose handlers run in other processes); each pass then
    claims its entries in a transaction (:meth:`Outbox.claim`), publishes them and stamps
    them in that same transaction, so several relays share the outbox without sending an
    entry twice or reordering an aggregate's events. Without one, entries are handed to
    ``tx``'s in-process publisher outside any transaction (its handlers write their own)."""

    def __init__(self, tx: Transactions, uow_factory: UnitOfWorkFactory,
                 clock: Callable[[], datetime], grace: timedelta = RELAY_GRACE,
                 publisher: EventPublisher | None = None) -> None:
        self._tx = tx
        self._factory = uow_factory
        self._now = clock
        self.grace = grace
        self._publisher = publisher

    def stale(self, limit: int = 500) -> list[OutboxEntry]:
        """Pending entries older than the grace period, oldest first (this process's own
        delivered ones stamped first, so they are not delivered twice)."""
        self._tx.flush_marks()
        with self._factory(read_only=True) as uow:
            return list(uow.outbox.pending(limit, before=self._now() - self.grace))

    def run_once(self, limit: int = 500) -> int:
        """Publish up to ``limit`` stale pending entries; how many were published."""
        if self._publisher is not None:
            return self._relay_claimed(self._publisher, limit)
        entries = self.stale(limit)
        if entries:
            self._tx.announce(*(e.event for e in entries))  # their commit's process is gone
        return len(entries) if entries and self._tx.publish(entries) else 0

    def _relay_claimed(self, publisher: EventPublisher, limit: int) -> int:
        self._tx.flush_marks()
        with self._factory() as uow:
            entries = uow.outbox.claim(limit, before=self._now() - self.grace)
            if not entries:
                return 0
            try:
                publisher.publish([e.event for e in entries])
            except Exception:  # the broker is away: the entries stay pending, in order
                log.exception("relaying %d events failed; left in the outbox", len(entries))
                return 0
            uow.outbox.mark_published([e.id for e in entries], self._now())
            uow.commit()
        return len(entries)
