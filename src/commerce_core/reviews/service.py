"""Review use cases. Reviews live in the catalog store: every write that changes what is
visible recomputes the product's rating and review_count in the same catalog session, then
moves the seller's totals (transactional store) by the same delta."""

from __future__ import annotations

import contextlib
from typing import Any

import attrs

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.catalog.ports import CatalogSession
from commerce_core.clock import Clock
from commerce_core.errors import NotFound, ValidationError
from commerce_core.events import ProductRated, ReviewsChanged
from commerce_core.ids import IdGenerator
from commerce_core.pagination import Page, PageRequest
from commerce_core.reviews.model import RatingStats, Review, ReviewSort, check_rating
from commerce_core.reviews.ports import ReviewQuery
from commerce_core.uow import Transactions
from commerce_core.validation import given


@attrs.frozen
class ReviewPage:
    reviews: Page[Review]
    stats: RatingStats


class ReviewService:
    def __init__(self, tx: Transactions, ids: IdGenerator, clock: Clock) -> None:
        self._tx = tx
        self._ids = ids
        self._clock = clock

    def write(self, actor: Actor, product_id: int, rating: int, title: str,
              comment: str = "", images: list[str] | None = None) -> Review:
        """One review per user and product; flagged verified when the user bought it."""
        authorize(actor, Action.WRITE_REVIEW, actor.user_id)
        now = self._clock.now()
        with self._tx.read() as uow:
            author = ""
            with contextlib.suppress(NotFound):  # an embedding app's own user has no profile
                author = uow.users.get(actor.user_id).name
            verified = uow.orders.has_purchased(actor.user_id, product_id)
        with self._tx.catalog_change() as catalog:
            product = catalog.products.get(product_id)
            if not product.is_active:
                raise NotFound(f"product {product_id} not found", {"product_id": product_id})
            review = Review(self._ids.next_id(), product_id, product.seller_id, actor.user_id,
                            rating, title, comment, now, now, list(images or []), author,
                            verified)
            delta = self._changing(catalog, product_id, lambda: catalog.reviews.add(review))
        self._changed(product_id)
        self._after_rating_change(product_id, product.seller_id, delta)
        return review

    def edit(self, actor: Actor, review_id: int, *, rating: int | None = None,
             title: str | None = None, comment: str | None = None,
             images: list[str] | None = None) -> Review:
        changes = given(rating=None if rating is None else check_rating(rating), title=title,
                        comment=comment, images=images)
        with self._tx.catalog_change() as catalog:
            review = catalog.reviews.get(review_id)
            authorize(actor, Action.WRITE_REVIEW, review.user_id, f"review {review_id}")
            review = attrs.evolve(review, **changes, updated_at=self._clock.now())
            delta = self._changing(catalog, review.product_id,
                                   lambda: catalog.reviews.update(review))
        self._changed(review.product_id)
        self._after_rating_change(review.product_id, review.seller_id, delta)
        return review

    def delete(self, actor: Actor, review_id: int) -> None:
        with self._tx.catalog_change() as catalog:
            review = catalog.reviews.get(review_id)
            authorize(actor, Action.WRITE_REVIEW, review.user_id, f"review {review_id}")
            delta = self._changing(catalog, review.product_id,
                                   lambda: catalog.reviews.delete(review_id))
        self._changed(review.product_id)
        self._after_rating_change(review.product_id, review.seller_id, delta)

    def vote(self, actor: Actor, review_id: int, helpful: bool) -> Review:
        """One vote per user and review; voting again replaces the earlier vote."""
        authorize(actor, Action.VOTE_REVIEW)
        with self._tx.catalog_change() as catalog:
            review = catalog.reviews.get(review_id)
            if review.user_id == actor.user_id:
                raise ValidationError("you cannot vote on your own review",
                                      {"review_id": "own review"})
            before = catalog.reviews.vote(review_id, actor.user_id)
            if before is helpful:
                return review
            if before is not None:
                review.helpful_count -= before
                review.unhelpful_count -= not before
            review.helpful_count += helpful
            review.unhelpful_count += not helpful
            catalog.reviews.set_vote(review_id, actor.user_id, helpful)
            catalog.reviews.update(review)
            return review

    def respond(self, actor: Actor, review_id: int, text: str) -> Review:
        """The product's seller answers a review (once; answering again replaces it)."""
        with self._tx.catalog_change() as catalog:
            review = catalog.reviews.get(review_id)
            authorize(actor, Action.RESPOND_REVIEW, review.seller_id, f"review {review_id}")
            review.respond(text, self._clock.now())
            catalog.reviews.update(review)
            return review

    def hide(self, actor: Actor, review_id: int, reason: str) -> Review:
        """Moderation: a hidden review leaves the listing and the rating."""
        return self._moderate(actor, review_id, True, reason)

    def unhide(self, actor: Actor, review_id: int) -> Review:
        return self._moderate(actor, review_id, False, "")

    def _moderate(self, actor: Actor, review_id: int, hidden: bool, reason: str) -> Review:
        authorize(actor, Action.MODERATE_REVIEWS)
        if hidden and not reason.strip():
            raise ValidationError("hiding a review needs a reason", {"reason": "required"})
        with self._tx.catalog_change() as catalog:
            review = catalog.reviews.get(review_id)
            review.is_hidden, review.hidden_reason = hidden, reason.strip()
            delta = self._changing(catalog, review.product_id,
                                   lambda: catalog.reviews.update(review))
        self._changed(review.product_id)
        self._after_rating_change(review.product_id, review.seller_id, delta)
        return review

    def _changed(self, product_id: int) -> None:
        """The product's rating may have moved: tell the caches (no outbox notice)."""
        self._tx.announce(ReviewsChanged(occurred_at=self._clock.now(), product_id=product_id))

    def list(self, product_id: int, *, rating: int | None = None,
             sort: str | ReviewSort = ReviewSort.HELPFUL, page: int = 1,
             limit: int = 10, unanswered: bool = False) -> ReviewPage:
        """Visible reviews of a product with its average and star distribution;
        ``unanswered``: only those its seller has not responded to yet."""
        try:
            order = ReviewSort(sort)
        except ValueError:
            raise ValidationError(f"unknown sort {sort!r}", {"sort": "helpful or recent"}
                                  ) from None
        if rating is not None:
            check_rating(rating)
        request = PageRequest(page, limit)
        with self._tx.catalog_read(replica=True) as catalog:
            catalog.products.get(product_id)
            found = catalog.reviews.find(ReviewQuery(product_id, rating, False, order,
                                                     unanswered), request)
            return ReviewPage(found, catalog.reviews.stats(product_id))

    def get(self, review_id: int) -> Review:
        with self._tx.catalog_read() as catalog:
            review = catalog.reviews.get(review_id)
        if review.is_hidden:
            raise NotFound(f"review {review_id} not found", {"review_id": review_id})
        return review

    # ------------------------------------------------------------------------------------
    @staticmethod
    def _changing(catalog: CatalogSession, product_id: int, write: Any) -> tuple[int, int]:
        """Run ``write`` and bring the product's aggregates in step with it; the change of
        (star total, review count) it made, for the seller's totals."""
        # the product first: its lock queues the product's review writers, so each one's
        # before and after counts see every other's committed change and none in flight
        product = catalog.products.get(product_id)
        before = catalog.reviews.stats(product_id)
        write()
        after = catalog.reviews.stats(product_id)
        if after == before:
            return 0, 0
        catalog.products.update(attrs.evolve(product, rating=after.average,
                                             review_count=after.count))
        return after.total - before.total, after.count - before.count

    def _after_rating_change(self, product_id: int, seller_id: int,
                             delta: tuple[int, int]) -> None:
        """The seller's totals follow the catalog's change, and ProductRated tells the search
        index. A crash between the two leaves them one change behind (docs/parts.md);
        nothing else reads them as the truth, and a reindex catches the index up."""
        if delta == (0, 0):
            return
        with self._tx() as uow:
            uow.record(ProductRated(occurred_at=self._clock.now(), product_id=product_id,
                                    seller_id=seller_id))
            profile = uow.sellers.find(seller_id)
            if profile is not None:
                profile.add_ratings(*delta)
                uow.sellers.update(profile)
