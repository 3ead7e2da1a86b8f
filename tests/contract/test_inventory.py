"""Contract of the InventoryRepository port (inventory/ports.py): reservations and stock."""

from __future__ import annotations

import functools
import threading
from datetime import timedelta

import pytest

from commerce_core.errors import Conflict, InsufficientStock, NotFound
from commerce_core.inventory.model import (
    MovementType,
    Reservation,
    ReservationLine,
    ReservationStatus,
    StockItem,
)
from commerce_core.inventory.ports import MovementQuery
from commerce_core.pagination import PageRequest
from tests.concurrency import run_together
from tests.contract.conftest import Backend


def seed(backend: Backend, *stock: int) -> list[int]:
    now = backend.clock.now()
    ids = [backend.ids.next_id() for _ in stock]
    with backend.storage.uow_factory() as uow:
        for vid, qty in zip(ids, stock, strict=True):
            uow.inventory.add(StockItem(vid, 1, 1, reorder_level=1))
            if qty:
                uow.inventory.restock(vid, qty, "opening", now)
        uow.commit()
    return ids


def reservation(backend: Backend, *lines: tuple[int, int], minutes: int = 30) -> Reservation:
    now = backend.clock.now()
    return Reservation(backend.ids.next_id(), tuple(ReservationLine(v, q) for v, q in lines),
                       now + timedelta(minutes=minutes), now)


def counts(backend: Backend, vid: int) -> tuple[int, int, int]:
    with backend.storage.uow_factory() as uow:
        s = uow.inventory.get(vid)
    return s.available, s.reserved, s.sold


def test_reserve_commit_release_arithmetic(backend: Backend) -> None:
    a, b = seed(backend, 10, 4)
    factory, now = backend.storage.uow_factory, backend.clock.now()
    r1, r2 = reservation(backend, (a, 3), (b, 1)), reservation(backend, (a, 2))
    with factory() as uow:
        uow.inventory.reserve(r1, now)
        uow.inventory.reserve(r2, now)
        uow.commit()
    assert counts(backend, a) == (5, 5, 0)
    backend.clock.advance(timedelta(minutes=1))
    later = backend.clock.now()
    with factory() as uow:
        uow.inventory.commit(r1, later)
        assert uow.inventory.release(r2, later) != []
        assert uow.inventory.release(r2, later) == []  # idempotent
        with pytest.raises(Conflict):
            uow.inventory.commit(r2, now)
        uow.commit()
    assert counts(backend, a) == (7, 0, 3) and counts(backend, b) == (3, 0, 1)
    with factory() as uow:
        # holds leave their trail in the reservation; only the sale moves stock out
        kinds = [m.movement_type for m in uow.inventory.movements(a)]
        assert kinds == [MovementType.IN, MovementType.OUT]
        sold = uow.inventory.get_reservation(r1.id)
        assert (sold.status, sold.created_at, sold.ended_at) == (
            ReservationStatus.COMMITTED, now, later)
        back = uow.inventory.get_reservation(r2.id)
        assert (back.status, back.ended_at) == (ReservationStatus.RELEASED, later)


def test_reserve_is_all_or_nothing_and_names_every_short_line(backend: Backend) -> None:
    a, b, c = seed(backend, 5, 1, 0)
    with backend.storage.uow_factory() as uow:
        with pytest.raises(InsufficientStock) as err:
            uow.inventory.reserve(reservation(backend, (a, 2), (b, 2), (c, 1)),
                                  backend.clock.now())
        assert {line["variant_id"] for line in err.value.lines} == {b, c}
        uow.commit()
    assert counts(backend, a) == (5, 0, 0)


def test_rollback_removes_movements_and_stock_changes(backend: Backend) -> None:
    (a,) = seed(backend, 5)
    now = backend.clock.now()
    with backend.storage.uow_factory() as uow:
        uow.inventory.restock(a, 3, "delivery", now)
        uow.inventory.reserve(reservation(backend, (a, 2)), now)
        uow.rollback()
    with backend.storage.uow_factory() as uow:
        assert [m.movement_type for m in uow.inventory.movements(a)] == [MovementType.IN]
        assert uow.inventory.movements(a)[0].quantity == 5
    assert counts(backend, a) == (5, 0, 0)


