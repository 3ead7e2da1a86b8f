"""In-memory reviews and helpful votes, indexed by product."""

from __future__ import annotations

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.errors import Conflict, NotFound
from commerce_core.pagination import Page, PageRequest
from commerce_core.reviews.model import RatingStats, Review, ReviewSort
from commerce_core.reviews.ports import ReviewQuery


class MemoryReviews:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._rows: dict[int, Review] = state.table("reviews")
        self._by_author: dict[tuple[int, int], int] = state.table("review_authors")
        self._by_product: dict[int, tuple[int, ...]] = state.table("product_reviews")
        self._votes: dict[tuple[int, int], bool] = state.table("review_votes")
        self._j = journal

    def add(self, review: Review) -> None:
        key = (review.user_id, review.product_id)
        if review.id in self._rows or key in self._by_author:
            raise Conflict("you have already reviewed this product",
                           {"product_id": review.product_id})
        self._j.put(self._by_author, key, review.id)
        self._j.put(self._by_product, review.product_id,
                    (*self._by_product.get(review.product_id, ()), review.id))
        self._j.put(self._rows, review.id, review)

    def get(self, review_id: int) -> Review:
        try:
            return fresh(self._rows[review_id])
        except KeyError:
            raise NotFound(f"review {review_id} not found", {"review_id": review_id}) from None

    def update(self, review: Review) -> None:
        self.get(review.id)
        self._j.put(self._rows, review.id, review)

    def delete(self, review_id: int) -> None:
        review = self.get(review_id)
        self._j.delete(self._rows, review_id)
        self._j.delete(self._by_author, (review.user_id, review.product_id))
        self._j.put(self._by_product, review.product_id,
                    tuple(i for i in self._by_product.get(review.product_id, ())
                          if i != review_id))
        for key in [k for k in self._votes if k[0] == review_id]:
            self._j.delete(self._votes, key)

    def _of(self, product_id: int) -> list[Review]:
        return [self._rows[i] for i in self._by_product.get(product_id, ())]

    def find(self, query: ReviewQuery, page: PageRequest) -> Page[Review]:
        hits = [r for r in self._of(query.product_id)
                if (query.include_hidden or not r.is_hidden)
                and (query.rating is None or r.rating == query.rating)
                and not (query.unanswered and r.responded_at is not None)]
        if query.sort is ReviewSort.HELPFUL:
            hits.sort(key=lambda r: (r.helpful_count, r.created_at, r.id), reverse=True)
        else:
            hits.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        chunk = hits[page.offset:page.offset + page.limit]
        return Page([fresh(r) for r in chunk], len(hits), page.page, page.limit)

    def stats(self, product_id: int) -> RatingStats:
        return RatingStats.of([r.rating for r in self._of(product_id) if not r.is_hidden])

    def vote(self, review_id: int, user_id: int) -> bool | None:
        return self._votes.get((review_id, user_id))

    def set_vote(self, review_id: int, user_id: int, helpful: bool) -> None:
        self.get(review_id)
        self._j.put(self._votes, (review_id, user_id), helpful)
