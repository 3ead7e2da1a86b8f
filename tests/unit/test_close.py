"""``shop.close()`` (and ``with connect(...) as shop``): what the shop committed is delivered
and stamped first, then every part connect() opened is closed, last opened first, each once;
parts the caller handed in stay open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from commerce_adapters import connect
from commerce_adapters.bootstrap import CACHES, EVENT_BUSES, RANKINGS, Adapter
from commerce_adapters.memory.bus import InProcessEventBus
from commerce_adapters.memory.cache import MemoryCache
from commerce_core.events import DomainEvent
from tests.conftest import ADMIN, SECRET, add_product
from tests.sql_servers import sqlite_template

CLOSED: list[str] = []  # what the parts below were closed as, in order


class ClosingBus(InProcessEventBus):
    def __init__(self, url: str) -> None:
        super().__init__()

    def close(self) -> None:
        CLOSED.append("bus")


class FailingToCloseCache(MemoryCache):
    def close(self) -> None:
        CLOSED.append("cache")
        raise OSError("the cache server hung up")


def closing_bus(url: str) -> ClosingBus:
    return ClosingBus(url)


def failing_cache(url: str, clock: object) -> FailingToCloseCache:
    return FailingToCloseCache()


@pytest.fixture(autouse=True)
def closing_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    CLOSED.clear()
    monkeypatch.setitem(EVENT_BUSES, "closing", Adapter(f"{__name__}:closing_bus"))
    monkeypatch.setitem(CACHES, "failing", Adapter(f"{__name__}:failing_cache"))
    monkeypatch.setitem(RANKINGS, "failing", RANKINGS["memory"])  # rankings follow the cache


def pending_events(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL").fetchone()[0])


def test_a_closed_shop_has_delivered_and_stamped_what_it_committed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    (tmp_path / "shop.db").write_bytes(sqlite_template().read_bytes())
    with connect(url, secret_key=SECRET, event_delivery="background") as shop:
        category = shop.catalog.create_category(ADMIN, "Lamps").id
        for n in range(20):
            add_product(shop, category, name=f"Brass lamp {n}")
    # the delivery thread indexed every product, and their events are stamped published
    # (else the relay would deliver them again): without close, the test would get here
    # while they are still in flight
    assert pending_events(tmp_path / "shop.db") == 0
    with connect(url, secret_key=SECRET) as again:
        assert again.search.search(text="brass lamp", limit=50).total == 20


def test_every_opened_part_is_closed_last_first_and_once_even_if_one_fails() -> None:
    shop = connect("memory://", events_url="closing://", cache_url="failing://",
                   secret_key=SECRET)
    with pytest.raises(OSError, match="hung up"):
        shop.close()
    assert CLOSED == ["bus", "cache"]  # the bus opened after the cache; a failure stops none
    shop.close()
    assert CLOSED == ["bus", "cache"]


def test_parts_handed_in_stay_open() -> None:
    bus = ClosingBus("closing://")
    seen: list[DomainEvent] = []
    bus.subscribe(DomainEvent, seen.append)
    with connect("memory://", publisher=bus, secret_key=SECRET,
                 event_delivery="inline") as shop:
        add_product(shop, shop.catalog.create_category(ADMIN, "Lamps").id)
    assert CLOSED == [] and seen  # the caller's bus: theirs to close


def test_a_connect_that_fails_midway_closes_what_it_had_opened() -> None:
    # the cache and the bus open before the notifier, whose URL is bad: connect() raises
    # that error, and leaves neither open (the cache's own failure to close is only logged)
    with pytest.raises(ValueError, match="notifier"):
        connect("memory://", cache_url="failing://", events_url="closing://",
                notify_url="bogus://", secret_key=SECRET)
    assert CLOSED == ["bus", "cache"]
