"""Contract of the OrderRepository port (orders/ports.py)."""

from __future__ import annotations

from datetime import timedelta

from commerce_core.address import Address
from commerce_core.money import Money
from commerce_core.orders.model import Order, OrderItem, OrderStatus
from commerce_core.orders.ports import OrderQuery
from commerce_core.pagination import PageRequest
from tests.contract.conftest import Backend

HOME = Address("1 Main St", "Springfield", "12345", "US")


def _order(backend: Backend, user: int, seller: int, number: int, hours: int) -> Order:
    at = backend.clock.now() + timedelta(hours=hours)
    oid, usd = backend.ids.next_id(), Money("10", "USD")
    item = OrderItem(backend.ids.next_id(), 1, 2, "SKU", "Thing", seller, 1, usd, usd,
                     Money.zero("USD"), Money.zero("USD"))
    zero = Money.zero("USD")
    return Order(oid, f"ORD-2026-{number:06d}", user, "USD", [item], usd, zero, zero, zero,
                 HOME, HOME, at, at)


def test_order_find_filters_half_open_dates_newest_first(backend: Backend) -> None:
    orders = [_order(backend, 1, 7, 1, 0), _order(backend, 1, 8, 2, 24),
              _order(backend, 2, 7, 3, 48), _order(backend, 1, 7, 4, 72)]
    with backend.storage.uow_factory() as uow:
        for o in orders:
            uow.orders.add(o)
        uow.commit()
    backend.refused(lambda uow: uow.orders.add(_order(backend, 1, 7, 1, 0)))  # same number
    with backend.storage.uow_factory() as uow:
        cancelled = uow.orders.get(orders[3].id)
        cancelled.cancel(backend.clock.now(), "test")
        uow.orders.update(cancelled)
        uow.commit()

    def find(**kw: object) -> list[int]:
        with backend.storage.uow_factory(read_only=True) as uow:
            return [o.id for o in uow.orders.find(OrderQuery(**kw), PageRequest()).items]  # type: ignore[arg-type]

    ids = [o.id for o in orders]
    assert find(user_id=1) == [ids[3], ids[1], ids[0]]
    assert find(seller_id=7) == [ids[3], ids[2], ids[0]]
    assert find(user_id=1, status=OrderStatus.CANCELLED) == [ids[3]]
    start = backend.clock.now()
    assert find(from_date=start + timedelta(hours=24),
                to_date=start + timedelta(hours=72)) == [ids[2], ids[1]]


def test_order_count_matches_find(backend: Backend) -> None:
    orders = [_order(backend, 1, 7, 21, 0), _order(backend, 1, 8, 22, 2),
              _order(backend, 2, 7, 23, 4)]
    with backend.storage.uow_factory() as uow:
        for o in orders:
            uow.orders.add(o)
        start = backend.clock.now()
        for query in (OrderQuery(), OrderQuery(user_id=1), OrderQuery(seller_id=7),
                      OrderQuery(user_id=1, from_date=start + timedelta(hours=1)),
                      OrderQuery(to_date=start + timedelta(hours=3)),
                      OrderQuery(status=OrderStatus.CANCELLED)):
            assert uow.orders.count(query) == uow.orders.find(query, PageRequest()).total_count
        assert uow.orders.count(OrderQuery(user_id=1, from_date=start + timedelta(hours=1))) == 1


def test_report_queries_created_between_and_has_purchased(backend: Backend) -> None:
    start = backend.clock.now()
    orders = [_order(backend, 1, 7, 11, 0), _order(backend, 1, 8, 12, 24),
              _order(backend, 2, 7, 13, 48)]
    with backend.storage.uow_factory() as uow:
        for o in orders:
            uow.orders.add(o)
        paid = uow.orders.get(orders[1].id)
        paid.confirm(start)
        uow.orders.update(paid)
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        window = (start, start + timedelta(hours=48))   # half open: the third is left out
        assert [o.id for o in uow.orders.created_between(*window, None)] == \
            [orders[0].id, orders[1].id]
        assert [o.id for o in uow.orders.created_between(*window, 7)] == [orders[0].id]
        assert uow.orders.has_purchased(1, 1)            # the confirmed order's item
        assert not uow.orders.has_purchased(2, 1)        # a pending order is not a purchase


def test_move_stores_an_order_only_if_nobody_wrote_it_since(backend: Backend) -> None:
    order = _order(backend, 1, 2, 90, 0)
    with backend.storage.uow_factory() as uow:
        uow.orders.add(order)
        uow.commit()
    with backend.storage.uow_factory() as uow:  # a reviewer's note, under lock
        noted = uow.orders.get(order.id)
        noted.note("FRAUD_APPROVED", backend.clock.now())
        uow.orders.update(noted)
        assert noted.version == order.version + 1
        uow.commit()
    order.confirm(backend.clock.now())
    with backend.storage.uow_factory() as uow:
        assert not uow.orders.move(order)  # held from before the note: nothing written
        current = uow.orders.get(order.id)
        assert current.status is OrderStatus.PENDING
        current.confirm(backend.clock.now())
        assert uow.orders.move(current)
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        stored = uow.orders.get(order.id)
    assert stored.status is OrderStatus.CONFIRMED and stored.version == current.version
    assert [i.status for i in stored.items] == [OrderStatus.CONFIRMED]
    assert [e.event for e in stored.timeline] == ["FRAUD_APPROVED", "ORDER_CONFIRMED"]
