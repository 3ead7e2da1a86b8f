"""The SQL inventory settles the lines of the reservation it is handed (the memory one reads
its own copy): a line claiming more than the stock has reserved is refused, and nothing of
the settling stays. On PostgreSQL the reservation's end and its first line's stock are one
statement, so a short first line and a short later line take different paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from commerce_adapters.bootstrap import Storage
from commerce_adapters.sql.backend import open_sql
from commerce_core.clock import ManualClock
from commerce_core.errors import Conflict
from commerce_core.ids import SnowflakeIds
from commerce_core.inventory.model import (
    Reservation,
    ReservationLine,
    ReservationStatus,
    StockItem,
)


@pytest.fixture(params=["sqlite", "postgres"])
def storage(request: pytest.FixtureRequest, tmp_path: Path,
            clock: ManualClock) -> Iterator[Storage]:
    url = (f"sqlite:///{tmp_path / 'shop.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    opened = open_sql(url, clock, SnowflakeIds())
    yield opened
    opened.close()


def test_settling_more_than_is_reserved_is_refused_and_ends_nothing(
        storage: Storage, clock: ManualClock) -> None:
    now = clock.now()
    a, b = 101, 102
    with storage.uow_factory() as uow:
        for variant in (a, b):
            uow.inventory.add(StockItem(variant, 1, 1))
            uow.inventory.restock(variant, 10, "opening", now)
        uow.commit()
    held = Reservation(9001, (ReservationLine(a, 2), ReservationLine(b, 1)), now, now)
    with storage.uow_factory() as uow:
        uow.inventory.reserve(held, now)
        uow.commit()
    for lines in (((a, 5), (b, 1)), ((a, 2), (b, 4))):  # the first line short, the second
        claimed = Reservation(held.id, tuple(ReservationLine(v, q) for v, q in lines),
                              held.expires_at, held.created_at)
        for settle in ("commit", "release"):
            with storage.uow_factory() as uow, pytest.raises(Conflict, match="less reserved"):
                getattr(uow.inventory, settle)(claimed, now)
    with storage.uow_factory(read_only=True) as uow:
        assert uow.inventory.get_reservation(held.id).status is ReservationStatus.ACTIVE
        stock = uow.inventory.get_many([a, b])
    assert (stock[a].available, stock[a].reserved) == (8, 2)
    assert (stock[b].available, stock[b].reserved) == (9, 1)
    with storage.uow_factory() as uow:  # the reservation as held still settles
        assert [s.sold for s in uow.inventory.commit(held, now)] == [2, 1]
        uow.commit()
