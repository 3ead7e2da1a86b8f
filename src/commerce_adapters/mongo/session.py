"""The catalog session on MongoDB: writes are staged in the session and applied when it
commits, each as one single-document write; leaving without a commit discards them.

No multi-document transaction is used: they need a replica set, and two of them writing
one document conflict, so concurrent review writers on one product would fail each other.
Reads within the session see its own staged writes (an overlay on what the server holds).
Counters that many writers move at once (a product's review count and star total, a
review's helpful votes) are ``$inc``-ed after the staged writes, so concurrent writers add
up exactly. A marker written first names them: a crash part-way through a commit leaves
it behind, and :func:`repair_counts` recounts what it names from the reviews and votes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import attrs
from bson.decimal128 import Decimal128
from pymongo import ReadPreference, ReturnDocument
from pymongo.collection import Collection

from commerce_adapters.mongo.catalog import MongoCategories, MongoProducts
from commerce_adapters.mongo.reviews import MongoReviews
from commerce_adapters.mongo.store import Doc, MongoStore, translated
from commerce_core.errors import Conflict
from commerce_core.reviews.model import average

# variant ids -> those with available stock: asked of the transactional store
StockLookup = Callable[[list[int]], set[int]]
Write = Callable[[MongoStore], object]  # one staged single-document write


@attrs.frozen
class Increment:
    collection: str
    id: int
    inc: dict[str, int]


class MongoCatalogSession:
    def __init__(self, store: MongoStore, stocked: StockLookup, now: Callable[[], datetime],
                 read_only: bool = False, replica: bool = False) -> None:
        self.store, self.read_only, self._replica = store, read_only, replica
        self._now = now
        self._staged: dict[tuple[str, Hashable], Doc | None] = {}  # None: deleted
        self._writes: list[Write] = []
        self._increments: list[Increment] = []
        self.cleared_votes: set[int] = set()  # reviews whose votes this session deleted
        self.products = MongoProducts(self, stocked)
        self.categories = MongoCategories(self)
        self.reviews = MongoReviews(self)

    # reading --------------------------------------------------------------------------
    def collection(self, name: str) -> Collection[Doc]:
        coll = self.store.db[name]
        if self._replica:  # browsing may be served by a secondary, as SQL replicas serve it
            return coll.with_options(read_preference=ReadPreference.SECONDARY_PREFERRED)
        return coll

    def run(self, work: Callable[[], Any]) -> Any:
        with translated(self.store.url):
            return work()

    def doc(self, name: str, key: Hashable, where: Doc | None = None) -> Doc | None:
        """The document ``key`` names as this session sees it (``where`` finds it on the
        server; by default ``{"_id": key}``)."""
        if (name, key) in self._staged:
            return copy.deepcopy(self._staged[name, key])
        found: Doc | None = self.run(lambda: self.collection(name).find_one(
            where if where is not None else {"_id": key}))
        return found

    def is_staged(self, name: str, key: Hashable) -> bool:
        return (name, key) in self._staged

    def staged_in(self, name: str) -> list[tuple[Hashable, Doc | None]]:
        return [(k, d) for (n, k), d in self._staged.items() if n == name]

    def query(self, name: str, where: Doc, match: Callable[[Doc], bool],
              projection: Doc | None = None, key: Callable[[Doc], Hashable] | None = None
              ) -> list[Doc]:
        """Every document matching ``where`` on the server, overlaid with this session's
        staged writes (``match`` is ``where`` for a staged document)."""
        key = key or (lambda d: d["_id"])
        staged = self.staged_in(name)
        docs: list[Doc] = self.run(lambda: list(self.collection(name).find(where, projection)))
        if not staged:
            return docs
        touched = {k for k, _ in staged}
        return ([d for d in docs if key(d) not in touched]
                + [copy.deepcopy(d) for _, d in staged if d is not None and match(d)])

    # writing --------------------------------------------------------------------------
    def stage(self, name: str, key: Hashable, doc: Doc | None, write: Write) -> None:
        """Record a write: seen by this session at once, sent to the server on commit."""
        if self.read_only:
            raise Conflict("a read-only catalog session cannot write")
        self._staged[name, key] = copy.deepcopy(doc)
        self._writes.append(write)

    def increment(self, collection: str, doc_id: int, **inc: int) -> None:
        """Add ``inc`` to the document's counters once this session commits."""
        if any(inc.values()):
            self._increments.append(Increment(collection, doc_id, inc))

    def increments_pending(self, collection: str, doc_id: int) -> bool:
        return any(i.collection == collection and i.id == doc_id for i in self._increments)

    def __enter__(self) -> Self:
        self.store.ensure_indexes()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._discard()

    def _discard(self) -> None:
        self._staged.clear()
        self._writes.clear()
        self._increments.clear()
        self.cleared_votes.clear()
        self.reviews.forget()

    def commit(self) -> None:
        writes, increments = list(self._writes), list(self._increments)
        self._discard()
        if not writes and not increments:
            return
        with translated(self.store.url):
            markers = self.store.db["pending_counts"]
            marker = None
            if increments:
                marker = markers.insert_one({"at": self._now(), "changes": [
                    attrs.asdict(i) for i in increments]}).inserted_id
            for write in writes:
                write(self.store)
            apply_increments(self.store, increments)
            if marker is not None:
                markers.delete_one({"_id": marker})


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
    """Recount the counters named by markers older than ``before`` (a commit cut short
    between its writes and its increments): a product's visible reviews, a review's votes.
    How many documents were recounted."""
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
