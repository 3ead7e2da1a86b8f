"""Rules that once had no test: each of these fails when its rule is broken (a price drop
charged at the old price, a 3-D Secure checkout that never expires, a declined refund that
keeps its hold, the token expiry boundary, a seller refund replayed for other items)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.checkout.model import CheckoutState
from commerce_core.clock import ManualClock
from commerce_core.errors import Conflict, PaymentDeclined, PriceChanged, Unauthenticated
from commerce_core.facade import Commerce
from commerce_core.money import Money
from commerce_core.orders.model import OrderStatus
from commerce_core.payments.model import RefundState
from tests.conftest import ADMIN, CUSTOMER, HOME, OTHER_SELLER, SELLER, add_product, buy


def stock(shop: Commerce, variant_id: int) -> tuple[int, int, int]:
    s = shop.inventory.stock(SELLER, variant_id)
    return s.available, s.reserved, s.sold


def test_a_price_drop_after_carting_is_named_and_charged_at_the_new_price(
        shop: Commerce, category: int, gateway: FakeGateway) -> None:
    p = add_product(shop, category, "Lamp", ["20.00"], stock=4)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    shop.catalog.set_price(SELLER, p.variants[0].id, "15.00")
    with pytest.raises(PriceChanged) as err:
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    assert err.value.lines[0]["old_price"] == Decimal("20.00")
    assert err.value.lines[0]["new_price"] == Decimal("15.00")
    assert stock(shop, p.variants[0].id) == (4, 0, 0) and gateway.charge_count() == 0
    shop.cart.refresh_prices(CUSTOMER)
    order = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa").order
    assert order.subtotal.amount == Decimal("15.00")
    assert gateway.net_captured().amount == order.total.amount


def test_a_checkout_waiting_for_3ds_expires_and_its_late_success_is_voided(
        shop: Commerce, category: int, gateway: FakeGateway, clock: ManualClock) -> None:
    p = add_product(shop, category, stock=3)
    shop.cart.add_item(CUSTOMER, p.id, 2)
    result = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_3ds")
    assert result.requires_action and result.payment and result.payment.transaction_id
    clock.advance(timedelta(minutes=29))
    assert shop.checkout.expire_reservations() == 0
    assert stock(shop, p.variants[0].id) == (1, 2, 0)
    clock.advance(timedelta(minutes=2))
    assert shop.checkout.expire_reservations() == 1
    assert stock(shop, p.variants[0].id) == (3, 0, 0)
    assert shop.orders.get(result.order.id, CUSTOMER).status is OrderStatus.CANCELLED
    with shop.tx.read() as uow:
        assert uow.checkouts.for_order(result.order.id).state is CheckoutState.EXPIRED
    # the customer finishes 3-D Secure after the deadline: nothing is kept
    body, headers = gateway.complete_action(result.payment.transaction_id)
    with pytest.raises(Conflict, match="reversed"):
        shop.checkout.handle_gateway_event(shop.gateway.verify_event(body, headers))
    assert shop.orders.get(result.order.id, CUSTOMER).status is OrderStatus.CANCELLED
    assert gateway.net_captured().amount == Decimal("0")
    assert stock(shop, p.variants[0].id) == (3, 0, 0)


def test_a_refund_the_gateway_declines_gives_its_hold_back(
        shop: Commerce, category: int, gateway: FakeGateway) -> None:
    p = add_product(shop, category, prices=["40.00"])
    order_id = buy(shop, p.id)
    payment = shop.payments.for_order(order_id, CUSTOMER)[-1]
    assert gateway.void(payment.idempotency_key)  # the charge is gone at the gateway
    with pytest.raises(PaymentDeclined):
        shop.payments.refund(ADMIN, payment.id, Money(Decimal("10.00"), "USD"), "broken")
    after = shop.payments.for_order(order_id, CUSTOMER)[-1]
    assert after.refundable == after.amount  # the 10.00 hold was given back
    assert [r.status for r in shop.payments.refunds(payment.id, ADMIN)] == [RefundState.FAILED]


def test_a_token_is_good_until_the_second_it_expires(shop: Commerce,
                                                     clock: ManualClock) -> None:
    shop.accounts.register("eve@example.com", "correct-horse-42", "Eve")
    session = shop.accounts.login("eve@example.com", "correct-horse-42")
    left = session.expires_at - clock.now()
    clock.advance(left - timedelta(seconds=1))
    assert shop.accounts.authenticate(session.token).user_id == session.user.id
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Unauthenticated, match="expired"):
        shop.accounts.authenticate(session.token)


def test_a_seller_refund_key_reused_for_other_items_is_refused(
        shop: Commerce, category: int) -> None:
    # the same price and reason, so only the items (and the seller) tell the requests apart
    a = add_product(shop, category, "Cup", ["5.00"])
    b = add_product(shop, category, "Mug", ["5.00"])
    c = add_product(shop, category, "Jar", ["5.00"], seller=OTHER_SELLER)
    shop.cart.add_item(CUSTOMER, a.id, 1)
    shop.cart.add_item(CUSTOMER, b.id, 1)
    shop.cart.add_item(CUSTOMER, c.id, 1)
    order = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa").order
    cup, mug, jar = (next(i for i in order.items if i.product_id == pid)
                     for pid in (a.id, b.id, c.id))
    first = shop.sellers.refund_items(SELLER, order.id, [cup.id], "chipped",
                                      idempotency_key="r-1")
    again = shop.sellers.refund_items(SELLER, order.id, [cup.id], "chipped",
                                      idempotency_key="r-1")
    assert again.id == first.id
    with pytest.raises(Conflict):
        shop.sellers.refund_items(SELLER, order.id, [mug.id], "chipped",
                                  idempotency_key="r-1")
    with pytest.raises(Conflict):
        shop.sellers.refund_items(OTHER_SELLER, order.id, [jar.id], "chipped",
                                  idempotency_key="r-1")
    payment = shop.payments.for_order(order.id, CUSTOMER)[-1]
    assert [r.amount.amount for r in shop.payments.refunds(payment.id, ADMIN)] == [Decimal("5.00")]
