"""A marketplace day on the in-memory backend.

Two sellers open stores and list products; a customer buys from both in one order; each
seller ships their own items; the carrier reports delivery; the customer reviews what
arrived and a seller answers; a seller refunds a broken item; both sellers read their sales
figures and the admin reads the dashboard. Notifications go to an in-memory notifier.

Run:  python examples/marketplace.py [DATABASE_URL]      (default memory://)
"""

from __future__ import annotations

import sys
from datetime import timedelta
from decimal import Decimal
from typing import Any

from commerce_adapters import connect
from commerce_adapters.notify.recording import RecordingNotifier
from commerce_core.accounts.policy import Actor
from commerce_core.address import Address
from commerce_core.catalog.service import VariantSpec
from commerce_core.clock import ManualClock
from commerce_core.facade import Commerce


def fmt(amounts: dict[str, Decimal]) -> str:
    return ", ".join(f"{v} {k}" for k, v in amounts.items()) or "0"


def sign_in(shop: Commerce, email: str, password: str) -> Actor:
    return shop.accounts.authenticate(shop.accounts.login(email, password).token)


def main(database_url: str = "memory://", **options: Any) -> None:
    """The walk-through on any backend (``options`` go to ``connect``)."""
    clock = ManualClock()
    notifier = RecordingNotifier()
    shop = connect(database_url, clock=clock, notifier=notifier,
                   secret_key="marketplace-example-secret-0123456789", **options)

    shop.accounts.create_admin("ops@market.example", "run-the-market-1", "Olive Ops")
    shop.accounts.register("hello@lumen.example", "bright-lamps-24", "Lumen Lamps",
                           role="seller")
    shop.accounts.register("hello@weave.example", "soft-rugs-2024", "Weave Rugs",
                           role="seller")
    shop.accounts.register("ann@example.com", "buys-nice-things-7", "Ann Lee",
                           phone="+15550100")
    admin = sign_in(shop, "ops@market.example", "run-the-market-1")
    lumen = sign_in(shop, "hello@lumen.example", "bright-lamps-24")
    weave = sign_in(shop, "hello@weave.example", "soft-rugs-2024")
    ann = sign_in(shop, "ann@example.com", "buys-nice-things-7")

    home = shop.catalog.create_category(admin, "Home")
    lighting = shop.catalog.create_category(admin, "Lighting", parent_id=home.id)
    rugs = shop.catalog.create_category(admin, "Rugs", parent_id=home.id)
    shop.sellers.create_profile(lumen, "Lumen", "Lamps that last")
    shop.sellers.create_profile(weave, "Weave", "Hand-made rugs")
    lamp = shop.catalog.create_product(
        lumen, name="Arc floor lamp", category_id=lighting.id,
        variants=[VariantSpec("ARC-BLK", "129.00", {"color": "black"}, 5200, 12, 3),
                  VariantSpec("ARC-BRS", "149.00", {"color": "brass"}, 5200, 4, 3)])
    rug = shop.catalog.create_product(
        weave, name="Wool rug 160x230", category_id=rugs.id,
        variants=[VariantSpec("RUG-160", "240.00", {}, 7800, 6, 2)])

    order_id = buy_and_deliver(shop, clock, ann, lumen, weave, lamp.id, rug.id)
    review_refund_and_report(shop, clock, notifier, admin, ann, lumen, weave, order_id,
                             lamp.id, rug.id)


def buy_and_deliver(shop: Commerce, clock: ManualClock, ann: Actor, lumen: Actor,
                    weave: Actor, lamp_id: int, rug_id: int) -> int:
    address = Address("12 Elm St", "Portland", "97205", "US", region="OR", name="Ann Lee")
    shop.accounts.add_address(ann, address, "home")
    shop.activity.viewed(ann, lamp_id)
    shop.wishlist.add(ann, rug_id)
    shop.cart.add_item(ann, lamp_id, 2, {"color": "brass"})
    shop.wishlist.move_to_cart(ann, rug_id)
    result = shop.checkout.place_order(ann, address, payment_token="tok_visa",
                                       idempotency_key="ann-first-order")
    order = result.order
    print(f"{order.number}: {order.status}, {order.total} in {len(order.items)} items")

    shipments = [shop.shipping.create_shipment(seller, order.id, service_level=level)
                 for seller, level in ((lumen, "express"), (weave, "standard"))]
    for s in shipments:
        print(f"  shipment {s.carrier} {s.tracking_number}: {s.service_level}, "
              f"items {s.item_ids}, label cost {s.cost}")
    clock.advance(timedelta(hours=6))
    for s in shipments:
        shop.shipping.record_tracking(s.carrier, s.tracking_number, "IN_TRANSIT", None,
                                      "Portland hub")
    clock.advance(timedelta(days=2))
    for s in shipments:
        shop.shipping.record_tracking(s.carrier, s.tracking_number, "DELIVERED")
    print(f"  order is {shop.orders.get(order.id, ann).status}")
    return order.id


def review_refund_and_report(shop: Commerce, clock: ManualClock, notifier: RecordingNotifier,
                             admin: Actor, ann: Actor, lumen: Actor, weave: Actor,
                             order_id: int, lamp_id: int, rug_id: int) -> None:
    check = shop.fraud.check(admin, order_id)
    print(f"fraud screening: score {check.score} ({check.status})")
    review = shop.reviews.write(ann, lamp_id, 4, "Warm light, wobbly base",
                                "Lovely glow; the base needs a shim.")
    shop.reviews.write(ann, rug_id, 5, "Soft and thick")
    shop.reviews.respond(lumen, review.id, "Sorry about the base: a free shim is on its way.")
    listing = shop.reviews.list(lamp_id)
    first = listing.reviews.items[0]
    print(f"lamp reviews: average {listing.stats.average}, "
          f"verified={first.verified_purchase}, seller answered: {first.response!r}")

    lamp_items = [i.id for i in shop.orders.get(order_id, ann).items
                  if i.seller_id == lumen.user_id]
    refund = shop.sellers.refund_items(lumen, order_id, lamp_items, "bulb arrived broken")
    print(f"Lumen refunded {refund.amount} ({refund.status})")

    day = clock.now().date() - timedelta(days=2)
    for name, seller in (("Lumen", lumen), ("Weave", weave)):
        report = shop.analytics.seller_sales(seller, day, clock.now().date())
        print(f"{name}: revenue {fmt(report.revenue)}, units {report.units}, refunds "
              f"{fmt(report.refunds)}, rating {shop.sellers.profile(seller.user_id).rating}")
        low = [r.sku for r in shop.sellers.inventory(seller, low_only=True)]
        print(f"  low stock: {low or 'none'}")
    dash = shop.analytics.dashboard(admin, day, clock.now().date())
    print(f"dashboard: GMV {fmt(dash.gmv)}, orders {dash.orders}, "
          f"AOV {fmt(dash.average_order_value)}, "
          f"conversion {dash.conversion_rate}, top category "
          f"{dash.top_categories[0]['name']!r}")

    delivery = shop.notifications.deliver_due()
    kinds = sorted({m.type.value for m in notifier.sent})
    print(f"notifications: {delivery.sent} sent ({', '.join(kinds)}); "
          f"{shop.notifications.inbox(ann).total_count} in Ann's inbox")


if __name__ == "__main__":
    main(*sys.argv[1:2])
