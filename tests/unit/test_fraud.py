"""Fraud screening on every placed order; held orders wait for an admin."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.accounts.policy import Actor
from commerce_core.address import Address
from commerce_core.clock import ManualClock
from commerce_core.errors import Conflict, InvalidTransition, PaymentDeclined
from commerce_core.events import DomainEvent, OrderHeld
from commerce_core.facade import Commerce
from commerce_core.fraud.model import FraudRules, FraudStatus, OrderFacts, Signal
from commerce_core.money import Money
from commerce_core.orders.model import OrderStatus
from tests.conftest import ADMIN, CUSTOMER, HOME, SELLER, add_product, buy, make_shop, register

ABROAD = Address("1 Rue de Rivoli", "Paris", "75001", "FR")


def facts(**kw: object) -> OrderFacts:
    base: dict[str, object] = {"total": Money("50", "USD"), "orders_in_window": 1,
                               "account_age": timedelta(days=400), "shipping_country": "US",
                               "billing_country": "US", "payment_failures": 0}
    return OrderFacts(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "signals"), [
    ({}, []),
    ({"orders_in_window": 4}, [Signal.VELOCITY]),
    ({"total": Money("1000.01", "USD")}, [Signal.HIGH_AMOUNT]),
    ({"total": Money("400", "USD"), "account_age": timedelta(days=2)},
     [Signal.NEW_ACCOUNT_HIGH_VALUE]),
    ({"total": Money("400", "USD"), "account_age": None}, []),
    ({"billing_country": "FR"}, [Signal.COUNTRY_MISMATCH]),
    ({"payment_failures": 3}, [Signal.PAYMENT_FAILURES]),
])
def test_each_rule(changes: dict[str, object], signals: list[Signal]) -> None:
    assert FraudRules().signals(facts(**changes)) == signals


def test_score_is_the_capped_sum_of_weights() -> None:
    rules = FraudRules()
    assert rules.score([Signal.HIGH_AMOUNT, Signal.COUNTRY_MISMATCH]) == 60
    assert rules.score(list(Signal)) == 100


def test_every_order_is_scored_and_clear_ones_ship(shop: Commerce, category: int) -> None:
    order_id = buy(shop, add_product(shop, category).id)
    check = shop.fraud.check(ADMIN, order_id)
    assert (check.score, check.status) == (0, FraudStatus.CLEAR)
    assert shop.shipping.create_shipment(SELLER, order_id).item_ids


def held_order(shop: Commerce, category: int) -> int:
    p = add_product(shop, category, prices=["1500.00"])
    shop.cart.add_item(CUSTOMER, p.id, 1)
    return shop.checkout.place_order(CUSTOMER, HOME, ABROAD, payment_token="tok_visa").order.id


def test_risky_orders_are_held_and_cannot_ship_until_approved(
        shop: Commerce, category: int, events: list[DomainEvent]) -> None:
    order_id = held_order(shop, category)
    check = shop.fraud.check(ADMIN, order_id)
    assert check.status is FraudStatus.HELD and check.score == 60
    assert set(check.signals) == {"amount_over_threshold", "billing_shipping_country_mismatch"}
    assert any(isinstance(e, OrderHeld) and e.order_id == order_id for e in events)
    assert shop.orders.get(order_id, CUSTOMER).status is OrderStatus.CONFIRMED
    with pytest.raises(Conflict, match="held for fraud review"):
        shop.shipping.create_shipment(SELLER, order_id)
    assert [c.order_id for c in shop.fraud.queue(ADMIN).items] == [order_id]
    shop.fraud.approve(ADMIN, order_id, "called the customer")
    assert shop.fraud.queue(ADMIN).total_count == 0
    assert shop.shipping.create_shipment(SELLER, order_id).order_id == order_id
    with pytest.raises(InvalidTransition):
        shop.fraud.reject(ADMIN, order_id)
    timeline = [e.event for e in shop.orders.get(order_id, CUSTOMER).timeline]
    assert "HELD_FOR_REVIEW" in timeline and "FRAUD_APPROVED" in timeline


def test_rejecting_cancels_refunds_and_restocks(shop: Commerce, category: int,
                                                gateway: FakeGateway) -> None:
    order_id = held_order(shop, category)
    variant = shop.orders.get(order_id, CUSTOMER).items[0].variant_id
    shop.fraud.reject(ADMIN, order_id, "stolen card")
    order = shop.orders.get(order_id, CUSTOMER)
    assert order.status is OrderStatus.CANCELLED and order.payment_status.value == "REFUNDED"
    assert gateway.net_captured().is_zero
    assert shop.inventory.stock(SELLER, variant).available == 10
    assert shop.fraud.check(ADMIN, order_id).status is FraudStatus.REJECTED
    assert shop.fraud.queue(ADMIN, "REJECTED").total_count == 1


def test_velocity_new_accounts_and_failed_payments_add_up(clock: ManualClock,
                                                          gateway: FakeGateway) -> None:
    shop = make_shop(clock, gateway, fraud_rules=FraudRules(velocity_limit=2,
                                                            high_amount=Decimal("10000")))
    category = shop.catalog.create_category(ADMIN, "C").id
    p = add_product(shop, category, prices=["350.00"], stock=100)
    fresh = register(shop, "new@example.com")
    scores = [shop.fraud.check(ADMIN, buy(shop, p.id, user=fresh)).score for _ in range(3)]
    assert scores == [30, 30, 60]  # new account + high value; then velocity as well
    old = Actor.customer(4242)
    for _ in range(3):
        shop.cart.add_item(old, p.id, 1)
        with pytest.raises(PaymentDeclined):
            shop.checkout.place_order(old, HOME, payment_token="tok_chargeDeclined")
    clock.advance(timedelta(hours=2))
    check = shop.fraud.check(ADMIN, buy(shop, p.id, user=old))
    assert check.signals == ["repeated_payment_failures"]
