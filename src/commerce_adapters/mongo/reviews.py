"""Reviews and helpful votes on MongoDB.

One review per author and product and one vote per voter and review (unique indexes).
A write that changes what a product's rating counts (a visible review added, removed,
re-rated, hidden or shown) moves the product's ``review_count`` and ``stars_total`` by
``$inc`` after the session commits (session.py); votes move a review's helpful counts the
same way, so concurrent writers never conflict on one document and the counts stay exact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commerce_adapters.mongo.store import Doc
from commerce_core.errors import Conflict, NotFound
from commerce_core.pagination import Page, PageRequest
from commerce_core.reviews.model import RatingStats, Review, ReviewSort
from commerce_core.reviews.ports import ReviewQuery

if TYPE_CHECKING:
    from commerce_adapters.mongo.session import MongoCatalogSession

_VOTE_COUNTS = ("helpful_count", "unhelpful_count")


def _doc(r: Review) -> Doc:
    return {"_id": r.id, "product_id": r.product_id, "seller_id": r.seller_id,
            "user_id": r.user_id, "rating": r.rating, "title": r.title, "comment": r.comment,
            "images": list(r.images), "author_name": r.author_name,
            "verified_purchase": r.verified_purchase, "helpful_count": r.helpful_count,
            "unhelpful_count": r.unhelpful_count, "is_hidden": r.is_hidden,
            "hidden_reason": r.hidden_reason, "response": r.response,
            "responded_at": r.responded_at, "created_at": r.created_at,
            "updated_at": r.updated_at}


def _review(d: Doc) -> Review:
    return Review(d["_id"], d["product_id"], d["seller_id"], d["user_id"], d["rating"],
                  d["title"], d["comment"], d["created_at"], d["updated_at"], list(d["images"]),
                  d["author_name"], d["verified_purchase"], d["helpful_count"],
                  d["unhelpful_count"], d["is_hidden"], d["hidden_reason"], d["response"],
                  d.get("responded_at"))


def _counted(d: Doc) -> tuple[int, int]:
    """What the review adds to its product's (review count, star total)."""
    return (0, 0) if d["is_hidden"] else (1, int(d["rating"]))


class MongoReviews:
    def __init__(self, session: MongoCatalogSession) -> None:
        self._s = session

    def _c(self, name: str = "reviews") -> Any:
        return self._s.collection(name)

    def _one(self, review_id: int) -> Doc:
        doc: Doc | None = self._s.run(lambda: self._c().find_one({"_id": review_id},
                                                                 session=self._s.session))
        if doc is None:
            raise NotFound(f"review {review_id} not found", {"review_id": review_id})
        return doc

    def _recount(self, product_id: int, before: tuple[int, int], after: tuple[int, int]
                 ) -> None:
        self._s.increment("products", product_id, review_count=after[0] - before[0],
                          stars_total=after[1] - before[1])

    def add(self, review: Review) -> None:
        taken = self._s.run(lambda: self._c().find_one(
            {"$or": [{"_id": review.id}, {"product_id": review.product_id,
                                          "user_id": review.user_id}]}, {"_id": 1},
            session=self._s.session))
        if taken is not None:  # checked first: a failed insert would abort the transaction
            raise Conflict("you have already reviewed this product",
                           {"product_id": review.product_id})
        doc = _doc(review)
        self._s.run(lambda: self._c().insert_one(doc, session=self._s.session))
        self._recount(review.product_id, (0, 0), _counted(doc))

    def get(self, review_id: int) -> Review:
        return _review(self._one(review_id))

    def update(self, review: Review) -> None:
        """Write the fields that changed; the vote counts move by their difference from
        the stored review, after the commit."""
        old, new = self._one(review.id), _doc(review)
        changed = {k: v for k, v in new.items()
                   if k not in _VOTE_COUNTS and old.get(k) != v}
        if changed:
            self._s.run(lambda: self._c().update_one({"_id": review.id}, {"$set": changed},
                                                     session=self._s.session))
        self._s.increment("reviews", review.id,
                          **{k: new[k] - old[k] for k in _VOTE_COUNTS})
        self._recount(review.product_id, _counted(old), _counted(new))

    def delete(self, review_id: int) -> None:
        def work() -> Doc | None:
            gone: Doc | None = self._c().find_one_and_delete({"_id": review_id},
                                                             session=self._s.session)
            if gone is not None:
                self._c("review_votes").delete_many({"review_id": review_id},
                                                    session=self._s.session)
            return gone
        gone = self._s.run(work)
        if gone is None:
            raise NotFound(f"review {review_id} not found", {"review_id": review_id})
        self._recount(gone["product_id"], _counted(gone), (0, 0))

    def find(self, query: ReviewQuery, page: PageRequest) -> Page[Review]:
        where: Doc = {"product_id": query.product_id}
        if not query.include_hidden:
            where["is_hidden"] = False
        if query.rating is not None:
            where["rating"] = query.rating
        if query.unanswered:
            where["responded_at"] = None
        order = ([("helpful_count", -1)] if query.sort is ReviewSort.HELPFUL else [])
        sort = [*order, ("created_at", -1), ("_id", -1)]

        def work() -> tuple[int, list[Doc]]:
            total = self._c().count_documents(where, session=self._s.session)
            docs = list(self._c().find(where, sort=sort, skip=page.offset, limit=page.limit,
                                       session=self._s.session))
            return total, docs
        total, docs = self._s.run(work)
        return Page([_review(d) for d in docs], total, page.page, page.limit)

    def stats(self, product_id: int) -> RatingStats:
        rows = self._s.run(lambda: list(self._c().aggregate(
            [{"$match": {"product_id": product_id, "is_hidden": False}},
             {"$group": {"_id": "$rating", "n": {"$sum": 1}}}], session=self._s.session)))
        counts = dict.fromkeys(range(1, 6), 0) | {int(r["_id"]): int(r["n"]) for r in rows}
        one, two, three, four, five = (counts[s] for s in range(1, 6))
        return RatingStats((one, two, three, four, five))

    def vote(self, review_id: int, user_id: int) -> bool | None:
        doc = self._s.run(lambda: self._c("review_votes").find_one(
            {"review_id": review_id, "user_id": user_id}, session=self._s.session))
        return None if doc is None else bool(doc["helpful"])

    def set_vote(self, review_id: int, user_id: int, helpful: bool) -> None:
        self._one(review_id)
        self._s.run(lambda: self._c("review_votes").update_one(
            {"review_id": review_id, "user_id": user_id}, {"$set": {"helpful": helpful}},
            upsert=True, session=self._s.session))
