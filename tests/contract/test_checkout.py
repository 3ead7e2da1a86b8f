"""Contract of the CheckoutRepository port (checkout/ports.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.checkout.model import Checkout, CheckoutState
from commerce_core.errors import NotFound
from tests.contract.conftest import Backend


def test_checkouts_by_order_and_stuck_oldest_first(backend: Backend) -> None:
    now = backend.clock.now()

    def checkout(order_id: int, state: CheckoutState, minutes_ago: int) -> Checkout:
        at = now - timedelta(minutes=minutes_ago)
        return Checkout(backend.ids.next_id(), 1, order_id, 99, state, at, at)

    fresh_one = checkout(1, CheckoutState.RESERVED, 0)
    old = checkout(2, CheckoutState.PAYMENT_STARTED, 10)
    older = checkout(3, CheckoutState.RESERVED, 20)
    done = checkout(4, CheckoutState.COMPLETED, 30)
    with backend.storage.uow_factory() as uow:
        for c in (fresh_one, old, older, done):
            uow.checkouts.add(c)
        uow.commit()
    backend.refused(lambda uow: uow.checkouts.add(checkout(1, CheckoutState.RESERVED, 0)))
    with backend.storage.uow_factory() as uow:  # one per order: the first one stands
        assert uow.checkouts.for_order(1).id == fresh_one.id
        assert uow.checkouts.for_order(2).id == old.id
        stuck = uow.checkouts.stuck((CheckoutState.RESERVED, CheckoutState.PAYMENT_STARTED),
                                    now - timedelta(minutes=5), 10)
        assert [c.id for c in stuck] == [older.id, old.id]
        with pytest.raises(NotFound):
            uow.checkouts.for_order(404)


def test_report_query_created_between_is_half_open(backend: Backend) -> None:
    start = backend.clock.now()
    with backend.storage.uow_factory() as uow:
        for order_id, hours in ((1, 0), (2, 48)):
            at = start + timedelta(hours=hours)
            uow.checkouts.add(Checkout(backend.ids.next_id(), 1, order_id, 1,
                                       CheckoutState.COMPLETED, at, at))
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        assert len(uow.checkouts.created_between(start, start + timedelta(hours=48))) == 1


def test_move_stores_a_step_only_from_the_state_it_was_made_from(backend: Backend) -> None:
    now = backend.clock.now()
    held = Checkout(backend.ids.next_id(), 1, 7, 99, CheckoutState.PAYMENT_STARTED, now, now,
                    payment_id=5)
    with backend.storage.uow_factory() as uow:
        uow.checkouts.add(held)
        uow.commit()
    later = now + timedelta(seconds=5)
    other = Checkout(held.id, 1, 7, 99, CheckoutState.PAYMENT_STARTED, now, now, payment_id=5)
    left = held.move(CheckoutState.COMPLETED, later)
    other.fail("expired", "too late", later, CheckoutState.FAILED)
    with backend.storage.uow_factory() as uow:
        assert uow.checkouts.move(held, left)
        assert not uow.checkouts.move(other, left)  # the first settler won: nothing written
        assert not uow.checkouts.move(Checkout(404, 1, 8, 1, CheckoutState.FAILED, now, now),
                                      CheckoutState.RESERVED)
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        stored = uow.checkouts.get(held.id)
    assert (stored.state, stored.payment_id, stored.failure_code, stored.updated_at) == \
        (CheckoutState.COMPLETED, 5, "", later)
