"""Contracts: cart store, idempotency store, repositories' identity rules, event publisher."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commerce_adapters.memory.events import InProcessEventBus
from commerce_core.cart.model import Cart, CartLine
from commerce_core.errors import Conflict, NotFound
from commerce_core.events import DomainEvent, OrderPlaced, ProductCreated
from commerce_core.idempotency import IdempotencyRecord
from commerce_core.money import Money
from commerce_core.payments.model import Payment
from tests.contract.conftest import Backend


def _cart(backend: Backend, user: int) -> Cart:
    cart = Cart.new(user, backend.clock.now())
    cart.add(CartLine(backend.ids.next_id(), 1, 2, "SKU", "Thing", 1, Money("5", "USD"), 1, 1),
             backend.clock.now())
    return cart


def test_cart_store_round_trip_versions_and_delete(backend: Backend) -> None:
    store = backend.storage.carts
    assert store.get(1) is None
    saved = store.save(_cart(backend, 1))
    assert saved.version == 1 and store.get(1) == saved
    stale = _cart(backend, 1)  # version 0: written without reading the current cart
    with pytest.raises(Conflict):
        store.save(stale)
    saved.lines[0].quantity = 3
    assert store.save(saved).version == 2
    assert store.get(1).lines[0].quantity == 3  # type: ignore[union-attr]
    store.delete(1)
    store.delete(1)
    assert store.get(1) is None


def test_cart_store_expires_untouched_carts(backend: Backend) -> None:
    store = backend.storage.carts
    store.save(_cart(backend, 2))
    backend.clock.advance(timedelta(days=30, seconds=1))
    assert store.get(2) is None
    fresh = _cart(backend, 2)  # a new cart after the old one expired starts at version 1
    fresh.updated_at = backend.clock.now()
    assert store.save(fresh).version == 1


def test_idempotency_store(backend: Backend) -> None:
    now = backend.clock.now()
    record = IdempotencyRecord("checkout:1", "k", "h1", {"order_id": 5}, now)
    with backend.storage.uow_factory() as uow:
        assert uow.idempotency.get("checkout:1", "k") is None
        uow.idempotency.add(record)
        uow.commit()
    with backend.storage.uow_factory() as uow:
        assert uow.idempotency.get("checkout:1", "k") == record
        assert uow.idempotency.get("checkout:2", "k") is None  # scopes are separate
        with pytest.raises(Conflict):
            uow.idempotency.add(IdempotencyRecord("checkout:1", "k", "h2", {}, now))
    backend.clock.advance(timedelta(days=2))
    with backend.storage.uow_factory() as uow:
        assert uow.idempotency.purge(backend.clock.now() - timedelta(days=1)) == 1
        uow.commit()


def test_payment_transaction_ids_are_unique(backend: Backend) -> None:
    now = backend.clock.now()
    a = Payment(1, 10, 1, Money("5", "USD"), "pay_1", now, now, transaction_id="txn_1")
    b = Payment(2, 11, 1, Money("5", "USD"), "pay_2", now, now, transaction_id="txn_1")
    with backend.storage.uow_factory() as uow:
        uow.payments.add(a)
        with pytest.raises(Conflict):
            uow.payments.add(b)
        with pytest.raises(NotFound):
            uow.payments.by_transaction("txn_404")
        assert uow.payments.by_transaction("txn_1").id == 1


def test_event_bus_delivers_in_order_by_type_and_isolates_failures() -> None:
    bus = InProcessEventBus()
    now = datetime.now(UTC)
    all_events: list[DomainEvent] = []
    placed: list[DomainEvent] = []

    calls: list[str] = []
    flaky_fails = [1]

    def broken(event: DomainEvent) -> None:
        raise RuntimeError("handler bug")

    def flaky(event: DomainEvent) -> None:  # fails once, then works: a transient error
        if flaky_fails[0]:
            flaky_fails[0] -= 1
            raise ConnectionError("dropped")
        calls.append(event.event_id)

    bus.subscribe(DomainEvent, broken)
    bus.subscribe(DomainEvent, flaky)
    bus.subscribe(DomainEvent, all_events.append)
    bus.subscribe(OrderPlaced, placed.append)
    e1 = ProductCreated(occurred_at=now, product_id=1, seller_id=1)
    e2 = OrderPlaced(occurred_at=now, order_id=1, order_number="ORD-2026-000001", user_id=1,
                     total=Money("1", "USD"))
    bus.publish([e1, e2])
    assert all_events == [e1, e2] and placed == [e2]
    assert calls == [e1.event_id, e2.event_id]
    assert e2.to_dict()["payload"]["total"] == {"amount": "1.00", "currency": "USD"}
