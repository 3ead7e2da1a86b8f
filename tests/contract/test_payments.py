"""Contract of the PaymentRepository port (payments/ports.py): payments and refunds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.errors import Conflict, NotFound
from commerce_core.money import Money
from commerce_core.payments.model import Payment, PaymentState, Refund, RefundState
from tests.contract.conftest import Backend


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


def test_pending_refunds_and_refund_lookups(backend: Backend) -> None:
    now = backend.clock.now()
    usd = Money("5", "USD")
    with backend.storage.uow_factory() as uow:
        uow.payments.add(Payment(1, 10, 1, Money("50", "USD"), "pay_1", now, now))
        early = Refund(2, 1, 10, usd, "a", now - timedelta(minutes=9), now)
        late = Refund(3, 1, 10, usd, "b", now - timedelta(minutes=1), now)
        done = Refund(4, 1, 10, usd, "c", now - timedelta(minutes=20), now,
                      status=RefundState.COMPLETED)
        for r in (late, early, done):
            uow.payments.add_refund(r)
        assert [r.id for r in uow.payments.pending_refunds(now - timedelta(minutes=5), 10)] \
            == [early.id]
        assert [r.id for r in uow.payments.refunds(1)] == [done.id, early.id, late.id]
        assert uow.payments.get_refund(3).reason == "b"
        with pytest.raises(NotFound):
            uow.payments.get_refund(404)


def test_report_queries_refunds_between(backend: Backend) -> None:
    start = backend.clock.now()
    first_order, second_order = backend.ids.next_id(), backend.ids.next_id()
    with backend.storage.uow_factory() as uow:
        usd = Money("5", "USD")
        failed = Payment(backend.ids.next_id(), first_order, 1, usd, "pay_f", start, start)
        failed.fail("declined", {}, start)
        uow.payments.add(failed)
        uow.payments.add(Payment(backend.ids.next_id(), second_order, 1, usd, "pay_ok",
                                 start, start))
        uow.payments.add_refund(Refund(backend.ids.next_id(), failed.id, first_order, usd,
                                       "x", start + timedelta(hours=30), start))
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        assert len(uow.payments.refunds_between(start + timedelta(hours=24),
                                                start + timedelta(hours=48))) == 1


def test_settle_stores_an_outcome_only_from_the_status_it_was_made_from(
        backend: Backend) -> None:
    now = backend.clock.now()
    later = now + timedelta(seconds=3)
    held = Payment(3, 12, 1, Money("5", "USD"), "pay_3", now, now)
    other = Payment(4, 13, 1, Money("5", "USD"), "pay_4", now, now, transaction_id="txn_4")
    with backend.storage.uow_factory() as uow:
        uow.payments.add(held)
        uow.payments.add(other)
        uow.commit()
    stale = Payment(3, 12, 1, Money("5", "USD"), "pay_3", now, now)
    held.succeed("txn_3", {"id": "txn_3"}, later)
    stale.fail("declined", {}, later)
    taken = Payment(4, 13, 1, Money("5", "USD"), "pay_4", now, now)
    taken.succeed("txn_3", {}, later)  # the other payment's transaction id
    with backend.storage.uow_factory() as uow:
        assert uow.payments.settle(held, PaymentState.PROCESSING)
        assert not uow.payments.settle(stale, PaymentState.PROCESSING)  # settled already
        with pytest.raises(Conflict):
            uow.payments.settle(taken, PaymentState.PROCESSING)
        assert uow.payments.by_transaction("txn_3").id == 3  # the unit of work goes on
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        stored = uow.payments.get(3)
        assert (stored.status, stored.transaction_id, stored.updated_at) == \
            (PaymentState.COMPLETED, "txn_3", later)
        assert uow.payments.get(4).transaction_id == "txn_4"
