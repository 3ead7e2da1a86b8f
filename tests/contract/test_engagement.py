"""Contracts: reviews and votes, wishlists, fraud checks, shipments, notifications, activity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.activity.ports import MAX_ENTRIES
from commerce_core.errors import Conflict, NotFound
from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.money import Money
from commerce_core.notifications.model import (
    Channel,
    DeliveryStatus,
    Message,
    NotificationType,
    Preferences,
)
from commerce_core.pagination import PageRequest
from commerce_core.reviews.model import RatingStats, Review, ReviewSort
from commerce_core.reviews.ports import ReviewQuery
from commerce_core.shipping.model import ServiceLevel, Shipment
from commerce_core.wishlist.model import WishlistItem
from tests.contract.conftest import Backend


def _review(backend: Backend, user: int, stars: int, minutes: int, helpful: int = 0,
            product: int = 1) -> Review:
    at = backend.clock.now() + timedelta(minutes=minutes)
    return Review(backend.ids.next_id(), product, 9, user, stars, f"{stars}*", "", at, at,
                  helpful_count=helpful)


def test_reviews_one_per_author_sorted_filtered_and_counted(backend: Backend) -> None:
    a, b, c = (_review(backend, 1, 5, 0, helpful=1), _review(backend, 2, 3, 1, helpful=4),
               _review(backend, 3, 5, 2))
    with backend.storage.uow_factory() as uow:
        for r in (a, b, c, _review(backend, 1, 2, 3, product=2)):
            uow.reviews.add(r)
        with pytest.raises(Conflict):
            uow.reviews.add(_review(backend, 1, 4, 5))
        c.is_hidden = True
        uow.reviews.update(c)
        b.respond("Thanks", backend.clock.now())
        uow.reviews.update(b)
        uow.commit()
    with backend.storage.uow_factory() as uow:
        def find(**kw: object) -> list[int]:
            return [r.id for r in uow.reviews.find(ReviewQuery(1, **kw),  # type: ignore[arg-type]
                                                   PageRequest()).items]
        assert find() == [b.id, a.id]
        assert find(sort=ReviewSort.RECENT, include_hidden=True) == [c.id, b.id, a.id]
        assert find(rating=5) == [a.id]
        assert find(unanswered=True) == [a.id]
        assert find(unanswered=True, include_hidden=True, sort=ReviewSort.RECENT) \
            == [c.id, a.id]
        assert uow.reviews.stats(1) == RatingStats((0, 0, 1, 0, 1))
        assert uow.reviews.stats(3) == RatingStats()
        uow.reviews.set_vote(a.id, 7, True)
        uow.reviews.set_vote(a.id, 7, False)
        assert uow.reviews.vote(a.id, 7) is False and uow.reviews.vote(a.id, 8) is None
        uow.reviews.delete(a.id)
        assert uow.reviews.vote(a.id, 7) is None
        uow.reviews.add(_review(backend, 1, 4, 6))  # the author may review again
        with pytest.raises(NotFound):
            uow.reviews.get(a.id)


def test_wishlists(backend: Backend) -> None:
    now = backend.clock.now()
    with backend.storage.uow_factory() as uow:
        assert uow.wishlists.add(WishlistItem(1, 10, now))
        assert uow.wishlists.add(WishlistItem(1, 11, now + timedelta(seconds=1)))
        assert not uow.wishlists.add(WishlistItem(1, 10, now + timedelta(seconds=2)))
        assert uow.wishlists.add(WishlistItem(2, 10, now))
        assert [i.product_id for i in uow.wishlists.list(1, PageRequest()).items] == [11, 10]
        assert uow.wishlists.count(1) == 2
        assert uow.wishlists.remove(1, 10) and not uow.wishlists.remove(1, 10)
        assert uow.wishlists.list(1, PageRequest(1, 1)).total_count == 1


def test_fraud_checks_and_their_queue(backend: Backend) -> None:
    now, usd = backend.clock.now(), Money("10", "USD")

    def check(order: int, score: int, status: FraudStatus, minutes: int = 0) -> FraudCheck:
        at = now + timedelta(minutes=minutes)
        return FraudCheck(order, 1, score, ["x"], status, usd, at, at)

    with backend.storage.uow_factory() as uow:
        for c in (check(1, 60, FraudStatus.HELD, 2), check(2, 90, FraudStatus.HELD),
                  check(3, 60, FraudStatus.HELD), check(4, 0, FraudStatus.CLEAR)):
            uow.fraud.add(c)
        with pytest.raises(Conflict):
            uow.fraud.add(check(1, 0, FraudStatus.CLEAR))
        assert [c.order_id for c in uow.fraud.queue(FraudStatus.HELD, PageRequest()).items] \
            == [2, 3, 1]
        held = uow.fraud.find(3)
        assert held is not None and uow.fraud.find(99) is None
        held.decide(True, 5, "ok", now)
        uow.fraud.update(held)
        assert uow.fraud.queue(FraudStatus.APPROVED, PageRequest()).total_count == 1


def test_shipments_by_tracking_number_and_order(backend: Backend) -> None:
    now, usd = backend.clock.now(), Money("5", "USD")

    def shipment(order: int, carrier: str, number: str) -> Shipment:
        return Shipment(backend.ids.next_id(), order, 7, [1], carrier,
                        ServiceLevel.STANDARD, number, usd, now, now)

    first, second = shipment(1, "ups", "T1"), shipment(1, "dhl", "T1")
    with backend.storage.uow_factory() as uow:
        uow.shipments.add(first)
        uow.shipments.add(second)  # tracking numbers are unique per carrier only
        with pytest.raises(Conflict):
            uow.shipments.add(shipment(2, "ups", "T1"))
        assert uow.shipments.by_tracking("dhl", "T1").id == second.id
        assert [s.id for s in uow.shipments.for_order(1)] == [first.id, second.id]
        with pytest.raises(NotFound):
            uow.shipments.by_tracking("ups", "T2")


def test_notifications_dedupe_due_filters_and_preferences(backend: Backend) -> None:
    now = backend.clock.now()

    def message(event: str, channel: Channel, user: int = 1, minutes: int = 0) -> Message:
        at = now + timedelta(minutes=minutes)
        return Message(backend.ids.next_id(), event, user, NotificationType.ORDER_PLACED,
                       channel, "to", "s", "b", at, at)

    with backend.storage.uow_factory() as uow:
        first = message("e1", Channel.EMAIL)
        assert uow.notifications.add(first)
        assert not uow.notifications.add(message("e1", Channel.EMAIL))  # redelivered event
        sms, inbox = message("e1", Channel.SMS, minutes=1), message("e2", Channel.IN_APP, 2, 2)
        assert uow.notifications.add(sms) and uow.notifications.add(inbox)
        later = message("e3", Channel.EMAIL, minutes=10)
        uow.notifications.add(later)
        assert [m.id for m in uow.notifications.due(now + timedelta(minutes=5), 10)] == \
            [first.id, sms.id, inbox.id]  # oldest due first; not yet due left out
        assert later.id not in [m.id for m in uow.notifications.due(now, 10)]
        first.status, first.read_at = DeliveryStatus.SENT, now
        uow.notifications.update(first)
        assert first.id not in [m.id for m in uow.notifications.due(now, 10)]
        found = uow.notifications.find(1, None, None, False, PageRequest())
        assert found.total_count == 3 and found.items[0].id == later.id  # newest first
        assert uow.notifications.find(None, DeliveryStatus.SENT, "email", False,
                                      PageRequest()).total_count == 1
        assert uow.notifications.find(1, None, "email", True, PageRequest()).total_count == 1
        assert uow.notifications.preferences(1) is None
        uow.notifications.set_preferences(Preferences(1, frozenset({Channel.SMS})))
        assert uow.notifications.preferences(1) == Preferences(1, frozenset({Channel.SMS}))


def test_activity_store_is_bounded_deduplicated_and_newest_first(backend: Backend) -> None:
    store = backend.storage.activity
    at = backend.clock.now()
    for i, product in enumerate([1, 2, 3, 1]):
        store.record_view(7, product, at + timedelta(seconds=i))
    assert [v.product_id for v in store.recent_views(7, 10)] == [1, 3, 2]
    for i in range(MAX_ENTRIES + 5):
        store.record_view(7, 100 + i, at + timedelta(minutes=1, seconds=i))
    views = store.recent_views(7, MAX_ENTRIES + 10)
    assert len(views) == MAX_ENTRIES and views[0].product_id == 100 + MAX_ENTRIES + 4
    store.record_search(7, "lamp", at)
    store.record_search(7, "desk", at + timedelta(seconds=1))
    store.record_search(7, "lamp", at + timedelta(seconds=2))
    assert [s.query for s in store.recent_searches(7, 10)] == ["lamp", "desk"]
    same = at + timedelta(seconds=3)  # one clock tick: the order of the calls decides
    for query in ("zebra", "apple"):
        store.record_search(7, query, same)
    assert [s.query for s in store.recent_searches(7, 2)] == ["apple", "zebra"]
    assert store.recent_views(8, 10) == []
    store.forget(7)
    assert store.recent_views(7, 10) == [] and store.recent_searches(7, 10) == []
