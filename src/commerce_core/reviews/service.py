"""Review use cases. Every write that changes what is visible recomputes the product's rating
and review_count, and moves the seller's totals by the same delta, in its own transaction."""

from __future__ import annotations

import contextlib
from typing import Any

import attrs

from commerce_core.accounts.policy import Action, Actor, authorize
from commerce_core.clock import Clock
from commerce_core.errors import NotFound, ValidationError
from commerce_core.ids import IdGenerator
from commerce_core.pagination import Page, PageRequest
from commerce_core.reviews.model import RatingStats, Review, ReviewSort, check_rating
from commerce_core.reviews.ports import ReviewQuery
from commerce_core.uow import Transactions, UnitOfWork
from commerce_core.validation import given


@attrs.frozen
class ReviewPage:
    reviews: Page[Review]
    stats: RatingStats

    def as_dict(self) -> dict[str, Any]:
        """The seed's GET /products/{id}/reviews body (with paging figures)."""
        return {"reviews": [r.as_dict() for r in self.reviews.items], **self.stats.as_dict(),
                "page": self.reviews.page, "limit": self.reviews.limit,
                "matching_count": self.reviews.total_count}


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
        with self._tx() as uow:
            product = uow.products.get(product_id)
            if not product.is_active:
                raise NotFound(f"product {product_id} not found", {"product_id": product_id})
            author = ""
            with contextlib.suppress(NotFound):  # an embedding app's own user has no profile
                author = uow.users.get(actor.user_id).name
            review = Review(self._ids.next_id(), product_id, product.seller_id, actor.user_id,
                            rating, title, comment, now, now, list(images or []), author,
                            uow.orders.has_purchased(actor.user_id, product_id))
            self._changing(uow, product_id, lambda: uow.reviews.add(review))
        return review

    def edit(self, actor: Actor, review_id: int, *, rating: int | None = None,
             title: str | None = None, comment: str | None = None,
             images: list[str] | None = None) -> Review:
        changes = given(rating=None if rating is None else check_rating(rating), title=title,
                        comment=comment, images=images)
        with self._tx() as uow:
            review = uow.reviews.get(review_id)
            authorize(actor, Action.WRITE_REVIEW, review.user_id, f"review {review_id}")
            review = attrs.evolve(review, **changes, updated_at=self._clock.now())
            self._changing(uow, review.product_id, lambda: uow.reviews.update(review))
        return review

    def delete(self, actor: Actor, review_id: int) -> None:
        with self._tx() as uow:
            review = uow.reviews.get(review_id)
            authorize(actor, Action.WRITE_REVIEW, review.user_id, f"review {review_id}")
            self._changing(uow, review.product_id, lambda: uow.reviews.delete(review_id))

    def vote(self, actor: Actor, review_id: int, helpful: bool) -> Review:
        """One vote per user and review; voting again replaces the earlier vote."""
        authorize(actor, Action.VOTE_REVIEW)
        with self._tx() as uow:
            review = uow.reviews.get(review_id)
            if review.user_id == actor.user_id:
                raise ValidationError("you cannot vote on your own review",
                                      {"review_id": "own review"})
            before = uow.reviews.vote(review_id, actor.user_id)
            if before is helpful:
                return review
            if before is not None:
                review.helpful_count -= before
                review.unhelpful_count -= not before
            review.helpful_count += helpful
            review.unhelpful_count += not helpful
            uow.reviews.set_vote(review_id, actor.user_id, helpful)
            uow.reviews.update(review)
            return review

    def respond(self, actor: Actor, review_id: int, text: str) -> Review:
        """The product's seller answers a review (once; answering again replaces it)."""
        with self._tx() as uow:
            review = uow.reviews.get(review_id)
            authorize(actor, Action.RESPOND_REVIEW, review.seller_id, f"review {review_id}")
            review.respond(text, self._clock.now())
            uow.reviews.update(review)
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
        with self._tx() as uow:
            review = uow.reviews.get(review_id)
            review.is_hidden, review.hidden_reason = hidden, reason.strip()
            self._changing(uow, review.product_id, lambda: uow.reviews.update(review))
            return review

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
        with self._tx.read(replica=True) as uow:
            uow.products.get(product_id)
            found = uow.reviews.find(ReviewQuery(product_id, rating, False, order,
                                                       unanswered), request)
            return ReviewPage(found, uow.reviews.stats(product_id))

    def get(self, review_id: int) -> Review:
        with self._tx.read() as uow:
            review = uow.reviews.get(review_id)
        if review.is_hidden:
            raise NotFound(f"review {review_id} not found", {"review_id": review_id})
        return review

    # ------------------------------------------------------------------------------------
    @staticmethod
    def _changing(uow: UnitOfWork, product_id: int, write: Any) -> None:
        """Run ``write`` and bring the product's and seller's aggregates in step with it."""
        before = uow.reviews.stats(product_id)
        write()
        after = uow.reviews.stats(product_id)
        if after == before:
            return
        product = uow.products.get(product_id)
        uow.products.update(attrs.evolve(product, rating=after.average,
                                         review_count=after.count))
        profile = uow.sellers.find(product.seller_id)
        if profile is not None:
            profile.add_ratings(after.total - before.total, after.count - before.count)
            uow.sellers.update(profile)
