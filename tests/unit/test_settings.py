"""Shop settings as data (settings/service.py) and coupon management (pricing/service.py):
what an admin stores is what the next cart and checkout charge."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from commerce_adapters.fake.payments import FakeGateway
from commerce_core.accounts.policy import Actor
from commerce_core.clock import ManualClock
from commerce_core.errors import Forbidden, NotFound, ValidationError
from commerce_core.facade import Commerce
from commerce_core.fraud.model import FraudRules, FraudStatus, Signal
from commerce_core.money import Money
from commerce_core.pricing.coupons import Coupon, CouponKind
from commerce_core.pricing.rates import (
    PricingRules,
    ShippingKind,
    ShippingRate,
    ShippingTable,
    TaxRate,
    TaxTable,
)
from commerce_core.settings.model import Section
from tests.conftest import (
    ADMIN,
    CUSTOMER,
    HOME,
    OTHER_SELLER,
    SELLER,
    add_product,
    make_shop,
)


def checkout(shop: Commerce, product_id: int) -> Any:
    shop.cart.add_item(CUSTOMER, product_id, 1)
    return shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa").order


# Tax, shipping, fraud -----------------------------------------------------------------------
def test_a_rate_set_through_the_service_is_charged_at_the_next_checkout(
        shop: Commerce, category: int) -> None:
    phone = add_product(shop, category, prices=["100.00"])
    first = checkout(shop, phone.id)  # the shop as built: no tax, no shipping
    assert (first.tax, first.shipping) == (Money("0", "USD"), Money("0", "USD"))
    shop.settings.set_tax(ADMIN, [{"country": "us", "rate": "0.05"},
                                  {"country": "US", "region": "il", "rate": "0.0625"}])
    shop.settings.set_shipping(ADMIN, [
        {"kind": "flat", "amount": "7.50", "countries": ["US"], "name": "domestic"},
        {"kind": "flat", "amount": "30"}])
    shop.cart.add_item(CUSTOMER, phone.id, 1)
    totals = shop.cart.get(CUSTOMER, HOME).totals
    assert totals is not None and (totals.tax, totals.shipping) == (
        Money("6.25", "USD"), Money("7.50", "USD"))  # the cart shows what will be charged
    second = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa").order
    assert (second.tax, second.shipping) == (Money("6.25", "USD"), Money("7.50", "USD"))
    assert second.total == Money("113.75", "USD")


def test_fraud_thresholds_set_through_the_service_screen_the_next_order(
        shop: Commerce, category: int) -> None:
    lamp = add_product(shop, category, prices=["500.00"])
    cart_and_buy = checkout(shop, lamp.id)  # the default high amount (1000) holds nothing
    assert shop.fraud.check(ADMIN, cart_and_buy.id).status is FraudStatus.CLEAR
    changed = shop.settings.set_fraud(ADMIN, {"high_amount": "400", "hold_at": 40,
                                              "weights": {"amount_over_threshold": 45}})
    assert changed.fraud.weights[Signal.HIGH_AMOUNT] == 45
    assert changed.fraud.velocity_limit == FraudRules().velocity_limit  # not named: kept
    held = checkout(shop, lamp.id)
    check = shop.fraud.check(ADMIN, held.id)
    assert (check.status, check.signals) == (FraudStatus.HELD, ["amount_over_threshold"])


def test_rules_given_in_python_apply_until_a_section_is_stored_and_again_after_a_reset(
        clock: ManualClock, gateway: FakeGateway) -> None:
    shop = make_shop(clock, gateway, rules=PricingRules(
        tax=TaxTable([TaxRate("US", Decimal("0.10"))]),
        shipping=ShippingTable([ShippingRate(ShippingKind.FLAT, Decimal("5"))])))
    phone = add_product(shop, shop.catalog.create_category(ADMIN, "C").id, prices=["50.00"])
    applied = shop.settings.get(ADMIN)
    assert applied.is_default(Section.TAX) and applied.tax.rates == (
        TaxRate("US", Decimal("0.10")),)
    assert checkout(shop, phone.id).tax == Money("5.00", "USD")
    stored = shop.settings.set_tax(ADMIN, [TaxRate("US", Decimal("0.20"))])
    assert not stored.is_default(Section.TAX) and stored.stored[Section.TAX].version == 1
    assert stored.shipping == applied.shipping  # the other sections keep their defaults
    order = checkout(shop, phone.id)
    assert (order.tax, order.shipping) == (Money("10.00", "USD"), Money("5.00", "USD"))
    back = shop.settings.reset(ADMIN, "tax")
    assert back.is_default(Section.TAX) and back.stored[Section.TAX].version == 2
    assert checkout(shop, phone.id).tax == Money("5.00", "USD")


def test_a_cart_with_no_address_is_priced_where_the_settings_say(
        shop: Commerce, category: int) -> None:
    phone = add_product(shop, category, prices=["100.00"])
    shop.settings.set_tax(ADMIN, [{"country": "DE", "rate": "0.19"}],
                          default_country="de")
    shop.cart.add_item(CUSTOMER, phone.id, 1)
    totals = shop.cart.get(CUSTOMER).totals
    assert totals is not None and totals.tax == Money("19.00", "USD")
    assert shop.settings.get(ADMIN).tax.default_country == "DE"


BAD_TAX: list[tuple[list[Any], str]] = [
    ([{"country": "US", "rate": "-0.01"}], "rates.0.rate"),
    ([{"country": "US", "rate": "0.05"}, {"country": "FR", "rate": "1"}], "rates.1.rate"),
    ([{"country": "US", "rate": 0.05}], "rates.0.rate"),  # a float: binary noise
    ([{"country": "USA", "rate": "0.05"}], "rates.0.country"),
    ([{"country": "U1", "rate": "0.05"}], "rates.0.country"),
    ([{"country": "US", "rate": "0.05"}, {"country": "us", "rate": "0.06"}], "rates.1"),
    ([{"country": "US"}], "rates.0.rate"),
    ([{"country": "US", "rate": "0.05", "rat": "1"}], "rates.0.rat"),
    ([TaxRate("XYZ", Decimal("0.05"))], "rates.0.country"),
]


@pytest.mark.parametrize(("rates", "field"), BAD_TAX)
def test_bad_tax_rates_are_refused_naming_the_field_and_nothing_is_stored(
        shop: Commerce, rates: list[Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        shop.settings.set_tax(ADMIN, rates)
    assert field in refused.value.details and field in refused.value.message
    assert shop.settings.get(ADMIN).stored == {}


@pytest.mark.parametrize(("rates", "field"), [
    ([{"kind": "flat", "amount": "-1"}], "rates.0.amount"),
    ([{"kind": "teleport", "amount": "1"}], "rates.0.kind"),
    ([{"kind": "by_weight", "amount": "1", "per_kg": "x"}], "rates.0.per_kg"),
    ([{"kind": "flat", "amount": "1", "countries": ["US", "Canada"]}],
     "rates.0.countries.1"),
    ([{"kind": "flat", "amount": "1", "countries": ["US"]},
      {"kind": "flat", "amount": "2", "countries": ["CA", "us"]}], "rates.1.countries"),
    ([{"kind": "flat", "amount": "1"}, {"kind": "flat", "amount": "2"}], "rates.1.countries"),
    ([{"kind": "flat", "amount": "1", "free_over": "-5"}], "rates.0.free_over"),
])
def test_bad_shipping_rates_are_refused_naming_the_field(
        shop: Commerce, rates: list[Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        shop.settings.set_shipping(ADMIN, rates)
    assert field in refused.value.details
    assert shop.settings.get(ADMIN).stored == {}


@pytest.mark.parametrize(("given", "field"), [
    ({"hold_at": 0}, "hold_at"), ({"velocity_limit": -1}, "velocity_limit"),
    ({"high_amount": "-100"}, "high_amount"), ({"velocity_window": 5}, "velocity_window"),
    ({"weights": {"amount_over_threshold": 101}}, "weights.amount_over_threshold"),
    ({"weights": {"moon_phase": 10}}, "weights"), ({"hold": 10}, "fraud.hold"), ({}, "fraud"),
])
def test_bad_fraud_thresholds_are_refused_naming_the_field(
        shop: Commerce, given: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        shop.settings.set_fraud(ADMIN, given)
    assert field in refused.value.details
    assert shop.settings.get(ADMIN).fraud == FraudRules()


def test_only_admins_read_or_change_settings(shop: Commerce) -> None:
    for actor in (SELLER, CUSTOMER):
        with pytest.raises(Forbidden):
            shop.settings.get(actor)
        with pytest.raises(Forbidden):
            shop.settings.set_tax(actor, [{"country": "US", "rate": "0.01"}])
        with pytest.raises(Forbidden):
            shop.settings.reset(actor, "tax")
    with pytest.raises(ValidationError) as refused:
        shop.settings.reset(ADMIN, "currency")
    assert "section" in refused.value.details


# Coupons --------------------------------------------------------------------------------------
def test_a_disabled_coupon_is_refused_at_checkout_and_nothing_is_held(
        shop: Commerce, category: int) -> None:
    phone = add_product(shop, category, prices=["100.00"], stock=3)
    shop.coupons.create(ADMIN, Coupon("TEN", CouponKind.PERCENT, Decimal(10)))
    shop.cart.add_item(CUSTOMER, phone.id, 1)
    shop.cart.apply_coupon(CUSTOMER, "ten")
    assert not shop.coupons.disable(ADMIN, "ten").is_active
    with pytest.raises(ValidationError) as refused:
        shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa")
    assert refused.value.details["coupon_code"] == "inactive"
    assert shop.inventory.stock(ADMIN, phone.variants[0].id).available == 3
    assert shop.coupons.usage(ADMIN, "TEN").times_used == 0
    with pytest.raises(ValidationError):
        shop.cart.apply_coupon(CUSTOMER, "TEN")
    shop.coupons.enable(ADMIN, "TEN")
    order = shop.checkout.place_order(CUSTOMER, HOME, payment_token="tok_visa").order
    assert order.discount == Money("10.00", "USD")


def test_coupon_usage_says_how_often_by_whom_and_on_which_orders(
        shop: Commerce, category: int) -> None:
    phone = add_product(shop, category, prices=["100.00"])
    shop.coupons.create(SELLER, Coupon("MINE5", CouponKind.PERCENT, Decimal(5),
                                       seller_id=SELLER.user_id))
    orders = []
    for buyer in (CUSTOMER, Actor.customer(457)):
        shop.cart.add_item(buyer, phone.id, 1)
        shop.cart.apply_coupon(buyer, "mine5")
        orders.append((buyer.user_id, shop.checkout.place_order(
            buyer, HOME, payment_token="tok_visa").order.id))
    usage = shop.coupons.usage(SELLER, "MINE5")
    assert usage.times_used == 2 and usage.redemptions.total_count == 2
    assert sorted((r.user_id, r.order_id) for r in usage.redemptions.items) == sorted(orders)


def test_admins_list_every_coupon_and_sellers_their_own(shop: Commerce) -> None:
    shop.coupons.create(ADMIN, Coupon("SHOP", CouponKind.FREE_SHIPPING))
    shop.coupons.create(SELLER, Coupon("MINE", CouponKind.PERCENT, Decimal(5),
                                       seller_id=SELLER.user_id))
    shop.add_coupon(OTHER_SELLER, Coupon("THEIRS", CouponKind.PERCENT, Decimal(5),
                                         seller_id=OTHER_SELLER.user_id))
    assert [c.code for c in shop.coupons.list(ADMIN).items] == ["MINE", "SHOP", "THEIRS"]
    assert [c.code for c in shop.coupons.list(ADMIN, seller_id=OTHER_SELLER.user_id).items
            ] == ["THEIRS"]
    assert [c.code for c in shop.coupons.list(SELLER).items] == ["MINE"]
    with pytest.raises(Forbidden):
        shop.coupons.list(CUSTOMER)


def test_a_seller_cannot_touch_another_sellers_coupon(shop: Commerce) -> None:
    shop.coupons.create(OTHER_SELLER, Coupon("THEIRS", CouponKind.PERCENT, Decimal(5),
                                             seller_id=OTHER_SELLER.user_id))
    shop.coupons.create(ADMIN, Coupon("SHOP", CouponKind.PERCENT, Decimal(5)))
    for code in ("THEIRS", "SHOP"):
        for touch in (shop.coupons.get, shop.coupons.disable, shop.coupons.enable,
                      shop.coupons.usage):
            with pytest.raises(Forbidden):
                touch(SELLER, code)
    with pytest.raises(Forbidden):
        shop.coupons.list(SELLER, seller_id=OTHER_SELLER.user_id)
    with pytest.raises(Forbidden):
        shop.coupons.create(SELLER, Coupon("FAKE", CouponKind.PERCENT, Decimal(5),
                                           seller_id=OTHER_SELLER.user_id))
    assert shop.coupons.get(ADMIN, "theirs").is_active  # nothing changed
    with pytest.raises(NotFound):
        shop.coupons.get(ADMIN, "FAKE")
