"""``commerce seller products import`` / ``export`` in both modes: bad rows reported with
their line and reason, good ones imported whole, exports that import back."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from commerce_cli import credentials
from commerce_cli.main import app
from commerce_core.accounts.policy import Actor
from commerce_http.client import ApiClient
from tests.cli.conftest import SELLER_EMAIL, Cli, seed
from tests.conftest import SECRET
from tests.serving import free_port


def _names(cli: Cli) -> list[str]:
    shop = cli.world.shop()
    return sorted(d.product.name for d in shop.catalog.seller_products(
        Actor.seller(cli.world.seller_id), limit=100).items)


def test_bad_rows_are_reported_by_line_and_the_good_products_imported(
        cli: Cli, tmp_path: Path) -> None:
    cat = cli.world.category_id
    file = tmp_path / "lamps.csv"
    file.write_text(
        "handle,name,category_id,sku,price,options,stock\n"
        f"a,Floor lamp,{cat},FL-1,150,color=black,4\n"       # 2
        f"a,,,FL-2,155,color=white,2\n"                      # 3
        f",Bad price,{cat},BP-1,abc,,1\n"                    # 4
        f",Desk lamp,{cat},DL-1,45,,10\n"                    # 5
        ",Wrong category,999,WC-1,5,,1\n"                    # 6
        f",Taken SKU,{cat},ARC-S,5,,1\n"                     # 7
        f"h,Half bad,{cat},HB-1,5,size=S,1\n"                # 8
        f"h,,,HB-2,5,size=M,-3\n")                           # 9
    result = cli.seller("products", "import", str(file))
    assert result.exit_code == 1
    assert result.stdout.strip() == "imported 2 products; 4 refused"
    assert result.stderr.strip().splitlines() == [
        "lamps.csv:4: price must be a number, not 'abc'",
        "lamps.csv:6: category 999 not found (not_found)",
        "lamps.csv:7: SKU ARC-S is already used (conflict)",
        "lamps.csv:9: stock must be a whole number >= 0 (so lines 8 of the same product are "
        "not imported either)"]
    assert _names(cli) == ["Arc lamp", "Desk lamp", "Floor lamp"]  # nothing half written
    floor = next(d for d in cli.world.shop().catalog.seller_products(
        Actor.seller(cli.world.seller_id)).items if d.product.name == "Floor lamp")
    assert [(v.sku, v.price.amount, floor.stock[v.id].available)
            for v in floor.product.variants] == [("FL-1", Decimal(150), 4),
                                                 ("FL-2", Decimal(155), 2)]
    again = cli.seller("products", "import", str(file), "--json")
    assert again.exit_code == 1
    report = json.loads(again.stdout)
    assert report["imported"] == []
    assert [r["line"] for r in report["refused"]] == [2, 4, 5, 6, 7, 9]


def test_export_writes_what_import_reads_back(cli: Cli, tmp_path: Path) -> None:
    cli.ok(cli.seller("products", "add", "Desk lamp", "--category", str(cli.world.category_id),
                      "--sku", "DESK-1", "--price", "45", "--stock", "3", "--tag", "desk",
                      "--attribute", "material=steel|brass"))
    as_json, as_csv = tmp_path / "mine.json", tmp_path / "mine.csv"
    assert cli.ok(cli.seller("products", "export", str(as_json))).strip() \
        == f"exported 2 products to {as_json}"
    cli.ok(cli.seller("products", "export", str(as_csv)))
    records = json.loads(as_json.read_text())
    assert [r["name"] for r in records] == ["Arc lamp", "Desk lamp"]  # oldest first
    arc = records[0]
    assert [(v["sku"], v["price"], v["options"], v["stock"], v["reorder_level"])
            for v in arc["variants"]] == [("ARC-S", "99.50", {"size": "S"}, 3, 4),
                                          ("ARC-L", "129.00", {"size": "L"}, 8, 0)]
    assert arc["category_id"] == str(cli.world.category_id)
    assert records[1]["attributes"] == {"material": "steel|brass"}
    rows = list(csv.DictReader(as_csv.open()))
    assert [r["sku"] for r in rows] == ["ARC-S", "ARC-L", "DESK-1"]
    assert rows[2]["attributes"] == '{"material": "steel|brass"}'  # kept whole as JSON
    stdout = cli.seller("products", "export", "-")
    assert cli.ok(stdout).splitlines()[0].startswith("handle,name,category_id")

    # into a new shop (its own category, and its own Arc lamp: ours get other SKUs)
    for source in (as_json, as_csv):
        fresh = seed(f"sqlite:///{tmp_path / (source.suffix[1:] + '.db')}")

        def moved(text: str, fresh_category: int = fresh.category_id) -> str:
            text = text.replace(str(cli.world.category_id), str(fresh_category))
            return text.replace("ARC-S", "ARC-S-B").replace("ARC-L", "ARC-L-B")
        file = tmp_path / f"moved{source.suffix}"
        file.write_text(moved(source.read_text()))
        local = ["--database-url", fresh.url, "seller", "--as", SELLER_EMAIL, "products"]
        runner = CliRunner(env={"COMMERCE_SECRET_KEY": SECRET})
        done = runner.invoke(app, [*local, "import", str(file)])
        assert (done.exit_code, done.stdout.strip()) == (0, "imported 2 products; 0 refused")
        back = tmp_path / f"back-{source.suffix[1:]}.json"
        assert runner.invoke(app, [*local, "export", str(back)]).exit_code == 0
        assert json.loads(back.read_text())[1:] == json.loads(moved(as_json.read_text()))


def test_import_refuses_unreadable_input(cli: Cli, tmp_path: Path) -> None:
    missing = cli.seller("products", "import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2
    odd = tmp_path / "lamps.txt"
    odd.write_text("name\n")
    unknown = cli.seller("products", "import", str(odd))
    assert unknown.exit_code == 1 and "--format" in unknown.stderr
    header = tmp_path / "lamps.csv"
    header.write_text("title,price\nLamp,5\n")
    bad_header = cli.seller("products", "import", str(header))
    assert bad_header.exit_code == 1 and "lamps.csv:1: header: missing" in bad_header.stderr
    assert _names(cli) == ["Arc lamp"]


def test_an_import_stops_when_the_shop_goes_away_and_says_what_was_not_tried(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    gone = f"http://127.0.0.1:{free_port()}"
    credentials.save(gone, SELLER_EMAIL, "a-token-from-before")
    file = tmp_path / "lamps.csv"
    file.write_text("name,category_id,sku,price\nLamp,1,L-1,5\nShade,1,S-1,x\nBulb,1,B-1,2\n")
    result = CliRunner().invoke(app, ["--api", gone, "seller", "products", "import",
                                      str(file), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "imported": [], "not_tried": 2,
        "refused": [{"line": 3, "reason": "price must be a number, not 'x'"}]}
    assert result.stderr.startswith("error: stopped: cannot reach " + gone)


def test_a_big_file_goes_in_a_few_requests_and_a_row_the_api_cannot_read_is_refused_alone(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[str, int]] = []
    call = ApiClient.call

    def counting(self: ApiClient, op: Any, **kw: Any) -> Any:
        body = kw.get("body")
        sent.append((op.name, len(getattr(body, "products", ()))))
        return call(self, op, **kw)

    monkeypatch.setattr(ApiClient, "call", counting)
    cat = cli.world.category_id
    file = tmp_path / "many.csv"
    rows = [f",Lamp {n},{cat},MANY-{n},5,,2" for n in range(450)]
    rows[300] = f",{'x' * 300},{cat},LONG-1,5,,2"  # longer than a product name may be
    file.write_text("handle,name,category_id,sku,price,options,stock\n" + "\n".join(rows)
                    + "\n")
    result = cli.seller("products", "import", str(file), "--json")
    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    assert len(report["imported"]) == 449 and report["not_tried"] == 0
    assert report["refused"] == [
        {"line": 302, "reason": "name must be at most 255 characters (validation_error)"}]
    imports = [n for op, n in sent if op == "import_products"]
    assert imports == [200, 200, 199, 50]  # the second batch again without the row refused
    assert not [op for op, _ in sent if op == "create_product"]
    assert cli.world.shop().catalog.seller_products(
        Actor.seller(cli.world.seller_id)).total_count == 450  # the seeded one and 449
