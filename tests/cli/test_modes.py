"""One code path: on the same shop, local and remote mode print the same thing."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from commerce_cli.main import app
from tests.cli.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, SELLER_EMAIL, seed
from tests.conftest import SECRET
from tests.serving import served

LISTINGS = [
    ("admin", ["admin", "users", "list", "--json"]),
    ("admin", ["admin", "users", "list", "--role", "seller"]),
    ("admin", ["admin", "categories", "tree", "--json"]),
    ("admin", ["admin", "fraud", "list", "--json"]),
    ("admin", ["admin", "dashboard", "--json"]),
    ("seller", ["seller", "products", "list", "--json"]),
    ("seller", ["seller", "products", "list"]),
    ("seller", ["seller", "inventory", "list", "--json"]),
    ("seller", ["seller", "orders", "list", "--json"]),
    ("seller", ["seller", "analytics", "--json"]),
    ("seller", ["seller", "products", "export", "-"]),
]


def test_local_and_remote_print_the_same(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    seed(url).shop().accounts.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD)  # both modes see it
    env = {person: {"COMMERCE_SECRET_KEY": SECRET, "XDG_CONFIG_HOME": str(tmp_path / person),
                    "COLUMNS": "200"} for person in ("admin", "seller")}

    def local(person: str, args: list[str]) -> str:
        who = ["--as", SELLER_EMAIL] if person == "seller" else []
        result = CliRunner(env=env[person]).invoke(
            app, ["--database-url", url, args[0], *who, *args[1:]])
        assert result.exit_code == 0, result.stderr
        return result.stdout

    printed = {tuple(args): local(person, args) for person, args in LISTINGS}
    assert "Arc lamp" in printed[("seller", "products", "list")]
    assert "ARC-S" in printed[("seller", "products", "export", "-")]
    with served(url, workers=1) as api:
        for person, email, password in (("admin", ADMIN_EMAIL, ADMIN_PASSWORD),
                                        ("seller", SELLER_EMAIL, PASSWORD)):
            assert CliRunner(env=env[person]).invoke(
                app, ["--api", api, "login", "--email", email],
                input=f"{password}\n").exit_code == 0
        for person, args in LISTINGS:
            result = CliRunner(env=env[person]).invoke(app, ["--api", api, *args])
            assert result.exit_code == 0, result.stderr
            assert result.stdout == printed[tuple(args)], args
