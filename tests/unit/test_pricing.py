from datetime import timedelta
from decimal import Decimal

import pytest

from commerce_core.address import Address
from commerce_core.catalog.service import VariantSpec
from commerce_core.clock import ManualClock
from commerce_core.errors import InsufficientStock, NotFound, ValidationError
from commerce_core.facade import Commerce
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
from commerce_core.pricing.totals import LineInput, price_lines
from tests.conftest import ADMIN, CUSTOMER, OTHER_SELLER, SELLER, add_product, make_shop


def line(key: int, price: str, qty: int = 1, seller: int = 1, category: int = 1,
         weight: int = 0) -> LineInput:
    return LineInput(key, Money(price, "USD"), qty, seller, category, weight)


def test_tax_uses_region_then_country_then_zero() -> None:
    table = TaxTable([TaxRate("US", Decimal("0.05")), TaxRate("US", Decimal("0.0725"), "CA")])
    assert table.rate_for("US", "CA") == Decimal("0.0725")
    assert table.rate_for("us", "NY") == Decimal("0.05")
    assert table.rate_for("FR") == 0


def test_shipping_flat_weight_and_free_over() -> None:
    table = ShippingTable([
        ShippingRate(ShippingKind.BY_WEIGHT, Decimal("5"), Decimal("2"),
                     countries=frozenset({"DE"})),
        ShippingRate(ShippingKind.FLAT, Decimal("10"), free_over=Decimal("100")),
    ])
    assert table.quote("DE", Money("50", "USD"), 2500).amount == Decimal("11.00")  # 5 + 3 kg * 2
    assert table.quote("US", Money("50", "USD"), 0).amount == Decimal("10.00")
    assert table.quote("US", Money("100", "USD"), 0).is_zero


def test_totals_add_up_and_discount_is_spread_exactly() -> None:
    rules = PricingRules(tax=TaxTable([TaxRate("US", Decimal("0.0825"))]),
                         shipping=ShippingTable([ShippingRate(ShippingKind.FLAT, Decimal("7"))]))
    coupon = Coupon("TEN", CouponKind.FIXED, Decimal("10"), currency="USD")
    t = price_lines([line(1, "3.33", 3), line(2, "0.01"), line(3, "19.99", 2)], "USD", rules,
                    coupon=coupon)
    assert t.subtotal.amount == Decimal("49.98")
    assert t.discount.amount == Decimal("10.00")
    assert sum(x.discount.amount for x in t.lines) == Decimal("10.00")
    assert sum(x.tax.amount for x in t.lines) == t.tax.amount == Decimal("3.30")
    assert t.total.amount == Decimal("49.98") - 10 + 7 + Decimal("3.30")


def test_coupon_scope_minimum_and_free_shipping() -> None:
    rules = PricingRules(shipping=ShippingTable([ShippingRate(ShippingKind.FLAT, Decimal("9"))]))
    scoped = Coupon("S", CouponKind.PERCENT, Decimal(50), seller_id=2)
    t = price_lines([line(1, "10"), line(2, "20", seller=2)], "USD", rules, coupon=scoped)
    assert t.line(1).discount.is_zero and t.line(2).discount.amount == Decimal("10.00")
    by_parent = Coupon("C", CouponKind.PERCENT, Decimal(10), category_ids=frozenset({99}))
    t = price_lines([line(1, "10", category=5)], "USD", rules, coupon=by_parent,
                    ancestors={5: {99}})
    assert t.discount.amount == Decimal("1.00")
    with pytest.raises(ValidationError) as err:
        price_lines([line(1, "10")], "USD", rules,
                    coupon=Coupon("MIN", CouponKind.PERCENT, Decimal(5), min_subtotal=Decimal(50)))
    assert err.value.details["coupon_code"] == "below_minimum"
    free = price_lines([line(1, "10")], "USD", rules,
                       coupon=Coupon("SHIP", CouponKind.FREE_SHIPPING))
    assert free.shipping.is_zero and free.discount.is_zero


def test_fixed_coupon_never_exceeds_the_subtotal() -> None:
    t = price_lines([line(1, "5")], "USD", PricingRules(),
                    coupon=Coupon("BIG", CouponKind.FIXED, Decimal(50), currency="USD"))
    assert t.total.is_zero