def test_due_reservations_oldest_first(backend: Backend) -> None:
    (a,) = seed(backend, 10)
    factory = backend.storage.uow_factory
    late, early = reservation(backend, (a, 1), minutes=20), reservation(backend, (a, 1),
                                                                         minutes=10)
    with factory() as uow:
        uow.inventory.reserve(late, backend.clock.now())
        uow.inventory.reserve(early, backend.clock.now())
        uow.commit()
    backend.clock.advance(timedelta(minutes=15))
    with factory() as uow:
        assert [r.id for r in uow.inventory.due_reservations(backend.clock.now(), 10)] == \
            [early.id]
        assert uow.inventory.get_reservation(early.id).ended_at is None
        uow.inventory.release(early, backend.clock.now(), ReservationStatus.EXPIRED)
        uow.commit()
    expired_at = backend.clock.now()
    backend.clock.advance(timedelta(minutes=10))
    with factory() as uow:
        assert [r.id for r in uow.inventory.due_reservations(backend.clock.now(), 10)] == \
            [late.id]
        gone = uow.inventory.get_reservation(early.id)
        assert (gone.status, gone.ended_at) == (ReservationStatus.EXPIRED, expired_at)


def test_concurrent_reservations_never_oversell(backend: Backend) -> None:
    a, b = seed(backend, 10, 10)
    won: list[int] = []
    barrier = threading.Barrier(30)

    def grab(i: int) -> None:
        lines = ((a, 1), (b, 1)) if i % 2 else ((b, 1), (a, 1))  # opposite orders
        r = reservation(backend, *lines)
        barrier.wait()
        try:
            with backend.storage.uow_factory() as uow:
                uow.inventory.reserve(r, backend.clock.now())
                uow.commit()
            won.append(r.id)
        except InsufficientStock:
            pass

    assert run_together([functools.partial(grab, i) for i in range(30)]) == []
    assert len(won) == 10
    assert counts(backend, a) == counts(backend, b) == (0, 10, 0)


def test_adjust_restock_return_and_low_stock(backend: Backend) -> None:
    (a,) = seed(backend, 3)
    now = backend.clock.now()
    with backend.storage.uow_factory() as uow:
        uow.inventory.adjust(a, -2, "shrinkage", now)
        assert [s.variant_id for s in uow.inventory.low_stock()] == [a]
        with pytest.raises(InsufficientStock):
            uow.inventory.adjust(a, -2, "too much", now)
        uow.inventory.restock(a, 4, "delivery", now)
        r = reservation(backend, (a, 2))
        uow.inventory.reserve(r, now)
        uow.inventory.commit(r, now)
        uow.inventory.return_sold(a, 1, "returned", now)
        with pytest.raises(Conflict):
            uow.inventory.return_sold(a, 5, "more than sold", now)
        uow.commit()
    assert counts(backend, a) == (4, 0, 1)


def test_stock_rows_by_seller(backend: Backend) -> None:
    with backend.storage.uow_factory() as uow:
        uow.inventory.add(StockItem(501, 1, 7))
        uow.inventory.add(StockItem(502, 1, 8))
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        assert [s.variant_id for s in uow.inventory.for_seller(8)] == [502]


