"""Reviews and helpful votes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.errors import Conflict, NotFound
from commerce_core.pagination import Page, PageRequest
from commerce_core.reviews.model import RatingStats, Review, ReviewSort
from commerce_core.reviews.ports import ReviewQuery

rv = t.reviews


def _review_row(r: Review) -> dict[str, Any]:
    return {"id": r.id, "product_id": r.product_id, "seller_id": r.seller_id,
            "user_id": r.user_id, "rating": r.rating, "title": r.title, "comment": r.comment,
            "images": list(r.images), "author_name": r.author_name,
            "verified_purchase": r.verified_purchase, "helpful_count": r.helpful_count,
            "unhelpful_count": r.unhelpful_count, "is_hidden": r.is_hidden,
            "hidden_reason": r.hidden_reason, "response": r.response,
            "responded_at": r.responded_at, "created_at": r.created_at,
            "updated_at": r.updated_at}


def _review(r: Any) -> Review:
    return Review(r.id, r.product_id, r.seller_id, r.user_id, r.rating, r.title, r.comment,
                  r.created_at, r.updated_at, list(r.images), r.author_name,
                  r.verified_purchase, r.helpful_count, r.unhelpful_count, r.is_hidden,
                  r.hidden_reason, r.response, r.responded_at)


class SqlReviews(SqlRepository):
    def add(self, review: Review) -> None:
        taken = self.execute(sa.select(rv.c.id).where(sa.or_(
            rv.c.id == review.id, sa.and_(rv.c.user_id == review.user_id,
                                          rv.c.product_id == review.product_id)))).first()
        if taken is not None:
            raise Conflict("you have already reviewed this product",
                           {"product_id": review.product_id})
        self.execute(rv.insert(), _review_row(review))

    def get(self, review_id: int) -> Review:
        row = self.one(sa.select(rv).where(rv.c.id == review_id))
        if row is None:
            raise NotFound(f"review {review_id} not found", {"review_id": review_id})
        return _review(row)

    def update(self, review: Review) -> None:
        if not self.execute(rv.update().where(rv.c.id == review.id)
                            .values(_review_row(review))).rowcount:
            raise NotFound(f"review {review.id} not found", {"review_id": review.id})

    def delete(self, review_id: int) -> None:
        if not self.execute(rv.delete().where(rv.c.id == review_id)).rowcount:
            raise NotFound(f"review {review_id} not found", {"review_id": review_id})
        # votes go with it (ON DELETE CASCADE), also on SQLite: foreign keys are on

    def find(self, query: ReviewQuery, page: PageRequest) -> Page[Review]:
        stmt = sa.select(rv).where(rv.c.product_id == query.product_id)
        if not query.include_hidden:
            stmt = stmt.where(rv.c.is_hidden.is_(False))
        if query.rating is not None:
            stmt = stmt.where(rv.c.rating == query.rating)
        if query.unanswered:
            stmt = stmt.where(rv.c.responded_at.is_(None))
        order = ([rv.c.helpful_count.desc()] if query.sort is ReviewSort.HELPFUL else [])
        stmt = stmt.order_by(*order, rv.c.created_at.desc(), rv.c.id.desc())
        return self.page(stmt, page, lambda rows: [_review(r) for r in rows])

    def stats(self, product_id: int) -> RatingStats:
        rows = self.rows(sa.select(rv.c.rating, sa.func.count().label("n")).where(
            rv.c.product_id == product_id, rv.c.is_hidden.is_(False)).group_by(rv.c.rating))
        counts = dict.fromkeys(range(1, 6), 0) | {int(r.rating): int(r.n) for r in rows}
        one, two, three, four, five = (counts[s] for s in range(1, 6))
        return RatingStats((one, two, three, four, five))

    def vote(self, review_id: int, user_id: int) -> bool | None:
        v = t.review_votes
        row = self.execute(sa.select(v.c.helpful).where(
            v.c.review_id == review_id, v.c.user_id == user_id)).first()
        return None if row is None else bool(row.helpful)

    def set_vote(self, review_id: int, user_id: int, helpful: bool) -> None:
        v = t.review_votes
        if not self.execute(v.update().where(v.c.review_id == review_id,
                                             v.c.user_id == user_id)
                            .values(helpful=helpful)).rowcount:
            self.execute(v.insert(), {"review_id": review_id, "user_id": user_id,
                                      "helpful": helpful})
