"""Every unit test that builds a shop runs once per transactional backend: ``memory``,
``sqlite`` (a copy of a migrated template file) and ``postgres`` (the database
COMMERCE_TEST_POSTGRES_URL names, migrated once, every table emptied per test; skipped only
when that is unset), with ids like ``test_x[sqlite]``.

A test builds a shop when it takes the ``shop`` fixture (itself or through another fixture,
such as ``category``) or calls ``make_shop`` (itself or through a function of its module,
such as ``build_world``); ``make_shop`` with no URL then puts the shop on the test's
backend. Other tests run once, as does a test that names its backend (``connect("memory://")``).

With ``COMMERCE_TEST_CATALOG_URL=mongodb://HOST:PORT/`` those shops keep their catalog part
(products, categories, reviews, activity) on that MongoDB server instead, in a database of
their own per test (dropped after it): the whole unit suite with the catalog on MongoDB.
"""

from __future__ import annotations

import inspect
import os
import shutil
import types
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest

import tests.conftest
from tests.conftest import make_shop
from tests.mongo_servers import fresh_mongo
from tests.sql_servers import fresh_postgres, sqlite_template

BACKENDS = ["memory", "sqlite", "postgres"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "shop" in metafunc.fixturenames or calls_make_shop(inspect.unwrap(metafunc.function)):
        metafunc.parametrize("shop_backend", BACKENDS, indirect=True)


@pytest.fixture(autouse=True)
def shop_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The backend of this test's shops (``memory`` for a test that builds none)."""
    backend: str = getattr(request, "param", "memory")
    if backend == "sqlite":
        path = request.getfixturevalue("tmp_path") / "shop.db"
        shutil.copy(sqlite_template(), path)
        monkeypatch.setattr(tests.conftest, "default_shop_url", f"sqlite:///{path}")
    elif backend == "postgres":
        url = os.environ.get("COMMERCE_TEST_POSTGRES_URL")
        if not url:
            pytest.skip("COMMERCE_TEST_POSTGRES_URL is not set")
        monkeypatch.setattr(tests.conftest, "default_shop_url", fresh_postgres(url))
    catalog_server = os.environ.get("COMMERCE_TEST_CATALOG_URL")
    if catalog_server and hasattr(request, "param"):
        catalog = fresh_mongo(catalog_server)
        monkeypatch.setattr(tests.conftest, "default_catalog_url", catalog)
        request.addfinalizer(lambda: _drop(catalog))
    return backend


def _drop(url: str) -> None:
    import pymongo  # noqa: PLC0415 - only when the catalog is on MongoDB

    client: pymongo.MongoClient[dict[str, object]]
    with pymongo.MongoClient(url) as client:
        client.drop_database(urlsplit(url).path.strip("/"))


def calls_make_shop(function: Callable[..., object]) -> bool:
    """Whether ``function`` names ``make_shop``, itself or through functions of its module."""
    seen: set[object] = set()

    def names(code: types.CodeType) -> Iterator[str]:
        yield from code.co_names
        for const in code.co_consts:  # nested functions and lambdas
            if isinstance(const, types.CodeType):
                yield from names(const)

    def calls(f: types.FunctionType) -> bool:
        seen.add(f)
        for name in names(f.__code__):
            value = f.__globals__.get(name)
            if value is make_shop:
                return True
            if (isinstance(value, types.FunctionType) and value not in seen
                    and value.__module__ == f.__module__ and calls(value)):
                return True
        return False

    return isinstance(function, types.FunctionType) and calls(function)
