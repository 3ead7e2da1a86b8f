"""``commerce seller shipments`` and ``inventory movements`` in both modes: a paid order
shipped and delivered by the seller's commands alone."""

from __future__ import annotations

from commerce_core.accounts.policy import Actor
from commerce_core.orders.model import OrderStatus
from tests.cli.conftest import Cli


def test_the_seller_ships_and_delivers_an_order_by_commands(cli: Cli) -> None:
    order = str(cli.world.order_id)
    made = cli.json(cli.seller("shipments", "create", order, "--json"))
    assert made["order_id"] == order and made["status"] == "LABEL_CREATED"
    shipment = made["shipment_id"]
    moving = cli.ok(cli.seller("shipments", "track", shipment, "in_transit", "--location",
                               "Denver"))
    assert moving.strip() == f"shipment {shipment}: IN_TRANSIT"
    buyer = Actor.customer(cli.world.customer_id)
    assert cli.world.shop().orders.get(cli.world.order_id, buyer).status is OrderStatus.SHIPPED
    cli.ok(cli.seller("shipments", "track", shipment, "DELIVERED"))
    assert cli.world.shop().orders.get(cli.world.order_id, buyer).status \
        is OrderStatus.DELIVERED
    wrong = cli.seller("shipments", "track", shipment, "LOST")
    assert wrong.exit_code == 1 and "(validation_error)" in wrong.stderr


def test_the_stock_history_is_listed_newest_first(cli: Cli) -> None:
    variant = str(cli.world.variant_ids[0])
    cli.ok(cli.seller("inventory", "restock", variant, "3"))
    rows = cli.json(cli.seller("inventory", "movements", "--variant", variant, "--json"))
    assert [(r["movement_type"], r["quantity"]) for r in rows][:1] == [("IN", 3)]
    assert {r["variant_id"] for r in rows} == {variant}
    sold = cli.json(cli.seller("inventory", "movements", "--type", "out", "--json"))
    assert [r["quantity"] for r in sold] == [2]  # Ann's order
    table = cli.ok(cli.seller("inventory", "movements"))
    assert "movements" in table and variant in table


def test_an_order_goes_from_pending_to_delivered_by_commands_alone(cli: Cli) -> None:
    """The customer's and the seller's commands only: cart, checkout, pay, ship, track."""
    product = str(cli.world.product_id)
    cart = cli.json(cli.customer("cart", "add", product, "--option", "size=L", "--json"))
    assert [i["sku"] for i in cart["items"]] == ["ARC-L"] and cart["total"] == "129.00"
    assert "ARC-L" in cli.ok(cli.customer("cart", "show"))
    placed = cli.json(cli.customer("checkout", "--line1", "1 Main St", "--city", "Springfield",
                                   "--postal-code", "12345", "--country", "US", "--json"))
    order = placed["order_id"]
    assert placed["status"] == "PENDING"
    paid = cli.ok(cli.customer("pay", order, "--token", "tok_visa"))
    assert paid.strip() == f"order {order}: CONFIRMED"
    shipment = cli.json(cli.seller("shipments", "create", order, "--json"))["shipment_id"]
    cli.ok(cli.seller("shipments", "track", shipment, "IN_TRANSIT"))
    assert cli.json(cli.customer("orders", "show", order, "--json"))["status"] == "SHIPPED"
    cli.ok(cli.seller("shipments", "track", shipment, "DELIVERED"))
    assert cli.json(cli.customer("orders", "show", order, "--json"))["status"] == "DELIVERED"
    mine = cli.json(cli.customer("orders", "list", "--json"))
    assert order in [o["order_id"] for o in mine]
    empty = cli.customer("checkout", "--line1", "x", "--city", "y", "--postal-code", "1",
                         "--country", "US")
    assert empty.exit_code == 1 and len(empty.stderr.strip().splitlines()) == 1
