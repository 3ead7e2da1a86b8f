"""In-memory sessions (the unit of work and the catalog session): each holds the state's
lock from begin to end and undoes on rollback."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Self

from commerce_adapters.memory.accounts import MemoryAddresses, MemoryUsers
from commerce_adapters.memory.catalog import MemoryCategories, MemoryProducts
from commerce_adapters.memory.checkout import MemoryCheckouts
from commerce_adapters.memory.coupons import MemoryCoupons
from commerce_adapters.memory.fraud import MemoryFraud
from commerce_adapters.memory.idempotency import MemoryIdempotency
from commerce_adapters.memory.inventory import MemoryInventory
from commerce_adapters.memory.notifications import MemoryNotifications
from commerce_adapters.memory.orders import MemoryOrders
from commerce_adapters.memory.outbox import MemoryOutbox
from commerce_adapters.memory.payments import MemoryPayments
from commerce_adapters.memory.processed import MemoryProcessedEvents
from commerce_adapters.memory.reviews import MemoryReviews
from commerce_adapters.memory.sellers import MemorySellers
from commerce_adapters.memory.sequences import MemorySequences
from commerce_adapters.memory.settings import MemorySettings
from commerce_adapters.memory.shipping import MemoryShipments
from commerce_adapters.memory.state import Journal, MemoryState
from commerce_adapters.memory.webhooks import MemoryWebhooks
from commerce_adapters.memory.wishlist import MemoryWishlists
from commerce_core.clock import Clock, SystemClock
from commerce_core.errors import CommerceError
from commerce_core.events import DomainEvent
from commerce_core.uow import OutboxEntry


class MemorySession:
    """The state's lock held from begin to end, and an undo journal for rollback."""

    def __init__(self, state: MemoryState, read_only: bool = False) -> None:
        self._state = state
        self._read_only = read_only
        self._journal = Journal()
        self._open = False

    def __enter__(self) -> Self:
        self._state.lock.acquire()
        self._open = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.rollback()
        finally:
            self._open = False
            self._state.lock.release()

    def commit(self) -> None:
        if not self._open:
            raise CommerceError("commit outside the unit of work's with-block")
        self._journal.forget()

    def rollback(self) -> None:
        self._journal.rollback()


class MemoryCatalogSession(MemorySession):
    """The catalog store's session: products, categories and reviews."""

    def __init__(self, state: MemoryState, read_only: bool = False) -> None:
        super().__init__(state, read_only)
        j = self._journal
        self.products = MemoryProducts(state, j)
        self.categories = MemoryCategories(state, j)
        self.reviews = MemoryReviews(state, j)


class MemoryUnitOfWork(MemorySession):
    """The transactional store's unit of work; events recorded in it go to its outbox."""

    def __init__(self, state: MemoryState, clock: Clock | None = None,
                 read_only: bool = False) -> None:
        super().__init__(state, read_only)
        self._clock = clock or SystemClock()
        self._events: list[DomainEvent] = []
        self._committed: list[OutboxEntry] = []
        j = self._journal
        self.inventory = MemoryInventory(state, j)
        self.coupons = MemoryCoupons(state, j)
        self.settings = MemorySettings(state, j)
        self.orders = MemoryOrders(state, j)
        self.payments = MemoryPayments(state, j)
        self.checkouts = MemoryCheckouts(state, j)
        self.idempotency = MemoryIdempotency(state, j)
        self.outbox = MemoryOutbox(state, j)
        self.sequences = MemorySequences(state, j)
        self.processed = MemoryProcessedEvents(state, j)
        self.webhooks = MemoryWebhooks(state, j)
        self.users = MemoryUsers(state, j)
        self.addresses = MemoryAddresses(state, j)
        self.wishlists = MemoryWishlists(state, j)
        self.sellers = MemorySellers(state, j)
        self.fraud = MemoryFraud(state, j)
        self.shipments = MemoryShipments(state, j)
        self.notifications = MemoryNotifications(state, j)

    def commit(self) -> None:
        if not self._open:
            raise CommerceError("commit outside the unit of work's with-block")
        if self._read_only and self._events:
            raise CommerceError("a read-only unit of work cannot record events")
        now = self._clock.now()
        self._committed = [OutboxEntry(self._state.ids.next_id(), e, now) for e in self._events]
        for entry in self._committed:
            self.outbox.add(entry)
        self._events.clear()
        super().commit()

    def rollback(self) -> None:
        super().rollback()
        self._events.clear()

    def record(self, *events: DomainEvent) -> None:
        self._events.extend(events)

    def committed(self) -> Sequence[OutboxEntry]:
        return list(self._committed)
