"""Reviews and helpful votes on MongoDB.

One review per author and product and one vote per voter and review (unique indexes).
A write that changes what a product's rating counts (a visible review added, removed,
re-rated, hidden or shown) moves the product's ``review_count`` and ``stars_total`` by
``$inc`` after the session commits (session.py); votes move a review's helpful counts the
same way, so concurrent writers never conflict on one document and the counts stay exact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from commerce_adapters.mongo.store import Doc, MongoStore
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
        # the session's view of star counts: the server's when first asked, moved by this
        # session's own staged reviews (whose server versions are in _base), so the change
        # a write makes is its own even while other sessions commit reviews meanwhile
        self._server_stars: dict[int, list[int]] = {}
        self._base: dict[int, Doc | None] = {}
        # each review as this session first read it: what the caller's changes are made
        # to, so the vote counts move by the caller's own difference
        self._read: dict[int, Doc] = {}

    def forget(self) -> None:
        self._server_stars.clear()
        self._base.clear()
        self._read.clear()

    def _staging(self, review_id: int, server: Doc | None) -> None:
        if not self._s.is_staged("reviews", review_id):
            self._base.setdefault(review_id, server)

    def _one(self, review_id: int) -> Doc:
        doc = self._s.doc("reviews", review_id)
        if doc is None:
            raise NotFound(f"review {review_id} not found", {"review_id": review_id})
        self._read.setdefault(review_id, doc)
        return doc

    def _recount(self, product_id: int, before: tuple[int, int], after: tuple[int, int]
                 ) -> None:
        self._s.increment("products", product_id, review_count=after[0] - before[0],
                          stars_total=after[1] - before[1])

    def add(self, review: Review) -> None:
        if self._s.query("reviews", {"$or": [
                {"_id": review.id},
                {"product_id": review.product_id, "user_id": review.user_id}]},
                lambda d: d["_id"] == review.id or (d["product_id"], d["user_id"]) == (
                    review.product_id, review.user_id), {"_id": 1}):
            raise Conflict("you have already reviewed this product",
                           {"product_id": review.product_id})
        doc = _doc(review)
        self._staging(review.id, None)
        self._s.stage("reviews", review.id, doc,
                      lambda store: store.db["reviews"].insert_one(doc))
        self._recount(review.product_id, (0, 0), _counted(doc))

    def get(self, review_id: int) -> Review:
        return _review(self._one(review_id))

    def update(self, review: Review) -> None:
        """Write the fields that changed; the vote counts move by their difference from
        the stored review, by $inc on commit."""
        old, new = self._one(review.id), _doc(review)
        changed = {k: v for k, v in new.items()
                   if k not in _VOTE_COUNTS and old.get(k) != v}
        if changed:
            self._staging(review.id, old)
            self._s.stage("reviews", review.id, {**old, **changed}, lambda store: store.db[
                "reviews"].update_one({"_id": review.id}, {"$set": changed}))
        read = self._read[review.id]
        self._s.increment("reviews", review.id,
                          **{k: new[k] - read[k] for k in _VOTE_COUNTS})
        self._read[review.id] = {**read, **{k: new[k] for k in _VOTE_COUNTS}}
        self._recount(review.product_id, _counted(old), _counted(new))

    def delete(self, review_id: int) -> None:
        gone = self._one(review_id)

        def write(store: MongoStore) -> None:
            store.db["reviews"].delete_one({"_id": review_id})
            store.db["review_votes"].delete_many({"review_id": review_id})
        self._staging(review_id, gone)
        self._s.stage("reviews", review_id, None, write)
        self._s.cleared_votes.add(review_id)
        for key, _ in self._s.staged_in("review_votes"):
            if isinstance(key, tuple) and key[0] == review_id:
                self._s.stage("review_votes", key, None, lambda store: None)
        self._recount(gone["product_id"], _counted(gone), (0, 0))

    def _matching(self, query: ReviewQuery) -> tuple[Doc, Callable[[Doc], bool]]:
        where: Doc = {"product_id": query.product_id}
        if not query.include_hidden:
            where["is_hidden"] = False
        if query.rating is not None:
            where["rating"] = query.rating
        if query.unanswered:
            where["responded_at"] = None

        def match(d: Doc) -> bool:
            return (d["product_id"] == query.product_id
                    and (query.include_hidden or not d["is_hidden"])
                    and (query.rating is None or d["rating"] == query.rating)
                    and not (query.unanswered and d.get("responded_at") is not None))
        return where, match

    def find(self, query: ReviewQuery, page: PageRequest) -> Page[Review]:
        where, match = self._matching(query)
        helpful = query.sort is ReviewSort.HELPFUL
        if self._s.staged_in("reviews"):  # this session's writes are seen: sort here
            docs = sorted(self._s.query("reviews", where, match), reverse=True, key=lambda d: (
                d["helpful_count"] if helpful else 0, d["created_at"], d["_id"]))
            chunk = docs[page.offset:page.offset + page.limit]
            return Page([_review(d) for d in chunk], len(docs), page.page, page.limit)
        sort = [*([("helpful_count", -1)] if helpful else []), ("created_at", -1), ("_id", -1)]
        coll = self._s.collection("reviews")

        def work() -> tuple[int, list[Doc]]:
            return coll.count_documents(where), list(coll.find(
                where, sort=sort, skip=page.offset, limit=page.limit))
        total, found = self._s.run(work)
        return Page([_review(d) for d in found], total, page.page, page.limit)

    def stats(self, product_id: int) -> RatingStats:
        if product_id not in self._server_stars:
            rows = self._s.run(lambda: list(self._s.collection("reviews").aggregate(
                [{"$match": {"product_id": product_id, "is_hidden": False}},
                 {"$group": {"_id": "$rating", "n": {"$sum": 1}}}])))
            stars = [0] * 5
            for r in rows:
                stars[int(r["_id"]) - 1] += int(r["n"])
            self._server_stars[product_id] = stars
        stars = list(self._server_stars[product_id])
        for doc, step in [*((d, -1) for d in self._base.values()),
                          *((d, 1) for _, d in self._s.staged_in("reviews"))]:
            if doc is not None and doc["product_id"] == product_id and not doc["is_hidden"]:
                stars[int(doc["rating"]) - 1] += step
        return RatingStats((stars[0], stars[1], stars[2], stars[3], stars[4]))

    def vote(self, review_id: int, user_id: int) -> bool | None:
        key = (review_id, user_id)
        if review_id in self._s.cleared_votes and not self._s.is_staged("review_votes", key):
            return None  # its review was deleted in this session
        doc = self._s.doc("review_votes", key, {"review_id": review_id, "user_id": user_id})
        return None if doc is None else bool(doc["helpful"])

    def set_vote(self, review_id: int, user_id: int, helpful: bool) -> None:
        self._one(review_id)
        doc = {"review_id": review_id, "user_id": user_id, "helpful": helpful}
        self._s.stage("review_votes", (review_id, user_id), doc, lambda store: store.db[
            "review_votes"].update_one({"review_id": review_id, "user_id": user_id},
                                       {"$set": {"helpful": helpful}}, upsert=True))
