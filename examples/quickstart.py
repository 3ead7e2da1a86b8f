"""A whole purchase on the embedded default backend (SQLite, no servers): accounts, catalog,
stock, cart, coupon, checkout, order.

Run:  python examples/quickstart.py [DATABASE_URL]

Without a URL it uses a new SQLite file in a temporary directory, so it can run again and
again; ``connect()`` with no URL at all would open ``commerce.db`` here.
"""

from __future__ import annotations

import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from commerce_adapters import connect
from commerce_core.address import Address
from commerce_core.catalog.service import VariantSpec
from commerce_core.pricing.coupons import Coupon, CouponKind
from commerce_core.pricing.rates import (
    PricingRules,
    ShippingKind,
    ShippingRate,
    ShippingTable,
    TaxRate,
    TaxTable,
)


def main(database_url: str | None = None) -> None:
    if database_url is None:
        database_url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'quickstart.db'}"
    rules = PricingRules(
        tax=TaxTable([TaxRate("US", Decimal("0.08")), TaxRate("US", Decimal("0.0725"), "CA")]),
        shipping=ShippingTable([ShippingRate(ShippingKind.FLAT, Decimal("10.00"),
                                             free_over=Decimal("5000"))]),
    )
    shop = connect(database_url, rules=rules, secret_key="quickstart-secret-" + "x" * 32)
    print(f"database: {database_url}")

    # Accounts: every call acts for an Actor, which a verified token stands for.
    shop.accounts.create_admin("admin@shop.example", "keys-to-the-kingdom-1", "Ada Admin")
    shop.accounts.register("seller@shop.example", "sells-phones-2day", "Sam Seller",
                           role="seller")
    shop.accounts.register("ann@example.com", "buys-phones-2day", "Ann Buyer")
    admin, seller, customer = (
        shop.accounts.authenticate(shop.accounts.login(email, password).token)
        for email, password in (("admin@shop.example", "keys-to-the-kingdom-1"),
                                ("seller@shop.example", "sells-phones-2day"),
                                ("ann@example.com", "buys-phones-2day")))

    phones = shop.catalog.create_category(admin, "Phones")
    phone = shop.catalog.create_product(
        seller, name="iPhone 14 Pro", category_id=phones.id,
        description="A phone with a very good camera", images=["https://img.example/1.jpg"],
        variants=[
            VariantSpec("IP14P-BLK-128", "999.99", {"color": "Space Black", "storage": "128GB"},
                        weight_grams=206, stock=50, reorder_level=5),
            VariantSpec("IP14P-BLK-256", "1099.99", {"color": "Space Black", "storage": "256GB"},
                        weight_grams=206, stock=20, reorder_level=5),
        ])
    shop.add_coupon(admin, Coupon("SAVE10", CouponKind.PERCENT, Decimal(10)))

    shop.cart.add_item(customer, phone.id, 2, {"color": "Space Black", "storage": "256GB"})
    cart = shop.cart.apply_coupon(customer, "save10")
    line, totals = cart.cart.lines[0], cart.totals
    if totals is not None:  # None only for an empty cart
        print(f"cart: {line.quantity} x {line.product_name}, subtotal {totals.subtotal}, "
              f"discount {totals.discount}, tax {totals.tax}, shipping {totals.shipping}, "
              f"total {totals.total}")

    address = Address("1 Infinite Loop", "Cupertino", "95014", "US", region="CA")
    result = shop.checkout.place_order(customer, address, payment_token="tok_visa",
                                       idempotency_key="quickstart-1")
    order = result.order
    print(f"order {order.number}: {order.status}, paid {order.total} "
          f"({result.payment.transaction_id if result.payment else '-'})")
    for entry in order.timeline:
        print(f"  {entry.timestamp:%H:%M:%S} {entry.event}")
    variant = phone.variants[1]
    stock = shop.inventory.stock(seller, variant.id)
    print(f"stock of {variant.sku}: available {stock.available}, reserved {stock.reserved}, "
          f"sold {stock.sold}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
