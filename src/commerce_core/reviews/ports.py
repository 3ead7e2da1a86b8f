"""Review storage."""

from __future__ import annotations

from typing import Protocol

import attrs

from commerce_core.pagination import Page, PageRequest
from commerce_core.reviews.model import RatingStats, Review, ReviewSort


@attrs.frozen
class ReviewQuery:
    product_id: int
    rating: int | None = None
    include_hidden: bool = False
    sort: ReviewSort = ReviewSort.HELPFUL
    unanswered: bool = False  # only those the seller has not responded to


class ReviewRepository(Protocol):
    def add(self, review: Review) -> None:
        """Store a new review; Conflict if this user already reviewed this product."""
        ...

    def get(self, review_id: int) -> Review:
        """NotFound if absent."""
        ...

    def update(self, review: Review) -> None:
        """Replace a review; NotFound if absent."""
        ...

    def delete(self, review_id: int) -> None:
        """Remove a review and its votes; NotFound if absent."""
        ...

    def find(self, query: ReviewQuery, page: PageRequest) -> Page[Review]:
        """Reviews of one product. ``helpful``: most helpful first, then newest; ``recent``:
        newest first; ties by id, newest first."""
        ...

    def stats(self, product_id: int) -> RatingStats:
        """Star counts over the product's visible (not hidden) reviews."""
        ...

    def vote(self, review_id: int, user_id: int) -> bool | None:
        """This user's vote on the review: True helpful, False unhelpful, None none."""
        ...

    def set_vote(self, review_id: int, user_id: int, helpful: bool) -> None:
        """Record or replace this user's vote."""
        ...
