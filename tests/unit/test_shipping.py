"""Quotes, shipments per seller, tracking that ships and delivers, and the review request."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from commerce_core.address import Address
from commerce_core.clock import ManualClock
from commerce_core.errors import Conflict, Forbidden, InvalidTransition, ValidationError
from commerce_core.events import DomainEvent, OrderDelivered, OrderShipped, ReviewRequested
from commerce_core.facade import Commerce
from commerce_core.orders.model import OrderStatus
from commerce_core.shipping.model import ServiceLevel, ShipmentStatus
from tests.conftest import CUSTOMER, HOME, OTHER_SELLER, SELLER, add_product, buy

CARRIER = "table-rate"


def test_quotes_by_weight_level_and_destination(shop: Commerce) -> None:
    home = shop.shipping.quote(HOME, 2500)
    assert [(q.service_level, q.price.amount, q.estimated_days) for q in home] == [
        (ServiceLevel.STANDARD, Decimal("6.49"), 5),   # 4.99 + 3 started kg x 0.50
        (ServiceLevel.EXPRESS, Decimal("12.99"), 2),
        (ServiceLevel.OVERNIGHT, Decimal("30.99"), 1)]
    abroad = shop.shipping.quote(Address("1 Rue", "Paris", "75001", "FR"), 2500)
    assert abroad[0].price.amount == Decimal("21.49") and abroad[0].estimated_days == 8
    with pytest.raises(ValidationError):
        shop.shipping.quote(HOME, -1)


def order_of_two_sellers(shop: Commerce, category: int) -> tuple[int, int, int]:
    lamp = add_product(shop, category, "Lamp", weight=1200)
    rug = add_product(shop, category, "Rug", seller=OTHER_SELLER, weight=3000)
    shop.cart.add_item(CUSTOMER, lamp.id, 1)
    order_id = buy(shop, rug.id)
    items = {i.seller_id: i.id for i in shop.orders.get(order_id, CUSTOMER).items}
    return order_id, items[SELLER.user_id], items[OTHER_SELLER.user_id]


def test_each_seller_ships_their_own_items_once(shop: Commerce, category: int) -> None:
    order_id, lamp_item, rug_item = order_of_two_sellers(shop, category)
    with pytest.raises(Forbidden):
        shop.shipping.create_shipment(SELLER, order_id, [rug_item])
    shipment = shop.shipping.create_shipment(SELLER, order_id, service_level="express")
    assert shipment.item_ids == [lamp_item] and shipment.status is ShipmentStatus.LABEL_CREATED
    assert shipment.cost.amount == Decimal("11.99")  # 2 started kg by express
    with pytest.raises(Conflict):
        shop.shipping.create_shipment(SELLER, order_id, [lamp_item])
    with pytest.raises(ValidationError):
        shop.shipping.create_shipment(SELLER, order_id, service_level="teleport")
    with pytest.raises(ValidationError):
        shop.shipping.create_shipment(SELLER, order_id, carrier="pigeon")
    assert [s.id for s in shop.shipping.for_order(CUSTOMER, order_id)] == [shipment.id]
    assert shop.shipping.for_order(OTHER_SELLER, order_id) == []


def test_unpaid_orders_do_not_ship(shop: Commerce, category: int) -> None:
    order_id = buy(shop, add_product(shop, category).id, token=None)
    with pytest.raises(ValidationError):
        shop.shipping.create_shipment(SELLER, order_id)


def test_tracking_moves_items_then_the_order_and_asks_for_a_review(
        shop: Commerce, category: int, clock: ManualClock, events: list[DomainEvent]) -> None:
    order_id, _, _ = order_of_two_sellers(shop, category)
    lamp = shop.shipping.create_shipment(SELLER, order_id)
    rug = shop.shipping.create_shipment(OTHER_SELLER, order_id)
    clock.advance(timedelta(hours=3))
    shop.shipping.record_tracking(CARRIER, lamp.tracking_number, "IN_TRANSIT",
                                  location="Chicago")
    order = shop.orders.get(order_id, CUSTOMER)
    assert [i.status for i in order.items] == [OrderStatus.SHIPPED, OrderStatus.CONFIRMED]
    assert order.status is OrderStatus.CONFIRMED  # not every item has left yet
    shop.shipping.record_tracking(CARRIER, rug.tracking_number, "IN_TRANSIT")
    assert shop.orders.get(order_id, CUSTOMER).status is OrderStatus.SHIPPED
    shop.shipping.record_tracking(CARRIER, lamp.tracking_number, "DELIVERED")
    shop.shipping.record_tracking(CARRIER, rug.tracking_number, "DELIVERED")
    assert shop.orders.get(order_id, CUSTOMER).status is OrderStatus.DELIVERED
    names = [type(e) for e in events if isinstance(e, OrderShipped | OrderDelivered
                                                   | ReviewRequested)]
    assert names == [OrderShipped, OrderShipped, OrderDelivered, ReviewRequested,
                     OrderDelivered, ReviewRequested]
    detail = shop.orders.detail(order_id, CUSTOMER)
    assert {s.tracking_number for s in detail.shipments} == {rug.tracking_number,
                                                               lamp.tracking_number}


def test_repeated_and_stale_tracking_events_change_nothing(
        shop: Commerce, category: int, clock: ManualClock, events: list[DomainEvent]) -> None:
    order_id = buy(shop, add_product(shop, category).id)
    shipment = shop.shipping.create_shipment(SELLER, order_id)
    at = clock.now() + timedelta(hours=1)
    shop.shipping.record_tracking(CARRIER, shipment.tracking_number, "DELIVERED", at)
    shop.shipping.record_tracking(CARRIER, shipment.tracking_number, "DELIVERED", at)
    late = shop.shipping.record_tracking(CARRIER, shipment.tracking_number, "IN_TRANSIT",
                                         at - timedelta(minutes=30))
    assert late.status is ShipmentStatus.DELIVERED and len(late.events) == 2
    assert sum(isinstance(e, OrderDelivered) for e in events) == 1
    assert shop.orders.get(order_id, CUSTOMER).status is OrderStatus.DELIVERED


def test_only_unmoved_labels_can_be_cancelled(shop: Commerce, category: int) -> None:
    order_id = buy(shop, add_product(shop, category).id)
    first = shop.shipping.create_shipment(SELLER, order_id)
    shop.shipping.cancel_shipment(SELLER, first.id)
    with pytest.raises(InvalidTransition):
        shop.shipping.record_tracking(CARRIER, first.tracking_number, "IN_TRANSIT")
    second = shop.shipping.create_shipment(SELLER, order_id)  # the items may ship again
    shop.shipping.record_tracking(CARRIER, second.tracking_number, "IN_TRANSIT")
    with pytest.raises(InvalidTransition):
        shop.shipping.cancel_shipment(SELLER, second.id)
    with pytest.raises(InvalidTransition):  # shipped orders can no longer be cancelled
        shop.orders.cancel(order_id, CUSTOMER)
