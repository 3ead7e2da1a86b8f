"""Another app driving a shop over HTTP with ``commerce_http.client.ApiClient``: an admin opens
a category and a seller account, the seller lists a product, a customer buys it, the seller
sees the order and refunds it.

Run:  python examples/api_client.py

To stay self-contained it serves a memory shop inside this process (httpx's WSGI transport);
against a real server the only change is ``ApiClient("https://shop.example")``.
"""

from __future__ import annotations

from decimal import Decimal

import httpx

from commerce_adapters import connect
from commerce_core.catalog.service import VariantSpec
from commerce_core.errors import Conflict
from commerce_http import create_app
from commerce_http.client import ApiClient

ADDRESS = {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345",
           "country": "US"}


def main() -> None:
    shop = connect("memory://", secret_key="example-secret-" + "x" * 32)
    shop.accounts.ensure_admin("root@example.com", "keys-to-the-kingdom-7")
    app = create_app(shop)

    def client() -> ApiClient:  # one per person, as each would run their own program
        return ApiClient("http://shop.example", transport=httpx.WSGITransport(app=app))

    with client() as admin, client() as seller, client() as customer:
        admin.login("root@example.com", "keys-to-the-kingdom-7")
        lamps = admin.create_category("Lamps")["category_id"]
        admin.create_user("lamps@example.com", "lumen-horse-42", "Lumen", role="seller")

        seller.login("lamps@example.com", "lumen-horse-42")
        lamp = seller.create_product(name="Arc lamp", category_id=lamps, variants=[
            VariantSpec("ARC-S", Decimal("99.50"), {"size": "S"}, stock=3)])
        print(f"listed {lamp['name']} at {lamp['price']} {lamp['currency']}")
        try:
            seller.create_product(name="Arc lamp again", category_id=lamps,
                                  variants=[VariantSpec("ARC-S", "1")])
        except Conflict as refused:  # the server's refusal, as the SDK's own error
            print(f"refused: {refused.message} ({refused.code})")

        customer.request("POST", "/api/v1/users/register", body={
            "email": "ann@example.com", "password": "correct-horse-42", "name": "Ann"})
        customer.login("ann@example.com", "correct-horse-42")
        customer.request("POST", "/api/v1/cart/items",
                      body={"product_id": lamp["product_id"], "quantity": 1})
        customer.request("POST", "/api/v1/orders",
                      body={"shipping_address": ADDRESS, "payment_token": "tok_visa"})

        order = seller.seller_orders().items[0]
        print(f"seller sees {order['order_number']}: {order['status']}")
        refund = seller.refund_items(order["order_id"], [order["items"][0]["order_item_id"]],
                                     "arrived scratched", restock=True,
                                     idempotency_key="refund-arc-1")
        print(f"refunded {refund['amount']} {refund['currency']}: {refund['status']}")
        stock = {row["sku"]: row["available"] for row in seller.inventory()}
        print(f"ARC-S back in stock: {stock['ARC-S']}")


if __name__ == "__main__":
    main()
