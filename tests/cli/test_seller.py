"""``commerce seller`` in both modes: products, variants, stock, orders, refunds, reviews,
analytics."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from commerce_cli.main import app
from commerce_core.accounts.policy import Actor
from tests.cli.conftest import PASSWORD, Cli


def test_products_are_added_changed_priced_withdrawn_and_listed(cli: Cli) -> None:
    category = str(cli.world.category_id)
    added = cli.ok(cli.seller("products", "add", "Desk lamp", "--category", category,
                              "--sku", "DESK-1", "--price", "45.00", "--stock", "3",
                              "--option", "color=black", "--attribute", "material=steel",
                              "--tag", "desk", "--tag", "lamp"))
    assert added.startswith("added Desk lamp (") and "DESK-1 45.00" in added
    mine = cli.json(cli.seller("products", "list", "--json"))
    assert [p["name"] for p in mine] == ["Desk lamp", "Arc lamp"]
    desk = mine[0]
    assert desk["tags"] == ["desk", "lamp"] and desk["availability"]["quantity"] == 3
    assert desk["attributes"] == {"material": ["steel"], "color": ["black"]}
    desk_id = str(desk["product_id"])
    cli.ok(cli.seller("variants", "add", desk_id, "DESK-2", "49.50", "--option", "color=white",
                      "--stock", "2"))
    variants = cli.json(cli.seller("variants", "list", desk_id, "--json"))
    assert [(v["sku"], v["price"], v["available"]) for v in variants] \
        == [("DESK-1", "45.00", 3), ("DESK-2", "49.50", 2)]
    priced = cli.ok(cli.seller("products", "price", str(variants[0]["variant_id"]), "42.00"))
    assert priced.strip() == "DESK-1 now costs 42.00 USD"
    cli.ok(cli.seller("products", "update", desk_id, "--name", "Desk lamp II",
                      "--description", "Brighter"))
    cli.ok(cli.seller("products", "deactivate", desk_id))
    shop = cli.world.shop()
    product = shop.catalog.get_product(int(desk_id))
    assert (product.name, product.description, product.is_active) \
        == ("Desk lamp II", "Brighter", False)
    assert product.variants[0].price.amount == Decimal("42")
    table = cli.ok(cli.seller("products", "list"))
    assert "Desk lamp II" in table and desk_id in table and "False" in table
    cli.ok(cli.seller("products", "activate", desk_id))
    assert shop.catalog.get_product(int(desk_id)).is_active
    # refusals: one line, exit 1, nothing changed
    clash = cli.seller("variants", "add", desk_id, "ARC-S", "10", "--option", "color=red")
    assert clash.exit_code == 1 and clash.stderr.strip().endswith("(conflict)")
    assert len(shop.catalog.get_product(int(desk_id)).variants) == 2
    unknown = cli.seller("products", "add", "Ghost", "--category", "999", "--sku", "G-1",
                         "--price", "1")
    assert unknown.exit_code == 1 and "(not_found)" in unknown.stderr
    nothing = cli.seller("products", "update", desk_id)
    assert nothing.exit_code == 2
    bad_pair = cli.seller("products", "add", "Odd", "--category", category, "--sku", "O-1",
                          "--price", "1", "--option", "colour")
    assert bad_pair.exit_code == 2
    assert shop.catalog.seller_products(Actor.seller(cli.world.seller_id)).total_count == 2


def test_stock_is_viewed_restocked_adjusted_and_flagged_low(cli: Cli) -> None:
    small, large = map(str, cli.world.variant_ids)
    rows = cli.json(cli.seller("inventory", "list", "--json"))
    assert {r["sku"]: r["available"] for r in rows} == {"ARC-S": 3, "ARC-L": 8}
    low = cli.json(cli.seller("inventory", "low", "--json"))
    assert [r["sku"] for r in low] == ["ARC-S"]  # 3 left, reorder level 4
    assert cli.ok(cli.seller("inventory", "restock", small, "10")).strip() \
        == f"variant {small}: 13 available"
    cli.ok(cli.seller("inventory", "adjust", large, "--by", "-2", "--reason", "water damage"))
    cli.ok(cli.seller("inventory", "reorder-level", large, "6"))
    low = cli.json(cli.seller("inventory", "list", "--low", "--json"))
    assert [(r["sku"], r["available"], r["reorder_level"]) for r in low] == [("ARC-L", 6, 6)]
    movements = cli.world.shop().inventory.movements(Actor.seller(cli.world.seller_id),
                                                     int(large))
    assert movements[-1].reason == "water damage" and movements[-1].quantity == -2
    too_many = cli.seller("inventory", "adjust", large, "--by", "-100", "--reason", "x")
    assert too_many.exit_code == 1 and len(too_many.stderr.strip().splitlines()) == 1
    no_reason = cli.seller("inventory", "adjust", large, "--by", "-1")
    assert no_reason.exit_code == 2
    assert cli.seller("inventory", "restock", small, "0").exit_code == 2
    assert "ARC-L" in cli.ok(cli.seller("inventory", "list"))


def test_orders_refunds_reviews_and_analytics(cli: Cli) -> None:
    orders = cli.json(cli.seller("orders", "list", "--json"))
    assert [o["order_id"] for o in orders] == [str(cli.world.order_id)]
    item = orders[0]["items"][0]
    assert (item["sku"], item["quantity"]) == ("ARC-S", 2)
    assert "2 x ARC-S" in cli.ok(cli.seller("orders", "list"))
    # the order's own UTC day: the report's days are UTC days, whatever the machine's zone
    placed = cli.world.shop().orders.get(cli.world.order_id, Actor.admin(0)).created_at
    today = placed.astimezone(UTC).date().isoformat()
    sales = cli.json(cli.seller("analytics", "--from", today, "--to", today, "--json"))
    assert (sales["units"], sales["orders"], sales["revenue"]) == (2, 1, {"USD": "199.00"})
    chart = cli.ok(cli.seller("analytics"))
    assert "revenue per day" in chart and "█" * 40 in chart  # today's bar is the longest
    refund = cli.ok(cli.seller("refunds", "issue", str(cli.world.order_id),
                               str(item["order_item_id"]), "--reason", "scratched",
                               "--restock", "--key", "refund-1"))
    assert "199.00 USD" in refund
    again = cli.ok(cli.seller("refunds", "issue", str(cli.world.order_id),
                              str(item["order_item_id"]), "--reason", "scratched",
                              "--restock", "--key", "refund-1"))
    assert again == refund  # the same key: the same refund, not a second one
    twice = cli.seller("refunds", "issue", str(cli.world.order_id),
                       str(item["order_item_id"]), "--reason", "again")
    assert twice.exit_code == 1 and len(twice.stderr.strip().splitlines()) == 1
    made = cli.json(cli.seller("refunds", "list", "--json"))
    assert [(r["order_id"], r["order_item_ids"], r["amount"], r["status"]) for r in made] \
        == [(str(cli.world.order_id), [item["order_item_id"]], "199.00", "COMPLETED")]
    assert "scratched" in cli.ok(cli.seller("refunds", "list"))
    stock = cli.json(cli.seller("inventory", "list", "--json"))
    assert {r["sku"]: r["available"] for r in stock}["ARC-S"] == 5  # restocked once
    reviews = cli.json(cli.seller("reviews", "list", str(cli.world.product_id), "--json"))
    assert [r["title"] for r in reviews["reviews"]] == ["Warm light"]
    unanswered = ["reviews", "list", str(cli.world.product_id), "--unanswered", "--json"]
    assert len(cli.json(cli.seller(*unanswered))["reviews"]) == 1
    cli.ok(cli.seller("reviews", "respond", str(cli.world.review_id), "Thank you, Ann!"))
    assert cli.json(cli.seller(*unanswered))["reviews"] == []
    answered = cli.world.shop().reviews.get(cli.world.review_id)
    assert answered.response == "Thank you, Ann!"
    assert "yes" in cli.ok(cli.seller("reviews", "list", str(cli.world.product_id)))


def test_sellers_act_only_on_their_own(cli: Cli, tmp_path: Path) -> None:
    variant = str(cli.world.variant_ids[0])
    if cli.mode == "local":
        rival = cli.run(["seller", "--as", "rival@example.com", "products", "price", variant,
                         "1"], "seller")
        customer = cli.run(["seller", "--as", "ann@example.com", "products", "list"], "seller")
        assert customer.exit_code == 1 and "not an active seller" in customer.stderr
        nobody = cli.run(["seller", "--as", "nobody@example.com", "products", "list"], "seller")
        assert nobody.exit_code == 1 and "(not_found)" in nobody.stderr
        assert cli.run(["seller", "products", "list"], "seller").exit_code == 2  # who?
    else:
        api = ["--api", cli.api or ""]
        runner = CliRunner(env={"XDG_CONFIG_HOME": str(tmp_path / "rival")})
        assert runner.invoke(app, [*api, "seller", "products", "list"]).exit_code == 1
        assert runner.invoke(app, [*api, "login", "--email", "rival@example.com"],
                             input=f"{PASSWORD}\n").exit_code == 0
        rival = runner.invoke(app, [*api, "seller", "products", "price", variant, "1"])
        as_flag = cli.run(["seller", "--as", "rival@example.com", "products", "list"], "seller")
        assert as_flag.exit_code == 2  # remotely the token decides: --as is refused
        dashboard = cli.run(["admin", "dashboard"], "seller")  # a seller's token
        assert dashboard.exit_code == 1 and "(forbidden)" in dashboard.stderr
    assert rival.exit_code == 1 and "(forbidden)" in rival.stderr
    price = cli.world.shop().catalog.get_product(cli.world.product_id).variants[0].price
    assert price.amount == Decimal("99.50")
