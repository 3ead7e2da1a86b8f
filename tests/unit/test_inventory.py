"""Stock rules, movements, low-stock events and the invariant under random operations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commerce_adapters import connect
from commerce_adapters.fake.payments import FakeGateway
from commerce_core.clock import ManualClock
from commerce_core.errors import CommerceError, Forbidden, InsufficientStock, ValidationError
from commerce_core.events import DomainEvent, LowStock
from commerce_core.facade import Commerce
from commerce_core.inventory.model import Reservation, ReservationLine, ReservationStatus
from tests.conftest import ADMIN, OTHER_SELLER, SELLER, add_product, buy


def test_movements_record_every_change(shop: Commerce, category: int) -> None:
    v = add_product(shop, category, stock=10).variants[0].id
    shop.inventory.restock(SELLER, v, 5)
    shop.inventory.adjust(SELLER, v, -2, "damaged")
    kinds = [(m.movement_type.value, m.quantity) for m in shop.inventory.movements(SELLER, v)]
    assert kinds == [("IN", 10), ("IN", 5), ("ADJUSTMENT", -2)]
    with pytest.raises(InsufficientStock):
        shop.inventory.adjust(SELLER, v, -100, "oops")
    with pytest.raises(ValidationError):
        shop.inventory.adjust(SELLER, v, -1, " ")
    assert shop.inventory.stock(SELLER, v).available == 13
    with pytest.raises(ValidationError):
        shop.inventory.set_reorder_level(SELLER, v, -1)
    assert shop.inventory.set_reorder_level(SELLER, v, 4).reorder_level == 4


def test_movement_history_is_the_sellers_own(shop: Commerce, category: int,
                                             clock: ManualClock) -> None:
    mine = add_product(shop, category, stock=10).variants[0].id
    theirs = add_product(shop, category, "Lamp", stock=4, seller=OTHER_SELLER).variants[0].id
    clock.advance(timedelta(minutes=1))
    shop.inventory.adjust(SELLER, mine, -2, "damaged")
    buy(shop, shop.inventory.stock(SELLER, mine).product_id, 3)
    history = shop.inventory.movement_history(SELLER)
    assert [(m.movement_type.value, m.quantity) for m in history.items] == [
        ("OUT", 3), ("ADJUSTMENT", -2), ("IN", 10)]
    assert all(m.variant_id == mine for m in history.items) and history.total_count == 3
    assert [m.quantity for m in shop.inventory.movement_history(
        SELLER, types=["OUT", "IN"], variant_id=mine, limit=1, page=2).items] == [10]
    with pytest.raises(Forbidden):  # another seller's variant, or another seller
        shop.inventory.movement_history(SELLER, variant_id=theirs)
    with pytest.raises(Forbidden):
        shop.inventory.movement_history(SELLER, seller_id=OTHER_SELLER.user_id)
    with pytest.raises(ValidationError) as err:
        shop.inventory.movement_history(SELLER, types=["SOLD"])
    assert "type" in err.value.details
    with pytest.raises(ValidationError):
        shop.inventory.movement_history(SELLER, limit=101)
    assert shop.inventory.movement_history(ADMIN).total_count == 4
    assert [m.variant_id for m in shop.inventory.movement_history(
        ADMIN, seller_id=OTHER_SELLER.user_id).items] == [theirs]


def test_low_stock_event_fires_once_when_crossing(shop: Commerce, category: int) -> None:
    seen: list[DomainEvent] = []
    shop.publisher.subscribe(LowStock, seen.append)  # type: ignore[attr-defined]
    v = add_product(shop, category, stock=10, reorder_level=3).variants[0].id
    shop.inventory.adjust(SELLER, v, -6, "count")
    assert not seen
    shop.inventory.adjust(SELLER, v, -1, "count")
    shop.inventory.adjust(SELLER, v, -1, "count")
    assert len(seen) == 1 and seen[0].available == 3  # type: ignore[attr-defined]
    assert [s.variant_id for s in shop.inventory.low_stock(SELLER)] == [v]


ops = st.lists(st.tuples(st.sampled_from(["reserve", "commit", "release", "expire", "adjust",
                                          "restock", "tick"]),
                         st.integers(0, 2), st.integers(-5, 6)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(ops)
def test_inventory_invariant_under_random_operations(steps: list[tuple[str, int, int]]) -> None:
    clock = ManualClock()
    shop = connect("memory://", clock=clock, gateway=FakeGateway())
    cat = shop.catalog.create_category(ADMIN, "C").id
    variants = [add_product(shop, cat, f"P{i}", stock=5).variants[0].id for i in range(3)]
    received = {v: 5 for v in variants}
    reservations: list[Reservation] = []
    for op, which, n in steps:
        v = variants[which]
        now = clock.now()
        try:
            with shop.tx() as uow:
                if op == "reserve":
                    r = Reservation(shop.ids.next_id(),
                                    (ReservationLine(v, abs(n) or 1),
                                     ReservationLine(variants[(which + 1) % 3], 1)),
                                    now + timedelta(minutes=30), now)
                    uow.inventory.reserve(r, now)
                    reservations.append(r)
                elif op in ("commit", "release") and reservations:
                    held = reservations[n % len(reservations)]
                    if op == "commit":
                        uow.inventory.commit(held, now)
                    else:
                        uow.inventory.release(held, now)
                elif op == "adjust":
                    uow.inventory.adjust(v, n or 1, "count", now)
                    received[v] += n or 1
                elif op == "restock" and n > 0:
                    uow.inventory.restock(v, n, "delivery", now)
                    received[v] += n
        except CommerceError:
            pass  # refused: must have changed nothing, which the checks below catch
        if op == "tick":
            clock.advance(timedelta(minutes=16))
        if op == "expire":
            shop.checkout.expire_reservations()
        with shop.tx.read() as uow:
            for var in variants:
                s = uow.inventory.get(var)
                assert min(s.available, s.reserved, s.sold) >= 0
                assert s.available + s.reserved + s.sold == received[var]
                assert s.on_hand == s.available + s.reserved
            active = [uow.inventory.get_reservation(r.id) for r in reservations]
            for var in variants:
                holding = sum(line.quantity for a in active
                           if a.status is ReservationStatus.ACTIVE
                           for line in a.lines if line.variant_id == var)
                assert uow.inventory.get(var).reserved == holding
