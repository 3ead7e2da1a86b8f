"""``commerce search``: reindex (with its progress), status, query, suggest; the doctor's
view of the index."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from commerce_adapters import connect
from commerce_cli.main import app
from commerce_core.accounts.policy import Actor
from commerce_core.catalog.service import VariantSpec
from tests.conftest import SECRET


def _shop_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    shop = connect(url, secret_key=SECRET, event_delivery="inline")
    seller = Actor.seller(shop.accounts.register("s@example.com", "correct-horse-42", "S",
                                                 role="seller").id)
    category = shop.catalog.create_category(Actor.admin(0), "Lamps").id
    for n, name in enumerate(["Arc lamp", "Desk lamp", "Kettle"]):
        shop.catalog.create_product(seller, name=name, category_id=category,
                                    variants=[VariantSpec(f"SKU-{n}", "10.00", stock=1)])
    shop.search.index.clear()  # as a shop upgraded from a release without an index
    return url


def _run(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner(env={"COMMERCE_SECRET_KEY": SECRET}).invoke(
        app, ["--database-url", url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_reindex_fills_an_empty_index_and_the_doctor_sees_it(tmp_path: Path) -> None:
    url = _shop_file(tmp_path)
    code, out, _ = _run(url, "doctor", "--json")
    index = {r["check"]: r for r in json.loads(out)}["search index"]
    assert index["status"] == "warn" and "commerce search reindex" in index["detail"]
    code, out, _ = _run(url, "search", "reindex")
    assert code == 0 and "indexed 3 products" in out
    code, out, _ = _run(url, "search", "status", "--json")
    assert json.loads(out) == {"backend": "sqlite fts5", "documents": 3,
                               "detail": "search_documents in the database"}
    code, out, _ = _run(url, "doctor", "--json")
    index = {r["check"]: r for r in json.loads(out)}["search index"]
    assert index["status"] == "ok" and "3 documents, 3 products on sale" in index["detail"]


def test_query_and_suggest(tmp_path: Path) -> None:
    url = _shop_file(tmp_path)
    _run(url, "search", "reindex", "--json")
    code, out, _ = _run(url, "search", "query", "lamps", "--json")
    assert code == 0
    assert sorted(r["name"] for r in json.loads(out)) == ["Arc lamp", "Desk lamp"]
    code, out, _ = _run(url, "search", "suggest", "ket", "--json")
    assert json.loads(out) == [{"text": "Kettle", "kind": "product"}]


def test_a_bad_sort_is_one_line_and_exit_1(tmp_path: Path) -> None:
    url = _shop_file(tmp_path)
    code, _, err = _run(url, "search", "query", "lamp", "--sort", "cheap")
    assert code == 1 and err.count("\n") == 1 and "unknown sort" in err
