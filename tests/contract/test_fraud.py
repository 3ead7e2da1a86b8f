"""Contract of the FraudRepository port (fraud/ports.py): checks and their review queue."""

from __future__ import annotations

from datetime import timedelta

from commerce_core.accounts.model import User
from commerce_core.accounts.policy import Role
from commerce_core.address import Address
from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.money import Money
from commerce_core.orders.model import Order, OrderItem
from commerce_core.pagination import PageRequest
from commerce_core.payments.model import Payment
from tests.contract.conftest import Backend


def test_fraud_checks_and_their_queue(backend: Backend) -> None:
    now, usd = backend.clock.now(), Money("10", "USD")

    def check(order: int, score: int, status: FraudStatus, minutes: int = 0) -> FraudCheck:
        at = now + timedelta(minutes=minutes)
        return FraudCheck(order, 1, score, ["x"], status, usd, at, at)

    with backend.storage.uow_factory() as uow:
        for c in (check(1, 60, FraudStatus.HELD, 2), check(2, 90, FraudStatus.HELD),
                  check(3, 60, FraudStatus.HELD), check(4, 0, FraudStatus.CLEAR)):
            uow.fraud.add(c)
        uow.commit()
    backend.refused(lambda uow: uow.fraud.add(check(1, 0, FraudStatus.CLEAR)))
    with backend.storage.uow_factory() as uow:
        assert [c.order_id for c in uow.fraud.queue(FraudStatus.HELD, PageRequest()).items] \
            == [2, 3, 1]
        held = uow.fraud.find(3)
        assert held is not None and uow.fraud.find(99) is None
        held.decide(True, 5, "ok", now)
        uow.fraud.update(held)
        assert uow.fraud.queue(FraudStatus.APPROVED, PageRequest()).total_count == 1


def test_a_buyers_history_counts_orders_and_failures_in_their_windows(backend: Backend
                                                                      ) -> None:
    start, usd, zero = backend.clock.now(), Money("5", "USD"), Money.zero("USD")
    home = Address("1 Main St", "Springfield", "12345", "US")

    def order(user: int, minutes: int) -> Order:
        at = start + timedelta(minutes=minutes)
        item = OrderItem(backend.ids.next_id(), 1, 2, "SKU", "Thing", 3, 1, usd, usd, zero,
                         zero)
        return Order(backend.ids.next_id(), f"ORD-2026-{minutes + 500 + user:06d}", user, "USD",
                     [item], usd, zero, zero, zero, home, home, at, at)

    with backend.storage.uow_factory() as uow:
        uow.users.add(User(1, "ann@example.com", "$argon2id$fake", "Ann", Role.CUSTOMER,
                           start, start))
        for o in (order(1, 0), order(1, 10), order(2, 10)):
            uow.orders.add(o)
        failed = Payment(backend.ids.next_id(), 99, 1, usd, "pay_f", start, start)
        failed.fail("declined", {}, start + timedelta(minutes=5))
        uow.payments.add(failed)
        uow.payments.add(Payment(backend.ids.next_id(), 98, 1, usd, "pay_ok", start, start))
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        seen = uow.fraud.history(1, start + timedelta(minutes=1), start)
        assert (seen.orders_since, seen.account_created_at, seen.failures_since) == (1, start, 1)
        later = uow.fraud.history(1, start, start + timedelta(minutes=6))
        assert (later.orders_since, later.failures_since) == (2, 0)
        stranger = uow.fraud.history(7, start, start)
        assert stranger == type(stranger)(0, None, 0)  # no account known here
