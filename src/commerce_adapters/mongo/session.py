"""The catalog session on MongoDB: one multi-document transaction per writing session.

Rollback and read-your-writes come from the server's transaction (MongoDB needs a replica
set for them; one node will do). Counters that many writers move at once (a product's
review count and star total, a review's helpful votes) are not written inside it: two
transactions writing one document conflict, and one of them would fail. They are
``$inc``-ed after the commit, each in one single-document write, so concurrent writers add
up exactly; a marker committed with the transaction names them, so a crash between the
commit and the increments is repaired by recounting (:func:`repair_counts`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import attrs
from bson.decimal128 import Decimal128
from pymongo import ReadPreference, ReturnDocument
from pymongo.client_session import ClientSession
from pymongo.collection import Collection

from commerce_adapters.mongo.store import Doc, MongoStore, translated
from commerce_core.reviews.model import average

# variant ids -> those with available stock: asked of the transactional store
StockLookup = Callable[[list[int]], set[int]]


@attrs.frozen
class Increment:
    collection: str
    id: int
    inc: dict[str, int]


class MongoCatalogSession:
    def __init__(self, store: MongoStore, stocked: StockLookup, now: Callable[[], datetime],
                 read_only: bool = False, replica: bool = False) -> None:
        from commerce_adapters.mongo.catalog import MongoCategories, MongoProducts  # noqa: PLC0415
        from commerce_adapters.mongo.reviews import MongoReviews  # noqa: PLC0415

        self.store, self.read_only, self._replica = store, read_only, replica
        self._now = now
        self.session: ClientSession | None = None
        self.versions: dict[int, int] = {}  # product id -> version this session read
        self._increments: list[Increment] = []
        self.products = MongoProducts(self, stocked)
        self.categories = MongoCategories(self)
        self.reviews = MongoReviews(self)

    def collection(self, name: str) -> Collection[Doc]:
        coll = self.store.db[name]
        if self._replica:  # browsing may be served by a secondary, as SQL replicas serve it
            return coll.with_options(read_preference=ReadPreference.SECONDARY_PREFERRED)
        return coll

    def run(self, work: Callable[[], Any]) -> Any:
        with translated(self.store.url):
            return work()

    def increment(self, collection: str, doc_id: int, **inc: int) -> None:
        """Add ``inc`` to the document's counters once this session commits."""
        if any(inc.values()):
            self._increments.append(Increment(collection, doc_id, inc))

    def __enter__(self) -> Self:
        self.store.ensure_indexes()
        if not self.read_only:
            with translated(self.store.url):
                self.session = self.store.client.start_session()
                self.session.start_transaction()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        session, self.session = self.session, None
        self._increments.clear()
        self.versions.clear()
        if session is None:
            return
        with translated(self.store.url):
            try:
                if session.in_transaction:
                    session.abort_transaction()
            finally:
                session.end_session()

    def commit(self) -> None:
        if self.session is None:
            return
        increments, self._increments = self._increments, []
        with translated(self.store.url):
            marker = None
            if increments:
                marker = self.collection("pending_counts").insert_one(
                    {"at": self._now(), "changes": [attrs.asdict(i) for i in increments]},
                    session=self.session).inserted_id
            self.session.commit_transaction()
            apply_increments(self.store, increments)
            if marker is not None:
                self.collection("pending_counts").delete_one({"_id": marker})
            self.versions.clear()
            self.session.start_transaction()  # writes after a commit are a new transaction


def apply_increments(store: MongoStore, increments: Iterable[Increment]) -> None:
    for i in increments:
        coll = store.db[i.collection]
        after = coll.find_one_and_update({"_id": i.id}, {"$inc": i.inc},
                                         return_document=ReturnDocument.AFTER)
        if after is not None and i.collection == "products":
            _rerate(coll, after)


def _rerate(products: Collection[Doc], doc: Doc) -> None:
    """Set the rating the counters give, unless another writer moved them meanwhile (its
    own rerating then sets the rating of the later counters)."""
    count, total = int(doc.get("review_count", 0)), int(doc.get("stars_total", 0))
    rating = average(total, count)
    products.update_one({"_id": doc["_id"], "review_count": count, "stars_total": total},
                        {"$set": {"rating": None if rating is None else Decimal128(rating)}})


def repair_counts(store: MongoStore, before: datetime) -> int:
    """Recount the counters named by markers older than ``before`` (a crash came between
    a commit and its increments): a product's visible reviews, a review's votes. How many
    documents were recounted."""
    done = 0
    with translated(store.url):
        for marker in store.db["pending_counts"].find({"at": {"$lt": before}}):
            for change in marker["changes"]:
                (recount_product if change["collection"] == "products"
                 else recount_votes)(store, change["id"])
                done += 1
            store.db["pending_counts"].delete_one({"_id": marker["_id"]})
    return done


def recount_product(store: MongoStore, product_id: int) -> None:
    rows = store.db["reviews"].aggregate([
        {"$match": {"product_id": product_id, "is_hidden": False}},
        {"$group": {"_id": None, "n": {"$sum": 1}, "total": {"$sum": "$rating"}}}])
    found = next(iter(rows), {"n": 0, "total": 0})
    count, total = int(found["n"]), int(found["total"])
    rating = average(total, count)
    store.db["products"].update_one({"_id": product_id}, {"$set": {
        "review_count": count, "stars_total": total,
        "rating": None if rating is None else Decimal128(rating)}})


def recount_votes(store: MongoStore, review_id: int) -> None:
    votes = store.db["review_votes"]
    helpful = votes.count_documents({"review_id": review_id, "helpful": True})
    unhelpful = votes.count_documents({"review_id": review_id, "helpful": False})
    store.db["reviews"].update_one({"_id": review_id}, {"$set": {
        "helpful_count": helpful, "unhelpful_count": unhelpful}})
