"""Reviews: one per user and product, votes, listing, moderation, and aggregates in step."""

from __future__ import annotations

import functools
import random
from datetime import timedelta
from decimal import Decimal

import pytest

from commerce_core.accounts.policy import Actor
from commerce_core.clock import ManualClock
from commerce_core.errors import Conflict, Forbidden, NotFound, ValidationError
from commerce_core.facade import Commerce
from tests.concurrency import run_together
from tests.conftest import ADMIN, CUSTOMER, SELLER, add_product, buy


def rating_of(shop: Commerce, product_id: int) -> tuple[Decimal | None, int]:
    p = shop.catalog.get_product(product_id)
    return p.rating, p.review_count


def test_one_review_per_user_and_product_with_valid_fields(shop: Commerce,
                                                           category: int) -> None:
    p = add_product(shop, category)
    review = shop.reviews.write(CUSTOMER, p.id, 5, " Great ", "Works", ["https://img/1.jpg"])
    assert (review.title, review.verified_purchase) == ("Great", False)
    with pytest.raises(Conflict):
        shop.reviews.write(CUSTOMER, p.id, 4, "Again")
    for bad in ({"rating": 0}, {"rating": 6}, {"rating": True}, {"title": "  "},
                {"images": ["ftp://x"]}, {"images": ["https://i"] * 11}):
        kwargs = {"rating": 3, "title": "ok", **bad}
        with pytest.raises(ValidationError):
            shop.reviews.write(Actor.customer(900), p.id, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        shop.reviews.write(CUSTOMER, 424242, 5, "Ghost product")
    assert rating_of(shop, p.id) == (Decimal("5.00"), 1)


def test_buyers_get_the_verified_purchase_flag(shop: Commerce, category: int) -> None:
    p = add_product(shop, category)
    buy(shop, p.id)
    assert shop.reviews.write(CUSTOMER, p.id, 4, "Bought it").verified_purchase
    assert not shop.reviews.write(Actor.customer(901), p.id, 1, "Never had it").verified_purchase


def test_listing_average_distribution_filters_sorts_and_pages(shop: Commerce, category: int,
                                                             clock: ManualClock) -> None:
    p = add_product(shop, category)
    ids = []
    for user, stars in zip(range(1000, 1006), [5, 5, 4, 3, 1, 5], strict=True):
        ids.append(shop.reviews.write(Actor.customer(user), p.id, stars, f"{stars} stars").id)
        clock.advance(timedelta(minutes=1))
    for voter in range(2000, 2003):
        shop.reviews.vote(Actor.customer(voter), ids[3], helpful=True)
    shop.reviews.vote(Actor.customer(2000), ids[1], helpful=True)
    listing = shop.reviews.list(p.id, limit=2)
    assert listing.stats.average == Decimal("3.83") and listing.stats.count == 6
    assert listing.stats.distribution == (1, 0, 1, 1, 3)  # 1 star .. 5 stars
    assert [r.id for r in listing.reviews.items] == [ids[3], ids[1]]  # most helpful first
    recent = shop.reviews.list(p.id, sort="recent", page=2, limit=2)
    assert [r.id for r in recent.reviews.items] == [ids[3], ids[2]]
    assert [r.id for r in shop.reviews.list(p.id, rating=5).reviews.items] == \
        [ids[1], ids[5], ids[0]]
    with pytest.raises(ValidationError):
        shop.reviews.list(p.id, sort="loudest")


def test_votes_are_one_per_user_and_can_change(shop: Commerce, category: int) -> None:
    p = add_product(shop, category)
    review = shop.reviews.write(CUSTOMER, p.id, 4, "Fine")
    voter = Actor.customer(777)
    shop.reviews.vote(voter, review.id, helpful=True)
    shop.reviews.vote(voter, review.id, helpful=True)
    assert shop.reviews.get(review.id).helpful_count == 1
    changed = shop.reviews.vote(voter, review.id, helpful=False)
    assert (changed.helpful_count, changed.unhelpful_count) == (0, 1)
    with pytest.raises(ValidationError):
        shop.reviews.vote(CUSTOMER, review.id, helpful=True)


def test_edit_and_delete_keep_aggregates_in_step(shop: Commerce, category: int) -> None:
    p = add_product(shop, category)
    a = shop.reviews.write(CUSTOMER, p.id, 2, "Meh")
    shop.reviews.write(Actor.customer(901), p.id, 4, "Good")
    assert rating_of(shop, p.id) == (Decimal("3.00"), 2)
    shop.reviews.edit(CUSTOMER, a.id, rating=5, comment="Grew on me")
    assert rating_of(shop, p.id) == (Decimal("4.50"), 2)
    for bad in (0, 6):  # 0 is given, not absent: it is checked like any other rating
        with pytest.raises(ValidationError):
            shop.reviews.edit(CUSTOMER, a.id, rating=bad)
    assert shop.reviews.get(a.id).rating == 5
    shop.reviews.delete(CUSTOMER, a.id)
    assert rating_of(shop, p.id) == (Decimal("4.00"), 1)
    with pytest.raises(NotFound):
        shop.reviews.get(a.id)


def test_only_the_products_seller_responds(shop: Commerce, category: int) -> None:
    p = add_product(shop, category)
    review = shop.reviews.write(CUSTOMER, p.id, 3, "Okay")
    with pytest.raises(Forbidden):
        shop.reviews.respond(Actor.seller(790), review.id, "Buy ours instead")
    answered = shop.reviews.respond(SELLER, review.id, "Sorry, we fixed it")
    assert answered.response == "Sorry, we fixed it" and answered.responded_at is not None
    with pytest.raises(ValidationError):
        shop.reviews.respond(SELLER, review.id, " ")


def test_hidden_reviews_leave_the_listing_and_the_rating(shop: Commerce, category: int) -> None:
    p = add_product(shop, category)
    spam = shop.reviews.write(Actor.customer(901), p.id, 1, "Visit my site")
    shop.reviews.write(CUSTOMER, p.id, 5, "Lovely")
    with pytest.raises(ValidationError):
        shop.reviews.hide(ADMIN, spam.id, "")
    shop.reviews.hide(ADMIN, spam.id, "spam")
    assert rating_of(shop, p.id) == (Decimal("5.00"), 1)
    assert shop.reviews.list(p.id).stats.count == 1
    with pytest.raises(NotFound):
        shop.reviews.get(spam.id)
    shop.reviews.unhide(ADMIN, spam.id)
    assert rating_of(shop, p.id) == (Decimal("3.00"), 2)


def test_seller_rating_follows_reviews_of_all_their_products(shop: Commerce,
                                                             category: int) -> None:
    lamp, desk = add_product(shop, category, "Lamp"), add_product(shop, category, "Desk")
    shop.reviews.write(CUSTOMER, lamp.id, 5, "Bright")
    store = shop.sellers.create_profile(SELLER, "Lamp Co")
    assert (store.rating, store.rating_count) == (Decimal("5.00"), 1)  # counted at opening
    shop.reviews.write(CUSTOMER, desk.id, 2, "Wobbly")
    hidden = shop.reviews.write(Actor.customer(901), desk.id, 1, "Rant")
    shop.reviews.hide(ADMIN, hidden.id, "abusive")
    assert shop.sellers.profile(SELLER.user_id).rating == Decimal("3.50")


def test_concurrent_review_writes_keep_aggregates_exact(shop: Commerce, category: int) -> None:
    p = add_product(shop, category)
    shop.sellers.create_profile(SELLER, "Lamp Co")
    stars = [random.Random(7).randint(1, 5) for _ in range(60)]

    def write(worker: int) -> None:
        for i in range(worker, 60, 12):
            actor = Actor.customer(5000 + i)
            review = shop.reviews.write(actor, p.id, stars[i], "t")
            if i % 5 == 0:  # some authors change their minds while others write
                shop.reviews.edit(actor, review.id, rating=6 - stars[i])
                stars[i] = 6 - stars[i]

    assert run_together([functools.partial(write, w) for w in range(12)]) == []
    expected = (Decimal(sum(stars)) / 60).quantize(Decimal("0.01"))
    assert rating_of(shop, p.id) == (expected, 60)
    profile = shop.sellers.profile(SELLER.user_id)
    assert (profile.rating_total, profile.rating_count) == (sum(stars), 60)
