"""Sellers' stores, stock view, order items, item refunds; sales analytics and dashboard."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from commerce_core.accounts.policy import Actor
from commerce_core.analytics.service import period
from commerce_core.clock import ManualClock
from commerce_core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationError
from commerce_core.facade import Commerce
from commerce_core.money import Money
from commerce_core.payments.model import PaymentState
from tests.conftest import ADMIN, CUSTOMER, OTHER_SELLER, SELLER, add_product, buy

DAY = date(2026, 1, 15)  # the test clock's day


def two_seller_order(shop: Commerce, category: int) -> tuple[int, int, int]:
    """One order holding a lamp of SELLER and a rug of OTHER_SELLER; (order, lamp, rug item)."""
    lamp = add_product(shop, category, "Lamp", ["40.00"])
    rug = add_product(shop, category, "Rug", ["60.00"], seller=OTHER_SELLER)
    shop.cart.add_item(CUSTOMER, lamp.id, 2)
    order_id = buy(shop, rug.id)
    items = {i.seller_id: i.id for i in shop.orders.get(order_id, CUSTOMER).items}
    return order_id, items[SELLER.user_id], items[OTHER_SELLER.user_id]


def test_store_profiles_have_unique_names(shop: Commerce) -> None:
    store = shop.sellers.create_profile(SELLER, " Lamp Co ", "Lamps since 1990")
    assert store.store_name == "Lamp Co" and store.rating is None
    with pytest.raises(Conflict):
        shop.sellers.create_profile(OTHER_SELLER, "lamp co")
    with pytest.raises(Conflict):
        shop.sellers.create_profile(SELLER, "Second store")
    renamed = shop.sellers.update_profile(SELLER, store_name="Lamp & Co")
    assert shop.sellers.profile(SELLER.user_id).store_name == renamed.store_name
    assert shop.sellers.create_profile(OTHER_SELLER, "Lamp Co").store_name == "Lamp Co"
    with pytest.raises(NotFound):
        shop.sellers.profile(12345)


def test_inventory_view_flags_low_stock_of_own_variants_only(shop: Commerce,
                                                             category: int) -> None:
    add_product(shop, category, "Lamp", ["10", "12"], stock=3, reorder_level=5)
    add_product(shop, category, "Bulb", stock=50, reorder_level=5)
    add_product(shop, category, "Rug", seller=OTHER_SELLER)
    rows = shop.sellers.inventory(SELLER)
    assert [(r.product_name, r.stock.is_low) for r in rows] == \
        [("Bulb", False), ("Lamp", True), ("Lamp", True)]
    assert len(shop.sellers.inventory(SELLER, low_only=True)) == 2
    assert rows[0].sku.startswith("BULB-") and not rows[0].stock.is_low


def test_seller_sees_only_their_items_of_an_order(shop: Commerce, category: int) -> None:
    _, lamp_item, _ = two_seller_order(shop, category)
    mine = shop.sellers.orders(SELLER)
    assert mine.total_count == 1
    assert [i.id for i in mine.items[0].items] == [lamp_item]
    assert shop.sellers.orders(SELLER, status="delivered").total_count == 0


def test_seller_refunds_their_items_once_and_can_restock(shop: Commerce, category: int) -> None:
    order_id, lamp_item, rug_item = two_seller_order(shop, category)
    with pytest.raises(Forbidden):
        shop.sellers.refund_items(SELLER, order_id, [rug_item], "not mine")
    with pytest.raises(ValidationError):
        shop.sellers.refund_items(SELLER, order_id, [lamp_item], " ")
    lamp_variant = shop.orders.get(order_id, CUSTOMER).item(lamp_item).variant_id
    before = shop.inventory.stock(SELLER, lamp_variant)
    refund = shop.sellers.refund_items(SELLER, order_id, [lamp_item], "arrived broken",
                                       restock=True)
    assert refund.amount == Money("80.00", "USD") and refund.seller_id == SELLER.user_id
    after = shop.inventory.stock(SELLER, lamp_variant)
    assert (after.available - before.available, before.sold - after.sold) == (2, 2)
    with pytest.raises(Conflict):
        shop.sellers.refund_items(SELLER, order_id, [lamp_item], "again")
    payment = shop.payments.for_order(order_id, CUSTOMER)[0]
    assert payment.status is PaymentState.PARTIALLY_REFUNDED
    assert payment.refunded == Money("80.00", "USD")
    day = shop.clock.now().date()
    assert [r.id for r in shop.analytics.seller_refunds(SELLER, day, day)] == [refund.id]
    assert shop.analytics.seller_refunds(OTHER_SELLER, day, day) == []
    assert shop.analytics.seller_refunds(SELLER, day + timedelta(days=1),
                                         day + timedelta(days=2)) == []


def test_a_retried_refund_returns_the_first_and_restocks_once(shop: Commerce,
                                                             category: int) -> None:
    p = add_product(shop, category, stock=5)
    order_id = buy(shop, p.id, 2)
    item = shop.orders.get(order_id, CUSTOMER).items[0].id
    first = shop.sellers.refund_items(SELLER, order_id, [item], "broken", restock=True,
                                      idempotency_key="rf-1")
    payment = shop.payments.for_order(order_id, CUSTOMER)[0]
    assert payment.status is PaymentState.REFUNDED  # the whole payment is back
    again = shop.sellers.refund_items(SELLER, order_id, [item], "broken", restock=True,
                                      idempotency_key="rf-1")
    assert again.id == first.id
    assert shop.inventory.stock(SELLER, p.variants[0].id).available == 5  # restocked once
    with pytest.raises(Conflict):  # a new key is a new request: those items are done
        shop.sellers.refund_items(SELLER, order_id, [item], "broken", idempotency_key="rf-2")
    with pytest.raises(Conflict):  # the same key for another request
        shop.sellers.refund_items(SELLER, order_id, [item], "other", idempotency_key="rf-1")


def test_unpaid_items_cannot_be_refunded(shop: Commerce, category: int) -> None:
    p = add_product(shop, category)
    order_id = buy(shop, p.id, token=None)
    item = shop.orders.get(order_id, CUSTOMER).items[0].id
    with pytest.raises(InvalidTransition):
        shop.sellers.refund_items(SELLER, order_id, [item], "changed mind")


def test_sales_report_counts_paid_items_by_day(shop: Commerce, category: int,
                                               clock: ManualClock) -> None:
    shop.sellers.create_profile(SELLER, "Lamp Co")
    order_id, lamp_item, _ = two_seller_order(shop, category)
    clock.advance(timedelta(days=1))
    lamp = shop.orders.get(order_id, CUSTOMER).item(lamp_item).product_id
    buy(shop, lamp, 1, Actor.customer(901))
    cancelled = buy(shop, lamp, 3, Actor.customer(902))
    shop.orders.cancel(cancelled, Actor.customer(902))
    shop.sellers.refund_items(SELLER, order_id, [lamp_item], "broken")
    shop.reviews.write(CUSTOMER, lamp, 4, "Nice")
    report = shop.analytics.seller_sales(SELLER, DAY, DAY + timedelta(days=1))
    assert report.revenue == {"USD": Decimal("120.00")} and report.units == 3
    assert report.orders == 2 and report.refunds == {"USD": Decimal("80.00")}
    assert [(d["date"], d["units"]) for d in report.per_day] == \
        [("2026-01-15", 2), ("2026-01-16", 1)]
    assert report.top_products[0]["name"] == "Lamp"
    assert report.average_rating == Decimal("4.00")
    assert (report.start, report.end) == (DAY, DAY + timedelta(days=1))
    with pytest.raises(ValidationError):
        shop.analytics.seller_sales(SELLER, DAY, DAY - timedelta(days=1))


def test_dashboard_figures(shop: Commerce, category: int) -> None:
    order_id, _, _ = two_seller_order(shop, category)
    p = add_product(shop, category, "Vase", ["25.00"])
    buy(shop, p.id, 1, Actor.customer(901), token=None)  # started, never paid
    dash = shop.analytics.dashboard(ADMIN, DAY, DAY)
    total = shop.orders.get(order_id, CUSTOMER).total.amount
    assert dash.gmv == {"USD": total} and dash.orders == 1
    assert dash.average_order_value == {"USD": total}
    assert (dash.checkouts_started, dash.carts_converted) == (2, 1)
    assert dash.conversion_rate == Decimal("0.5000")
    assert dash.top_categories[0]["name"] == "Phones"


def test_a_report_covers_the_days_given_else_the_last_thirty() -> None:
    today = date(2026, 3, 31)
    assert period(None, None, today) == (date(2026, 3, 2), today)
    assert period(None, date(2026, 1, 30), today) == (date(2026, 1, 1), date(2026, 1, 30))
    assert period(date(2026, 2, 1), None, today) == (date(2026, 2, 1), today)


def test_profiles_are_read_together_and_a_seller_without_a_store_is_left_out(
        shop: Commerce) -> None:
    shop.sellers.create_profile(SELLER, "Lamp Co")
    found = shop.sellers.profiles([SELLER.user_id, OTHER_SELLER.user_id, SELLER.user_id])
    assert list(found) == [SELLER.user_id] and found[SELLER.user_id].store_name == "Lamp Co"
    assert shop.sellers.profiles([]) == {}
