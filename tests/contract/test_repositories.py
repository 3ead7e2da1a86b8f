"""Contract: what every repository adapter must do beyond storing and loading."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from commerce_core.address import Address
from commerce_core.catalog.model import Category, Product, ProductSort, Variant
from commerce_core.catalog.ports import ProductQuery
from commerce_core.checkout.model import Checkout, CheckoutState
from commerce_core.errors import Conflict, NotFound, ValidationError
from commerce_core.inventory.model import StockItem
from commerce_core.money import Money
from commerce_core.orders.model import Order, OrderItem, OrderStatus
from commerce_core.orders.ports import OrderQuery
from commerce_core.pagination import PageRequest
from commerce_core.payments.model import Payment, Refund, RefundState
from commerce_core.pricing.coupons import Coupon, CouponKind
from tests.contract.conftest import Backend

HOME = Address("1 Main St", "Springfield", "12345", "US")


def _product(backend: Backend, name: str, price: str, category: int, seller: int = 1,
             rating: str | None = None, sku: str | None = None) -> Product:
    pid = backend.ids.next_id()
    variant = Variant(backend.ids.next_id(), pid, sku or f"SKU-{pid}", Money(price, "USD"),
                      {"size": "M"})
    return Product(pid, seller, name, category, "USD", [variant], description=f"all about {name}",
                   rating=Decimal(rating) if rating else None, created_at=backend.clock.now())


def _catalog(backend: Backend) -> dict[str, Product]:
    """Four products in two categories; 'cheap' has no stock."""
    now = backend.clock.now()
    products = {
        "cheap": _product(backend, "Cheap phone", "50", 1, rating="3.0"),
        "mid": _product(backend, "Mid phone", "300", 1, rating="4.5"),
        "tablet": _product(backend, "Pricey tablet", "900", 2, seller=2),
        "book": _product(backend, "Book on phones", "20", 2, rating="4.0"),
    }
    with backend.storage.uow_factory() as uow:
        uow.categories.add(Category(1, "Phones", created_at=now))
        uow.categories.add(Category(2, "Other", created_at=now))
        for key, p in products.items():
            uow.products.add(p)
            uow.inventory.add(StockItem(p.variants[0].id, p.id, p.seller_id))
            if key != "cheap":
                uow.inventory.restock(p.variants[0].id, 5, "opening", now)
        uow.commit()
    return products


def test_product_find_filters_sorts_and_pages(backend: Backend) -> None:
    ps = _catalog(backend)

    def find(**kw: object) -> list[str]:
        with backend.storage.uow_factory(read_only=True) as uow:
            page = uow.products.find(ProductQuery(**kw), PageRequest(1, 10))  # type: ignore[arg-type]
        by_id = {p.id: k for k, p in ps.items()}
        return [by_id[p.id] for p in page.items]

    assert find(sort=ProductSort.PRICE_ASC) == ["book", "cheap", "mid", "tablet"]
    assert find(sort=ProductSort.PRICE_DESC) == ["tablet", "mid", "cheap", "book"]
    assert find(sort=ProductSort.RATING) == ["mid", "book", "cheap", "tablet"]  # unrated last
    assert find(sort=ProductSort.NEWEST) == ["book", "tablet", "mid", "cheap"]
    assert find(category_ids=frozenset({1})) == ["mid", "cheap"]
    assert find(min_price=Decimal(50), max_price=Decimal(300),
                sort=ProductSort.PRICE_ASC) == ["cheap", "mid"]
    assert find(rating_min=Decimal("4.0"), sort=ProductSort.PRICE_ASC) == ["book", "mid"]
    assert find(in_stock=True, category_ids=frozenset({1})) == ["mid"]
    assert find(in_stock=False) == ["cheap"]
    assert find(seller_id=2) == ["tablet"]
    assert find(search="PHONE", sort=ProductSort.PRICE_ASC) == ["book", "cheap", "mid"]
    with backend.storage.uow_factory(read_only=True) as uow:
        page = uow.products.find(ProductQuery(sort=ProductSort.PRICE_ASC), PageRequest(2, 3))
    assert page.total_count == 4 and [p.id for p in page.items] == [ps["tablet"].id]


def test_get_many_returns_what_exists(backend: Backend) -> None:
    products = _catalog(backend)
    with backend.storage.uow_factory() as uow:
        ids = [products["mid"].id, products["book"].id, 404]
        found = uow.products.get_many(ids)
        assert set(found) == {products["mid"].id, products["book"].id}
        assert found[products["mid"].id] == products["mid"]
        assert uow.products.get_many([]) == {}


def test_inactive_products_are_hidden_unless_asked_for(backend: Backend) -> None:
    ps = _catalog(backend)
    with backend.storage.uow_factory() as uow:
        book = uow.products.get(ps["book"].id)
        book.is_active = False
        uow.products.update(book)
        uow.commit()
        assert uow.products.find(ProductQuery(), PageRequest()).total_count == 3
        assert uow.products.find(ProductQuery(include_inactive=True),
                                 PageRequest()).total_count == 4


def test_sku_must_stay_unique_on_update_and_copies_are_deep(backend: Backend) -> None:
    ps = _catalog(backend)
    with backend.storage.uow_factory() as uow:
        mid = uow.products.get(ps["mid"].id)
        mid.variants[0].options["size"] = "XL"   # nested change, never saved
        mid.variants.append(Variant(backend.ids.next_id(), mid.id, ps["book"].variants[0].sku,
                                    Money("1", "USD")))
        with pytest.raises(Conflict):
            uow.products.update(mid)
        stored = uow.products.get(ps["mid"].id)
        assert stored.variants[0].options == {"size": "M"} and len(stored.variants) == 1
        with pytest.raises(Conflict):  # the refused update did not free mid's own SKU
            uow.products.add(_product(backend, "Copy", "1", 1, sku=ps["mid"].variants[0].sku))
        assert set(uow.products.get_variants([ps["mid"].variants[0].id, 404])) == \
            {ps["mid"].variants[0].id}
        with pytest.raises(NotFound):
            uow.products.get(404)


def test_category_names_are_unique_ignoring_case(backend: Backend) -> None:
    now = backend.clock.now()
    with backend.storage.uow_factory() as uow:
        uow.categories.add(Category(1, "Phones", created_at=now))
        uow.categories.add(Category(2, "Tablets", created_at=now))
        with pytest.raises(Conflict):
            uow.categories.add(Category(3, "PHONES", created_at=now))
        with pytest.raises(Conflict):
            uow.categories.update(Category(2, "phones", created_at=now))
        uow.categories.update(Category(2, "Slates", parent_id=1, created_at=now))
        with pytest.raises(Conflict):  # still a parent
            uow.categories.delete(1)
        uow.categories.update(Category(2, "Slates", created_at=now))
        uow.categories.delete(1)
        assert [c.name for c in uow.categories.all()] == ["Slates"]
        with pytest.raises(NotFound):
            uow.categories.delete(1)


def test_coupon_limits_are_counted_atomically_and_released(backend: Backend) -> None:
    now = backend.clock.now()
    with backend.storage.uow_factory() as uow:
        uow.coupons.add(Coupon("twice", CouponKind.PERCENT, Decimal(5), max_uses=2,
                               max_uses_per_user=1))
        with pytest.raises(Conflict):
            uow.coupons.add(Coupon("TWICE", CouponKind.PERCENT, Decimal(9)))
        uow.coupons.redeem("twice", user_id=1, order_id=10, now=now)
        with pytest.raises(ValidationError):
            uow.coupons.redeem("TWICE", user_id=1, order_id=11, now=now)   # per-user limit
        uow.coupons.redeem("TWICE", user_id=2, order_id=12, now=now)
        with pytest.raises(ValidationError):
            uow.coupons.redeem("TWICE", user_id=3, order_id=13, now=now)   # total limit
        uow.coupons.release("TWICE", order_id=10)
        uow.coupons.release("TWICE", order_id=10)                            # no-op
        assert uow.coupons.uses_by("twice", 1) == 0
        edited = Coupon("TWICE", CouponKind.PERCENT, Decimal(7), max_uses=2)
        uow.coupons.update(edited)
        assert edited.times_used == 0  # the caller's object is left alone
        stored = uow.coupons.get("twice")
        assert (stored.value, stored.times_used) == (Decimal(7), 1)
        with pytest.raises(NotFound):
            uow.coupons.get("nope")


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
        with pytest.raises(Conflict):
            uow.orders.add(_order(backend, 1, 7, 1, 0))   # same order number
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


def test_checkouts_by_order_and_stuck_oldest_first(backend: Backend) -> None:
    now = backend.clock.now()

    def checkout(order_id: int, state: CheckoutState, minutes_ago: int) -> Checkout:
        at = now - timedelta(minutes=minutes_ago)
        return Checkout(backend.ids.next_id(), 1, order_id, 99, state, at, at)

    fresh_one = checkout(1, CheckoutState.RESERVED, 0)
    old = checkout(2, CheckoutState.PAYMENT_STARTED, 10)
    older = checkout(3, CheckoutState.RESERVED, 20)
    done = checkout(4, CheckoutState.COMPLETED, 30)
    with backend.storage.uow_factory() as uow:
        for c in (fresh_one, old, older, done):
            uow.checkouts.add(c)
        with pytest.raises(Conflict):
            uow.checkouts.add(checkout(1, CheckoutState.RESERVED, 0))  # one per order
        assert uow.checkouts.for_order(2).id == old.id
        stuck = uow.checkouts.stuck((CheckoutState.RESERVED, CheckoutState.PAYMENT_STARTED),
                                    now - timedelta(minutes=5), 10)
        assert [c.id for c in stuck] == [older.id, old.id]
        with pytest.raises(NotFound):
            uow.checkouts.for_order(404)


def test_pending_refunds_and_refund_lookups(backend: Backend) -> None:
    now = backend.clock.now()
    usd = Money("5", "USD")
    with backend.storage.uow_factory() as uow:
        uow.payments.add(Payment(1, 10, 1, Money("50", "USD"), "pay_1", now, now))
        early = Refund(2, 1, 10, usd, "a", now - timedelta(minutes=9), now)
        late = Refund(3, 1, 10, usd, "b", now - timedelta(minutes=1), now)
        done = Refund(4, 1, 10, usd, "c", now - timedelta(minutes=20), now,
                      status=RefundState.COMPLETED)
        for r in (late, early, done):
            uow.payments.add_refund(r)
        assert [r.id for r in uow.payments.pending_refunds(now - timedelta(minutes=5), 10)] \
            == [early.id]
        assert [r.id for r in uow.payments.refunds(1)] == [done.id, early.id, late.id]
        assert uow.payments.get_refund(3).reason == "b"
        with pytest.raises(NotFound):
            uow.payments.get_refund(404)


def test_report_queries_for_orders_payments_checkouts_and_stock(backend: Backend) -> None:
    start = backend.clock.now()
    orders = [_order(backend, 1, 7, 11, 0), _order(backend, 1, 8, 12, 24),
              _order(backend, 2, 7, 13, 48)]
    with backend.storage.uow_factory() as uow:
        for o in orders:
            uow.orders.add(o)
        paid = uow.orders.get(orders[1].id)
        paid.confirm(start)
        uow.orders.update(paid)
        usd = Money("5", "USD")
        failed = Payment(backend.ids.next_id(), orders[0].id, 1, usd, "pay_f", start, start)
        failed.fail("declined", {}, start)
        uow.payments.add(failed)
        uow.payments.add(Payment(backend.ids.next_id(), orders[1].id, 1, usd, "pay_ok",
                                 start, start))
        uow.payments.add_refund(Refund(backend.ids.next_id(), failed.id, orders[0].id, usd,
                                       "x", start + timedelta(hours=30), start))
        uow.checkouts.add(Checkout(backend.ids.next_id(), 1, orders[0].id, 1,
                                   CheckoutState.COMPLETED, start, start))
        uow.inventory.add(StockItem(501, 1, 7))
        uow.inventory.add(StockItem(502, 1, 8))
        uow.commit()
    with backend.storage.uow_factory(read_only=True) as uow:
        window = (start, start + timedelta(hours=48))   # half open: the third is left out
        assert [o.id for o in uow.orders.created_between(*window, None)] == \
            [orders[0].id, orders[1].id]
        assert [o.id for o in uow.orders.created_between(*window, 7)] == [orders[0].id]
        assert uow.orders.has_purchased(1, 1)            # the confirmed order's item
        assert not uow.orders.has_purchased(2, 1)        # a pending order is not a purchase
        assert uow.payments.failures_since(1, start) == 1
        assert uow.payments.failures_since(1, start + timedelta(seconds=1)) == 0
        assert len(uow.payments.refunds_between(start + timedelta(hours=24), window[1])) == 1
        assert len(uow.checkouts.created_between(*window)) == 1
        assert [s.variant_id for s in uow.inventory.for_seller(8)] == [502]


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
