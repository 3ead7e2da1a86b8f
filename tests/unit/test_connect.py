"""connect() builds a shop from any mix of part URLs, and says plainly what it cannot use."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from commerce_adapters import connect
from commerce_adapters.bootstrap import PARTS
from commerce_core.cart.model import Cart
from commerce_core.clock import ManualClock
from commerce_core.errors import Unauthenticated
from commerce_core.facade import Commerce
from tests.conftest import ADMIN, FAST_HASHER, SECRET, register
from tests.sql_servers import sqlite_template


def shop_on(database_url: str, **parts: Any) -> Commerce:
    parts.setdefault("notify_url", "memory://")
    return connect(database_url, clock=ManualClock(), secret_key=SECRET,
                   password_hasher=FAST_HASHER, **parts)


def sqlite_file(tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.db"
    path.write_bytes(sqlite_template().read_bytes())
    return f"sqlite:///{path}"


def test_carts_kept_apart_from_the_database_are_shared_by_every_shop_that_names_them(
        tmp_path: Path) -> None:
    carts = sqlite_file(tmp_path, "carts")
    one, other = shop_on("memory://", cart_url=carts), shop_on("memory://", cart_url=carts)
    one.carts.save(Cart.new(7, one.clock.now()))
    found = other.carts.get(7)
    assert found is not None and found.user_id == 7
    assert shop_on("memory://").carts.get(7) is None  # the default: the shop's own database


def test_the_sessions_part_decides_who_sees_a_sign_out(tmp_path: Path) -> None:
    database = sqlite_file(tmp_path, "shop")
    first = shop_on(database)
    register(first, "ann@example.com")
    token = first.accounts.login("ann@example.com", "correct-horse-42").token
    second, apart = shop_on(database), shop_on(database, sessions_url="memory://")
    first.accounts.logout(token)
    with pytest.raises(Unauthenticated):  # by default sessions follow the shared database
        second.accounts.authenticate(token)
    assert apart.accounts.authenticate(token).user_id  # its own memory never heard of it


def test_settings_name_the_parts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    carts = sqlite_file(tmp_path, "carts")
    monkeypatch.setenv("COMMERCE_CART_URL", carts)
    monkeypatch.setenv("COMMERCE_SESSIONS_URL", "memory://")
    shop_on("memory://").carts.save(Cart.new(9, ManualClock().now()))
    assert shop_on("memory://", cart_url=carts).carts.get(9) is not None


@pytest.mark.parametrize(("keyword", "known"), [
    ("catalog_url", "memory://, mongodb://, postgres://, postgresql://, sqlite://"),
    ("cart_url", "memory://, postgres://, postgresql://, redis://, rediss://, sqlite://"),
    ("sessions_url", "memory://, postgres://, postgresql://, redis://, rediss://, sqlite://"),
    ("cache_url", "memory://, none://, redis://, rediss://"),
    ("search_url", "elasticsearch://, memory://, postgres://, postgresql://, sqlite://"),
    ("events_url", "kafka://, memory://"),
    ("payments_url", "fake://, stripe://"), ("notify_url", "log://, memory://, smtp://")])
def test_an_unknown_scheme_lists_the_known_ones(keyword: str, known: str) -> None:
    with pytest.raises(ValueError, match=f"URL scheme 'bogus://'; known: {known}$"):
        shop_on("memory://", **{keyword: "bogus://x"})


def test_stripe_needs_its_key_and_takes_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMMERCE_STRIPE_API_KEY", raising=False)
    with pytest.raises(ValueError, match="stripe:// needs COMMERCE_STRIPE_API_KEY"):
        shop_on("memory://", payments_url="stripe://")
    monkeypatch.setenv("COMMERCE_STRIPE_API_KEY", "sk_test_x")
    monkeypatch.setenv("COMMERCE_STRIPE_API_BASE", "http://127.0.0.1:1")
    shop = shop_on("memory://", payments_url="stripe://")
    assert shop.gateway.takes_real_money is False  # a test-mode key moves no money
    monkeypatch.setenv("COMMERCE_STRIPE_API_KEY", "sk_live_x")
    assert shop_on("memory://", payments_url="stripe://").gateway.takes_real_money is True


def test_every_part_has_a_setting_and_a_keyword() -> None:
    assert [p.name for p in PARTS] == ["database", "catalog", "carts", "cache", "sessions",
                                       "search", "events", "payments", "notifications"]


def test_an_unknown_database_scheme_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: memory://, postgres://, postgresql://, "
                                         "sqlite://"):
        shop_on("mysql://localhost/shop")


def test_a_missing_driver_names_the_extra_that_brings_it(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now fails
    with pytest.raises(ImportError, match=r"pip install 'commerce-sdk\[postgres\]'"):
        shop_on("postgresql://shop@127.0.0.1:1/nothing")


@pytest.mark.parametrize("keyword", ["cart_url", "cache_url", "sessions_url"])
def test_a_redis_part_without_redis_py_names_the_extra(monkeypatch: pytest.MonkeyPatch,
                                                       keyword: str) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ImportError, match=r"pip install 'commerce-sdk\[redis\]'"):
        shop_on("memory://", **{keyword: "redis://127.0.0.1:1/0"})
def test_a_mongodb_catalog_without_pymongo_names_the_extra(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setitem(sys.modules, "pymongo", None)
    for url in ("mongodb://127.0.0.1:1/shop", "mongodb+srv://cluster.example.net/shop"):
        with pytest.raises(ImportError, match=r"pip install 'commerce-sdk\[mongo\]'"):
            shop_on("memory://", catalog_url=url)


def test_a_catalog_apart_from_the_database_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"catalog store .* is another SQL database"):
        shop_on("memory://", catalog_url=sqlite_file(tmp_path, "catalog"))
    same = shop_on("memory://", catalog_url="memory://")  # the database's own URL: fine
    same.catalog.create_category(ADMIN, "Lamps")
    assert [c.name for c in same.catalog.categories()] == ["Lamps"]
