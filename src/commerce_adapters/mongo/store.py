"""The MongoDB catalog store: client, database, indexes, and driver errors as core errors.

The database is the URL's path (``mongodb://host/shop``), ``commerce`` when it has none.
Indexes are created on first use (and by ``commerce db upgrade``); creating one that exists
is a no-op on the server, so every process may do it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pymongo
from bson.codec_options import CodecOptions
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    DuplicateKeyError,
    PyMongoError,
)

from commerce_adapters.urls import shown
from commerce_core.errors import Conflict, TransientError, Unavailable

DEFAULT_DATABASE = "commerce"
ACTIVITY_TTL = timedelta(days=90)
Doc = dict[str, Any]

# name -> the indexes a collection needs (the unique ones are what the contracts rely on)
INDEXES: dict[str, list[IndexModel]] = {
    "products": [
        IndexModel([("variants.sku", ASCENDING)], unique=True, name="unique_sku"),
        IndexModel([("variants.id", ASCENDING)], unique=True, name="unique_variant"),
        IndexModel([("category_id", ASCENDING), ("_id", DESCENDING)], name="category"),
        IndexModel([("seller_id", ASCENDING), ("_id", DESCENDING)], name="seller"),
        IndexModel([("created_at", DESCENDING)], name="created"),
        IndexModel([("is_active", ASCENDING), ("min_price", ASCENDING), ("_id", DESCENDING)],
                   name="price"),
        IndexModel([("is_active", ASCENDING), ("rating", DESCENDING), ("_id", DESCENDING)],
                   name="rating"),
    ],
    "categories": [
        IndexModel([("name_key", ASCENDING)], unique=True, name="unique_name"),
        IndexModel([("parent_id", ASCENDING)], name="parent"),
    ],
    "reviews": [
        IndexModel([("product_id", ASCENDING), ("user_id", ASCENDING)], unique=True,
                   name="one_per_author"),
        IndexModel([("product_id", ASCENDING), ("is_hidden", ASCENDING),
                    ("helpful_count", DESCENDING), ("created_at", DESCENDING)],
                   name="listing"),
    ],
    "review_votes": [
        IndexModel([("review_id", ASCENDING), ("user_id", ASCENDING)], unique=True,
                   name="one_per_voter"),
    ],
    # counter changes committed but maybe not applied yet (see session.py)
    "pending_counts": [IndexModel([("at", ASCENDING)], name="age")],
    # a user's activity expires ACTIVITY_TTL after its last record (the server's time)
    "activity": [IndexModel([("touched_at", ASCENDING)], name="ttl",
                            expireAfterSeconds=int(ACTIVITY_TTL.total_seconds())),
                 # popular searches: an anchored prefix of a query, over every user
                 IndexModel([("searches.query", ASCENDING)], name="searched")],
}


def database_name(url: str) -> str:
    return urlsplit(url).path.strip("/") or DEFAULT_DATABASE


@contextlib.contextmanager
def translated(url: str) -> Iterator[None]:
    """pymongo's errors as core errors: a duplicate key is a Conflict; a dropped connection
    is transient; any other server failure means the store cannot answer now."""
    try:
        yield
    except DuplicateKeyError as ex:
        raise Conflict("that value is already used", {"key": str(ex.details or "")[:200]}
                       ) from ex
    except (AutoReconnect, ConnectionFailure) as ex:
        raise TransientError(f"the catalog store {shown(url)} did not answer: {ex}") from ex
    except PyMongoError as ex:
        raise Unavailable(f"the catalog store {shown(url)} failed: {ex}") from ex


class MongoStore:
    """One client per URL (pymongo pools connections and is thread-safe)."""

    def __init__(self, url: str, timeout_ms: int = 10_000) -> None:
        self.url = url
        given = {k.lower() for k, _ in parse_qsl(urlsplit(url).query)}
        timeouts: dict[str, Any] = {  # the URL's own settings win
            k: timeout_ms for k in ("serverSelectionTimeoutMS", "connectTimeoutMS")
            if k.lower() not in given}
        self.client: pymongo.MongoClient[Doc] = pymongo.MongoClient(
            url, tz_aware=True, tzinfo=UTC, **timeouts)
        self.db: Database[Doc] = self.client.get_database(
            database_name(url), codec_options=CodecOptions(tz_aware=True, tzinfo=UTC))
        self._indexed = False
        self._lock = threading.Lock()

    def ensure_indexes(self) -> None:
        """Create every index once per process (first use)."""
        if self._indexed:
            return
        with self._lock:
            if not self._indexed:
                create_indexes(self.db, self.url)
                self._indexed = True

    def close(self) -> None:
        self.client.close()


def create_indexes(db: Database[Doc], url: str) -> list[str]:
    """Every index of INDEXES (idempotent); the names made or found."""
    made: list[str] = []
    with translated(url):
        for collection, indexes in INDEXES.items():
            made += db[collection].create_indexes(indexes)
    return made


def missing_indexes(db: Database[Doc], url: str) -> list[str]:
    """``collection.index`` of each index of INDEXES the database lacks."""
    with translated(url):
        db.command("ping")
        missing: list[str] = []
        for collection, indexes in INDEXES.items():
            have = set(db[collection].index_information())
            missing += [f"{collection}.{i.document['name']}" for i in indexes
                        if i.document["name"] not in have]
    return missing


def upgrade(url: str) -> list[str]:
    """``commerce db upgrade`` for the catalog store: every index, made where missing."""
    store = MongoStore(url)
    try:
        return create_indexes(store.db, url)
    finally:
        store.close()


def check(url: str, timeout_ms: int = 5_000) -> list[str]:
    """``commerce doctor``: reach the server (Unavailable if not) and list missing indexes."""
    store = MongoStore(url, timeout_ms)
    try:
        return missing_indexes(store.db, url)
    finally:
        store.close()
