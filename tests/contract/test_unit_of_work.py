"""Contract: unit of work, outbox, sequences."""

from __future__ import annotations

import threading

import pytest

from commerce_core.accounts.model import SavedAddress, User
from commerce_core.accounts.policy import Role
from commerce_core.address import Address
from commerce_core.catalog.model import Category
from commerce_core.errors import NotFound
from commerce_core.events import ProductCreated
from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.money import Money
from commerce_core.notifications.model import Channel, Message, NotificationType
from commerce_core.reviews.model import Review
from commerce_core.sellers.model import SellerProfile
from commerce_core.shipping.model import ServiceLevel, Shipment
from commerce_core.wishlist.model import WishlistItem
from tests.concurrency import run_together
from tests.contract.conftest import Backend


def committed_category(backend: Backend, category_id: int, name: str) -> None:
    with backend.storage.uow_factory() as uow:
        uow.categories.add(Category(category_id, name, created_at=backend.clock.now()))
        uow.commit()


def test_rollback_discards_everything(backend: Backend) -> None:
    factory, now = backend.storage.uow_factory, backend.clock.now()
    committed_category(backend, 1, "Kept")
    with factory() as uow:
        uow.categories.add(Category(2, "Dropped", created_at=now))
        kept = uow.categories.get(1)
        kept.name = "Renamed"
        uow.categories.update(kept)
        uow.record(ProductCreated(occurred_at=now, product_id=1, seller_id=1))
        uow.rollback()
    with factory() as uow:
        assert uow.categories.get(1).name == "Kept"
        with pytest.raises(NotFound):
            uow.categories.get(2)
        assert not uow.outbox.pending(10)


def test_leaving_without_commit_rolls_back_also_on_error(backend: Backend) -> None:
    factory, now = backend.storage.uow_factory, backend.clock.now()
    with pytest.raises(RuntimeError), factory() as uow:
        uow.categories.add(Category(3, "Half", created_at=now))
        raise RuntimeError("boom")
    with factory() as uow:
        uow.categories.add(Category(4, "Uncommitted", created_at=now))
    with factory() as uow:
        assert uow.categories.all() == []


def test_returned_objects_are_copies(backend: Backend) -> None:
    factory = backend.storage.uow_factory
    committed_category(backend, 5, "Original")
    with factory() as uow:
        uow.categories.get(5).name = "Mutated without saving"
        uow.commit()
    with factory() as uow:
        assert uow.categories.get(5).name == "Original"


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


def test_rollback_undoes_every_newer_repository(backend: Backend) -> None:
    now, usd = backend.clock.now(), Money("1", "USD")
    with backend.storage.uow_factory() as uow:
        uow.users.add(User(1, "a@x.com", "h", "A", Role.CUSTOMER, now, now))
        uow.addresses.add(SavedAddress(2, 1, Address("1 St", "City", "1", "US")))
        uow.revocations.revoke("jti", now)
        uow.reviews.add(Review(3, 4, 5, 1, 5, "t", "", now, now))
        uow.reviews.set_vote(3, 6, True)
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
        assert not uow.revocations.is_revoked("jti")
        assert uow.reviews.stats(4).count == 0 and uow.reviews.vote(3, 6) is None
        assert uow.wishlists.count(1) == 0
        assert uow.sellers.find(5) is None and uow.fraud.find(7) is None
        assert uow.shipments.for_order(7) == []
        assert uow.notifications.due(now, 10) == []
