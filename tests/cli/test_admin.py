"""``commerce admin`` in local mode, through Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from commerce_adapters import connect
from commerce_cli.main import app
from tests.conftest import SECRET

runner = CliRunner(env={"COMMERCE_SECRET_KEY": SECRET})


def test_users_categories_fraud_and_dashboard(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    db = ["--database-url", url]
    made = runner.invoke(app, ["admin", "users", "create-admin", "root@example.com", *db],
                         input="keys-to-the-kingdom-7\nkeys-to-the-kingdom-7\n")
    assert made.exit_code == 0, made.stdout + made.stderr
    assert "keys-to-the-kingdom-7" not in made.stdout
    connect(url, secret_key=SECRET).accounts.register("ann@example.com", "correct-horse-42",
                                                      "Ann")
    listed = json.loads(runner.invoke(app, ["admin", "users", "list", "--json", *db]).stdout)
    ann = next(u for u in listed if u["email"] == "ann@example.com")
    assert runner.invoke(app, ["admin", "users", "role", str(ann["user_id"]), "seller",
                               *db]).stdout.strip() == "ann@example.com is now seller"
    assert runner.invoke(app, ["admin", "users", "deactivate", str(ann["user_id"]),
                               *db]).exit_code == 0
    sellers = runner.invoke(app, ["admin", "users", "list", "--role", "seller", "--json", *db])
    assert [u["is_active"] for u in json.loads(sellers.stdout)] == [False]
    home = runner.invoke(app, ["admin", "categories", "create", "Home", *db]).stdout
    home_id = home.split("(")[1].rstrip(")\n")
    assert runner.invoke(app, ["admin", "categories", "create", "Rugs", "--parent", home_id,
                               *db]).exit_code == 0
    tree = json.loads(runner.invoke(app, ["admin", "categories", "tree", "--json", *db]).stdout)
    assert tree[0]["name"] == "Home" and tree[0]["children"][0]["name"] == "Rugs"
    assert "Rugs" in runner.invoke(app, ["admin", "categories", "tree", *db]).stdout
    assert json.loads(runner.invoke(app, ["admin", "fraud", "list", "--json", *db]).stdout) \
        == []
    missing = runner.invoke(app, ["admin", "fraud", "approve", "12345", *db])
    assert missing.exit_code == 1 and "no fraud check" in missing.stderr
    figures = json.loads(runner.invoke(app, ["admin", "dashboard", "--json", *db]).stdout)
    assert figures["orders"] == 0
    clash = runner.invoke(app, ["admin", "categories", "create", "home", *db])
    assert clash.exit_code == 1 and len(clash.stderr.strip().splitlines()) == 1