def test_coupon_window_and_limits(clock: ManualClock) -> None:
    now = clock.now()
    c = Coupon("W", CouponKind.PERCENT, Decimal(5), starts_at=now + timedelta(days=1),
               ends_at=now + timedelta(days=2), max_uses=1, max_uses_per_user=1)
    for moment, reason in ((now, "not_started"), (now + timedelta(days=3), "expired")):
        with pytest.raises(ValidationError) as err:
            c.check_usable(moment, 0)
        assert err.value.details["coupon_code"] == reason
    c.check_usable(now + timedelta(days=1, hours=1), 0)
    with pytest.raises(ValidationError):
        c.check_usable(now + timedelta(days=1, hours=1), 1)
    with pytest.raises(ValidationError):
        Coupon("BAD", CouponKind.PERCENT, Decimal(150))


def test_cart_add_update_remove_and_totals(shop: Commerce, category: int) -> None:
    p = add_product(shop, category, "Mug", ["4.50", "5.00"], stock=200)
    view = shop.cart.add_item(CUSTOMER, p.id, 2, {"size": "1"})
    view = shop.cart.add_item(CUSTOMER, p.id, 3, {"size": "1"})  # same variant: one line
    assert [line.quantity for line in view.cart.lines] == [5]
    assert view.totals is not None and view.totals.subtotal == Money("25.00", "USD")
    line_id = view.cart.lines[0].id
    updated = shop.cart.update_item(CUSTOMER, line_id, 100).totals
    assert updated is not None and updated.subtotal == Money("500.00", "USD")
    for bad in (0, 101, -1):
        with pytest.raises(ValidationError):
            shop.cart.update_item(CUSTOMER, line_id, bad)
    with pytest.raises(ValidationError):
        shop.cart.add_item(CUSTOMER, p.id, 1, {"size": "1"})  # 101 > 100
    shop.cart.remove_item(CUSTOMER, line_id)
    assert shop.cart.get(CUSTOMER).cart.lines == []
    with pytest.raises(NotFound):
        shop.cart.remove_item(CUSTOMER, line_id)


def test_cart_refuses_more_than_stock_and_unknown_products(shop: Commerce, category: int) -> None:
    p = add_product(shop, category, "Rare", stock=2)
    with pytest.raises(InsufficientStock):
        shop.cart.add_item(CUSTOMER, p.id, 3)
    with pytest.raises(NotFound):
        shop.cart.add_item(CUSTOMER, 12345, 1)
    shop.catalog.deactivate_product(SELLER, p.id)
    with pytest.raises(NotFound):
        shop.cart.add_item(CUSTOMER, p.id, 1)


def test_cart_refuses_mixed_currencies(shop: Commerce, category: int) -> None:
    usd = add_product(shop, category, "USD item")
    eur = shop.catalog.create_product(OTHER_SELLER, name="EUR item", currency="EUR",
                                      category_id=category,
                                      variants=[VariantSpec("E1", "5", stock=5)])
    shop.cart.add_item(CUSTOMER, usd.id, 1)
    with pytest.raises(ValidationError):
        shop.cart.add_item(CUSTOMER, eur.id, 1)


def test_cart_coupon_and_destination_tax(clock: ManualClock, gateway: object) -> None:
    rules = PricingRules(tax=TaxTable([TaxRate("US", Decimal("0.10"), "CA")]))
    shop = make_shop(clock, gateway, rules=rules)  # type: ignore[arg-type]
    cat = shop.catalog.create_category(ADMIN, "C").id
    p = add_product(shop, cat, "Thing", ["100.00"])
    shop.add_coupon(ADMIN, Coupon("HALF", CouponKind.PERCENT, Decimal(50)))
    shop.cart.add_item(CUSTOMER, p.id, 1)
    half = shop.cart.apply_coupon(CUSTOMER, " half ").totals
    assert half is not None and half.discount == Money("50.00", "USD")
    assert half.coupon_code == "HALF"
    ca = shop.cart.get(CUSTOMER, Address("1 A", "LA", "90001", "US", region="CA")).totals
    assert ca is not None and (ca.tax, ca.total) == (Money("5.00", "USD"), Money("55.00", "USD"))
    with pytest.raises(NotFound):
        shop.cart.apply_coupon(CUSTOMER, "NOPE")


def test_cart_expires_after_30_days(shop: Commerce, category: int, clock: ManualClock) -> None:
    p = add_product(shop, category)
    shop.cart.add_item(CUSTOMER, p.id, 1)
    clock.advance(timedelta(days=29))
    assert shop.cart.get(CUSTOMER).cart.lines
    clock.advance(timedelta(days=1, seconds=1))
    assert not shop.cart.get(CUSTOMER).cart.lines