def test_movement_history_newest_first_paged_and_filtered(backend: Backend) -> None:
    """A seller's trail: only movements of their variants' rows, newest first (ties by
    the later id), filtered by variant and by type, with the total count per page."""
    mine, also_mine, theirs = (backend.ids.next_id() for _ in range(3))
    with backend.storage.uow_factory() as uow:
        uow.inventory.add(StockItem(mine, 1, 7))
        uow.inventory.add(StockItem(also_mine, 1, 7))
        uow.inventory.add(StockItem(theirs, 2, 8))
        uow.commit()
    steps = [(mine, "restock", 10), (theirs, "restock", 5), (also_mine, "restock", 3),
             (mine, "adjust", -2), (mine, "restock", 1)]
    for variant, kind, quantity in steps:
        backend.clock.advance(timedelta(minutes=1))
        with backend.storage.uow_factory() as uow:
            if kind == "restock":
                uow.inventory.restock(variant, quantity, "delivery", backend.clock.now(), 7)
            else:
                uow.inventory.adjust(variant, quantity, "recount", backend.clock.now(), 7)
            uow.commit()
    with backend.storage.uow_factory() as uow:  # two in one instant: the later id first
        uow.inventory.restock(also_mine, 1, "same instant", backend.clock.now())
        uow.inventory.restock(also_mine, 2, "same instant", backend.clock.now())
        uow.commit()

    def history(page: int = 1, limit: int = 20, **kw: object) -> tuple[list[tuple[int, int]], int]:
        with backend.storage.uow_factory(read_only=True) as uow:
            found = uow.inventory.movement_history(MovementQuery(**kw),  # type: ignore[arg-type]
                                                   PageRequest(page, limit))
        return [(m.variant_id, m.quantity) for m in found.items], found.total_count

    seller = [(also_mine, 2), (also_mine, 1), (mine, 1), (mine, -2), (also_mine, 3), (mine, 10)]
    assert history(seller_id=7) == (seller, 6)
    assert history(seller_id=7, limit=4, page=2) == (seller[4:], 6)
    assert history(seller_id=7, variant_id=mine) == ([(mine, 1), (mine, -2), (mine, 10)], 3)
    assert history(seller_id=7, types=frozenset({MovementType.ADJUSTMENT})) == (
        [(mine, -2)], 1)
    assert history(seller_id=7, variant_id=theirs) == ([], 0)
    assert history(seller_id=404) == ([], 0)
    assert history() == ([*seller[:3], (mine, -2), (also_mine, 3), (theirs, 5), (mine, 10)], 7)
    with backend.storage.uow_factory(read_only=True) as uow:
        first = uow.inventory.movement_history(MovementQuery(variant_id=mine),
                                               PageRequest()).items[0]
    assert (first.movement_type, first.reason, first.created_by) == (
        MovementType.IN, "delivery", 7)


def test_stock_rows_by_product_in_variant_order(backend: Backend) -> None:
    with backend.storage.uow_factory() as uow:
        for vid, product in ((603, 1), (601, 1), (602, 2), (604, 1)):
            uow.inventory.add(StockItem(vid, product, 7))
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        assert [s.variant_id for s in uow.inventory.for_product(1)] == [601, 603, 604]
        assert [s.product_id for s in uow.inventory.for_product(2)] == [2]
        assert uow.inventory.for_product(404) == []


def test_remove_deletes_rows_and_their_movements_and_ignores_unknown_ids(
        backend: Backend) -> None:
    a, b, c = seed(backend, 5, 3, 0)
    now = backend.clock.now()
    with backend.storage.uow_factory() as uow:
        uow.inventory.adjust(a, -1, "shrinkage", now)
        uow.inventory.remove([a, c, 404])
        uow.inventory.remove([])
        uow.commit()
    with backend.storage.uow_factory() as uow:
        for vid in (a, c):
            with pytest.raises(NotFound):
                uow.inventory.get(vid)
            assert uow.inventory.movements(vid) == []
        assert set(uow.inventory.get_many([a, b, c])) == {b}
        assert [s.variant_id for s in uow.inventory.for_product(1)] == [b]
        assert [m.movement_type for m in uow.inventory.movements(b)] == [MovementType.IN]
        uow.inventory.add(StockItem(a, 1, 1))  # the id is free again, with no old trail
        assert uow.inventory.movements(a) == []
        uow.commit()
    assert counts(backend, a) == (0, 0, 0) and counts(backend, b) == (3, 0, 0)


def test_rollback_undoes_remove(backend: Backend) -> None:
    a, b = seed(backend, 5, 2)
    with backend.storage.uow_factory() as uow:
        uow.inventory.remove([a, b])
        assert uow.inventory.for_product(1) == []  # gone inside the unit of work
        uow.rollback()
    with backend.storage.uow_factory() as uow:
        uow.inventory.remove([a])
    with backend.storage.uow_factory(read_only=True) as uow:
        assert [s.variant_id for s in uow.inventory.for_product(1)] == sorted([a, b])
        assert [(m.movement_type, m.quantity) for m in uow.inventory.movements(a)] == \
            [(MovementType.IN, 5)]
    assert counts(backend, a) == (5, 0, 0) and counts(backend, b) == (2, 0, 0)
