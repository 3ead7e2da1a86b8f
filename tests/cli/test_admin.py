"""``commerce admin`` in both modes: users, categories, the fraud queue, the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from commerce_core.accounts.policy import Actor
from commerce_core.fraud.model import FraudStatus
from tests.cli.conftest import Cli
from tests.conftest import HOME


def test_users_are_created_found_demoted_and_deactivated(cli: Cli) -> None:
    made = cli.admin("users", "create", "sam@example.com", "--name", "Sam", "--role", "seller",
                     input="cobalt-horse-42\ncobalt-horse-42\n")
    assert "cobalt-horse-42" not in cli.ok(made)
    assert "created seller sam@example.com" in made.stdout
    sam = cli.json(cli.admin("users", "find", "sam@", "--json"))
    assert [(u["email"], u["role"], u["is_active"]) for u in sam] \
        == [("sam@example.com", "seller", True)]
    sam_id = sam[0]["user_id"]
    by_id = cli.json(cli.admin("users", "find", str(sam_id), "--json"))
    assert by_id["email"] == "sam@example.com"
    assert cli.ok(cli.admin("users", "role", str(sam_id), "customer")).strip() \
        == "sam@example.com is now customer"
    cli.ok(cli.admin("users", "deactivate", str(sam_id)))
    inactive = cli.json(cli.admin("users", "list", "--inactive", "--json"))
    assert [u["email"] for u in inactive] == ["sam@example.com"]
    cli.ok(cli.admin("users", "reactivate", str(sam_id)))
    sellers = cli.json(cli.admin("users", "list", "--role", "seller", "--json"))
    assert {u["email"] for u in sellers} == {"lamps@example.com", "rival@example.com"}
    table = cli.ok(cli.admin("users", "list"))
    assert "ann@example.com" in table and str(sam_id) in table  # ids are never cut short
    taken = cli.admin("users", "create", "sam@example.com", "--name", "Sam 2",
                      input="cobalt-horse-42\ncobalt-horse-42\n")
    assert taken.exit_code == 1
    assert taken.stderr.strip().splitlines() == [
        "error: an account with this email exists (conflict)"]
    bad_role = cli.admin("users", "role", str(sam_id), "owner")
    assert bad_role.exit_code == 1 and "(validation_error)" in bad_role.stderr
    assert cli.admin("users", "role", "not-a-number", "seller").exit_code == 2


def test_categories_are_made_renamed_moved_and_deleted(cli: Cli) -> None:
    home = cli.ok(cli.admin("categories", "create", "Home"))
    home_id = home.split("(")[1].rstrip(")\n")
    rugs = cli.ok(cli.admin("categories", "create", "Rugs", "--parent", home_id))
    rugs_id = rugs.split("(")[1].rstrip(")\n")
    tree = cli.json(cli.admin("categories", "tree", "--json"))
    assert [(n["name"], [c["name"] for c in n["children"]]) for n in tree] \
        == [("Home", ["Rugs"]), ("Lamps", [])]
    assert "Rugs" in cli.ok(cli.admin("categories", "tree"))
    in_use = cli.admin("categories", "delete", home_id)
    assert in_use.exit_code == 1 and "(conflict)" in in_use.stderr
    cli.ok(cli.admin("categories", "rename", rugs_id, "Carpets"))
    assert cli.ok(cli.admin("categories", "move", rugs_id)).strip() == "moved Carpets to the top"
    cli.ok(cli.admin("categories", "delete", home_id))
    names = [n["name"] for n in cli.json(cli.admin("categories", "tree", "--json"))]
    assert names == ["Carpets", "Lamps"]
    loop = cli.admin("categories", "move", str(cli.world.category_id), "--parent",
                     str(cli.world.category_id))
    assert loop.exit_code == 1 and len(loop.stderr.strip().splitlines()) == 1
    clash = cli.admin("categories", "create", "lamps")
    assert clash.exit_code == 1 and "(conflict)" in clash.stderr


def test_fraud_queue_and_dashboard(cli: Cli) -> None:
    shop = cli.world.shop()
    held = _hold(cli)
    queue = cli.json(cli.admin("fraud", "list", "--json"))
    assert [c["order_id"] for c in queue] == [str(held)]  # ids as the API writes them
    assert str(held) in cli.ok(cli.admin("fraud", "list"))
    cli.ok(cli.admin("fraud", "approve", str(held), "--note", "called the buyer"))
    approved = cli.json(cli.admin("fraud", "list", "--status", "approved", "--json"))
    assert [(c["order_id"], c["note"]) for c in approved] == [(str(held), "called the buyer")]
    assert shop.fraud.check(Actor.admin(0), held).status is FraudStatus.APPROVED
    assert cli.json(cli.admin("fraud", "list", "--json")) == []
    again = cli.admin("fraud", "reject", str(held))
    assert again.exit_code == 1 and "(invalid_state_transition)" in again.stderr
    missing = cli.admin("fraud", "approve", "12345")
    assert missing.exit_code == 1 and "(not_found)" in missing.stderr
    figures = cli.json(cli.admin("dashboard", "--json"))
    today = datetime.now(UTC).date()  # the CLI's default period ends on the UTC day
    expected = shop.analytics.dashboard(Actor.admin(0), today - timedelta(days=29), today)
    assert expected.orders >= 1
    assert (figures["orders"], figures["gmv"]) \
        == (expected.orders, {c: f"{a:.2f}" for c, a in expected.gmv.items()})
    assert "conversion_rate" in cli.ok(cli.admin("dashboard"))
    backwards = cli.admin("dashboard", "--from", "2026-12-01", "--to", "2026-11-01")
    assert backwards.exit_code == 2


def _hold(cli: Cli) -> int:
    """An order the fraud screen holds: over 1,000 from an account a day old."""
    shop, ann = cli.world.shop(), Actor.customer(cli.world.customer_id)
    shop.cart.add_item(ann, cli.world.product_id, 8, {"size": "L"})
    order = shop.checkout.place_order(ann, HOME, payment_token="tok_visa").order
    assert shop.fraud.check(Actor.admin(0), order.id).status is FraudStatus.HELD
    return order.id
