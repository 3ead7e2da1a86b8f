"""Contract of the UnitOfWork port (uow.py): transaction semantics, Outbox and Sequences."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from commerce_core.accounts.model import SavedAddress, User
from commerce_core.accounts.policy import Role
from commerce_core.address import Address
from commerce_core.checkout.model import Checkout, CheckoutState
from commerce_core.errors import NotFound
from commerce_core.events import OrderPlaced, ProductCreated
from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.money import Money
from commerce_core.notifications.model import Channel, Message, NotificationType
from commerce_core.orders.model import Order, OrderItem
from commerce_core.sellers.model import SellerProfile
from commerce_core.shipping.model import ServiceLevel, Shipment
from commerce_core.uow import UnitOfWork
from commerce_core.wishlist.model import WishlistItem
from tests.concurrency import run_together
from tests.contract.conftest import Backend


def _user(backend: Backend, user_id: int, name: str) -> User:
    now = backend.clock.now()
    return User(user_id, f"user{user_id}@x.com", "h", name, Role.CUSTOMER, now, now)


def committed_user(backend: Backend, user_id: int, name: str) -> None:
    with backend.storage.uow_factory() as uow:
        uow.users.add(_user(backend, user_id, name))
        uow.commit()


# Transaction semantics -----------------------------------------------------------------------

def test_rollback_discards_everything(backend: Backend) -> None:
    factory, now = backend.storage.uow_factory, backend.clock.now()
    committed_user(backend, 1, "Kept")
    with factory() as uow:
        uow.users.add(_user(backend, 2, "Dropped"))
        kept = uow.users.get(1)
        kept.name = "Renamed"
        uow.users.update(kept)
        uow.record(ProductCreated(occurred_at=now, product_id=1, seller_id=1))
        uow.rollback()
    with factory() as uow:
        assert uow.users.get(1).name == "Kept"
        with pytest.raises(NotFound):
            uow.users.get(2)
        assert not uow.outbox.pending(10)


def test_leaving_without_commit_rolls_back_also_on_error(backend: Backend) -> None:
    factory, now = backend.storage.uow_factory, backend.clock.now()
    with pytest.raises(RuntimeError), factory() as uow:
        uow.users.add(_user(backend, 3, "Half"))
        uow.record(ProductCreated(occurred_at=now, product_id=3, seller_id=1))
        raise RuntimeError("boom")
    with factory() as uow:
        uow.users.add(_user(backend, 4, "Uncommitted"))
        uow.record(ProductCreated(occurred_at=now, product_id=4, seller_id=1))
    with factory() as uow:
        for user_id in (3, 4):
            with pytest.raises(NotFound):
                uow.users.get(user_id)
        assert not uow.outbox.pending(10)


def test_a_read_without_a_snapshot_sees_each_commit_as_it_reads(backend: Backend) -> None:
    factory = backend.storage.uow_factory
    committed_user(backend, 6, "Before")
    with factory(read_only=True, snapshot=False) as reading:
        assert reading.users.get(6).name == "Before"
        committed_user(backend, 7, "Meanwhile")  # another unit of work commits
        assert reading.users.get(7).name == "Meanwhile"


def test_returned_objects_are_copies(backend: Backend) -> None:
    factory = backend.storage.uow_factory
    committed_user(backend, 5, "Original")
    with factory() as uow:
        uow.users.get(5).name = "Mutated without saving"
        uow.commit()
    with factory() as uow:
        assert uow.users.get(5).name == "Original"


def test_rollback_undoes_every_newer_repository(backend: Backend) -> None:
    now, usd = backend.clock.now(), Money("1", "USD")
    with backend.storage.uow_factory() as uow:
        uow.users.add(User(1, "a@x.com", "h", "A", Role.CUSTOMER, now, now))
        uow.addresses.add(SavedAddress(2, 1, Address("1 St", "City", "1", "US")))
        uow.wishlists.add(WishlistItem(1, 4, now))
        uow.sellers.add(SellerProfile(5, "Store", now, now))
        uow.fraud.add(FraudCheck(7, 1, 0, [], FraudStatus.CLEAR, usd, now, now))
        uow.shipments.add(Shipment(8, 7, 5, [1], "c", ServiceLevel.STANDARD, "T", usd, now, now))
        uow.notifications.add(Message(9, "e", 1, NotificationType.ORDER_PLACED, Channel.EMAIL,
                                      "to", "s", "b", now, now))
        uow.rollback()
    with backend.storage.uow_factory(read_only=True) as uow:
        assert uow.users.by_email("a@x.com") is None
        assert uow.addresses.for_user(1) == []
        assert uow.wishlists.count(1) == 0
        assert uow.sellers.find(5) is None and uow.fraud.find(7) is None
        assert uow.shipments.for_order(7) == []
        assert uow.notifications.due(now, 10) == []


_HOME = Address("1 Main St", "Springfield", "12345", "US")


def _order(backend: Backend, number: str) -> Order:
    now, usd, zero = backend.clock.now(), Money("10", "USD"), Money.zero("USD")
    item = OrderItem(backend.ids.next_id(), 1, 2, "SKU", "Thing", 3, 1, usd, usd, zero, zero)
    return Order(backend.ids.next_id(), number, 9, "USD", [item], usd, zero, zero, zero,
                 _HOME, _HOME, now, now)


def test_a_unit_of_work_sees_what_it_wrote_before_it_commits(backend: Backend) -> None:
    # a store that holds inserts back to send them together sends them before any read
    # that could see them: the use case never notices
    now = backend.clock.now()
    order = _order(backend, "ORD-2026-000101")
    checkout = Checkout(backend.ids.next_id(), 9, order.id, 99, CheckoutState.RESERVED, now,
                        now)
    with backend.storage.uow_factory() as uow:
        uow.orders.add(order)
        uow.checkouts.add(checkout)
        uow.fraud.add(FraudCheck(order.id, 9, 0, [], FraudStatus.CLEAR, order.total, now, now))
        assert uow.orders.get(order.id) == order
        assert uow.fraud.history(9, now - timedelta(hours=1), now).orders_since == 1
        assert uow.checkouts.for_order(order.id) == checkout
        found = uow.fraud.find(order.id)
        assert found is not None and found.status is FraudStatus.CLEAR
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        assert uow.orders.get(order.id) == order


def test_a_refused_insert_stores_nothing_of_its_unit_of_work(backend: Backend) -> None:
    first = _order(backend, "ORD-2026-000201")
    with backend.storage.uow_factory() as uow:
        uow.orders.add(first)
        uow.commit()
    fresh, now = _order(backend, "ORD-2026-000202"), backend.clock.now()

    def write(uow: UnitOfWork) -> None:
        uow.orders.add(fresh)
        uow.checkouts.add(Checkout(backend.ids.next_id(), 9, fresh.id, 99,
                                   CheckoutState.RESERVED, now, now))
        uow.record(OrderPlaced(occurred_at=now, order_id=fresh.id, order_number=fresh.number,
                               user_id=9, total=fresh.total))
        uow.orders.add(_order(backend, first.number))  # the number is taken
    backend.refused(write)
    with backend.storage.uow_factory(read_only=True) as uow:
        with pytest.raises(NotFound):
            uow.orders.get(fresh.id)
        with pytest.raises(NotFound):
            uow.checkouts.for_order(fresh.id)
        assert not uow.outbox.pending(10)
        assert uow.orders.get(first.id) == first


# Outbox --------------------------------------------------------------------------------------

def test_events_reach_the_outbox_with_the_commit(backend: Backend) -> None:
    factory, now = backend.storage.uow_factory, backend.clock.now()
    with factory() as uow:
        uow.record(ProductCreated(occurred_at=now, product_id=7, seller_id=1))
        uow.commit()
        entries = list(uow.committed())
    assert [e.event.product_id for e in entries] == [7]  # type: ignore[attr-defined]
    with factory() as uow:
        assert [e.id for e in uow.outbox.pending(10)] == [entries[0].id]
        uow.outbox.mark_published([entries[0].id], now)
        uow.commit()
    with factory() as uow:
        assert not uow.outbox.pending(10)


def test_an_event_comes_back_from_the_outbox_as_recorded(backend: Backend) -> None:
    now = backend.clock.now()
    placed = OrderPlaced(occurred_at=now, order_id=1, order_number="ORD-2026-000001", user_id=1,
                         total=Money("1", "USD"))
    with backend.storage.uow_factory() as uow:
        uow.record(placed)
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        (entry,) = uow.outbox.pending(10)
    assert entry.event == placed and entry.created_at == now and entry.published_at is None
    assert entry.event.to_dict()["payload"]["total"] == {"amount": "1.00", "currency": "USD"}


def test_pending_before_takes_only_older_entries_oldest_first(backend: Backend) -> None:
    factory, start = backend.storage.uow_factory, backend.clock.now()
    ids: list[int] = []
    for product_id in (1, 2, 3):  # one commit a minute
        with factory() as uow:
            uow.record(ProductCreated(occurred_at=backend.clock.now(), product_id=product_id,
                                      seller_id=1))
            uow.commit()
            ids += [e.id for e in uow.committed()]
        backend.clock.advance(timedelta(minutes=1))
    minute = timedelta(minutes=1)

    def pending(limit: int = 10, **kw: object) -> list[int]:
        with factory(read_only=True) as uow:
            return [e.id for e in uow.outbox.pending(limit, **kw)]  # type: ignore[arg-type]

    assert pending() == ids == pending(before=None)
    assert pending(before=start) == []                        # strictly before: not at
    assert pending(before=start + timedelta(seconds=1)) == ids[:1]
    assert pending(before=start + 2 * minute) == ids[:2]      # the third is at, not before
    assert pending(before=start + timedelta(days=1)) == ids
    assert pending(1, before=start + 2 * minute) == ids[:1]   # the limit still applies
    with factory() as uow:
        uow.outbox.mark_published([ids[0], 404], backend.clock.now())  # unknown ids ignored
        uow.commit()
    assert pending(before=start + 2 * minute) == ids[1:2]     # published ones are left out


# Sequences -----------------------------------------------------------------------------------

def test_sequences_are_unique_under_concurrency(backend: Backend) -> None:
    factory = backend.storage.uow_factory
    got: list[int] = []
    lock = threading.Lock()

    def draw() -> None:
        for _ in range(25):
            with factory() as uow:
                value = uow.sequences.next_value("orders:2026")
                uow.commit()
            with lock:
                got.append(value)

    assert run_together([draw] * 4) == []
    assert len(set(got)) == 100 and min(got) >= 1
    with factory() as uow:
        assert uow.sequences.next_value("other") == 1


# Outbox claims (relays) and processed events (consumer groups) -------------------------------

def _placed(backend: Backend, order_id: int) -> OrderPlaced:
    return OrderPlaced(occurred_at=backend.clock.now(), order_id=order_id,
                       order_number=f"ORD-{order_id}", user_id=1, total=Money("1", "USD"))


def _commit_events(backend: Backend, *order_ids: int) -> list[int]:
    ids = []
    for order_id in order_ids:  # one commit each: ids in commit order
        with backend.uow() as uow:
            uow.record(_placed(backend, order_id))
            uow.commit()
            ids += [e.id for e in uow.committed()]
    return ids


def test_a_claim_takes_pending_entries_oldest_first_and_stamping_ends_it(
        backend: Backend) -> None:
    ids = _commit_events(backend, 1, 2, 3)
    with backend.uow() as uow:
        claimed = uow.outbox.claim(2)
        assert [e.id for e in claimed] == ids[:2]
        uow.outbox.mark_published([e.id for e in claimed], backend.clock.now())
        uow.commit()
    with backend.uow() as uow:
        assert [e.id for e in uow.outbox.claim(10)] == ids[2:]
        later = backend.clock.now() + timedelta(seconds=1)
        assert [e.id for e in uow.outbox.claim(10, before=later)] == ids[2:]
        assert uow.outbox.claim(10, before=backend.clock.now()) == []


# PostgreSQL only: memory and SQLite have one writer at a time, so relays take turns there
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_relays_claim_apart_and_never_overtake_one_another_on_an_aggregate(
        backend: Backend) -> None:
    ids = _commit_events(backend, 1, 2, 1, 3)  # order 1 has the oldest and the third entry
    first = backend.uow().__enter__()
    try:
        assert [e.id for e in first.outbox.claim(1)] == ids[:1]  # holds order 1's oldest
        with backend.uow() as second:
            # not waiting for the first relay; and order 1's later entry is left to it
            assert [e.id for e in second.outbox.claim(10)] == [ids[1], ids[3]]
    finally:
        first.__exit__(None, None, None)


def test_a_group_processes_an_event_once_and_groups_are_apart(backend: Backend) -> None:
    now = backend.clock.now()
    with backend.uow() as uow:
        assert uow.processed.add("mail", "e1", now)
        assert not uow.processed.add("mail", "e1", now)
        assert uow.processed.add("search", "e1", now)
        uow.commit()
    with backend.uow() as uow:
        assert uow.processed.seen("mail", "e1")
        assert not uow.processed.seen("mail", "e2")
        uow.processed.add("mail", "e2", now)
        uow.rollback()
    with backend.uow(read_only=True) as uow:
        assert not uow.processed.seen("mail", "e2")  # rolled back with its transaction
