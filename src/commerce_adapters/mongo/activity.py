"""Recent views and searches on MongoDB: one document per user, each list bounded with
``$push`` + ``$slice``; the document expires ``ACTIVITY_TTL`` after its last record (a
TTL index on the server's own time of that record)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from commerce_adapters.mongo.store import Doc, MongoStore, translated
from commerce_core.activity.ports import MAX_ENTRIES, Searched, Viewed


class MongoActivityStore:
    def __init__(self, store: MongoStore, max_entries: int = MAX_ENTRIES) -> None:
        self._store = store
        self._max = max_entries

    @property
    def _c(self) -> Any:
        self._store.ensure_indexes()
        return self._store.db["activity"]

    def _record(self, user_id: int, field: str, key: str, value: object, at: datetime
                ) -> None:
        # $pull then $push: MongoDB refuses both on one field in one update. Two concurrent
        # records of one entry may both land; reads keep its newest copy only.
        with translated(self._store.url):
            self._c.update_one({"_id": user_id}, {"$pull": {field: {key: value}}})
            self._c.update_one({"_id": user_id}, {
                "$push": {field: {"$each": [{key: value, "at": at}], "$position": 0,
                                  "$slice": self._max}},
                "$currentDate": {"touched_at": True}}, upsert=True)

    def record_view(self, user_id: int, product_id: int, at: datetime) -> None:
        self._record(user_id, "views", "product_id", product_id, at)

    def record_search(self, user_id: int, query: str, at: datetime) -> None:
        self._record(user_id, "searches", "query", query, at)

    def _recent(self, user_id: int, field: str, key: str, limit: int) -> list[Doc]:
        with translated(self._store.url):
            doc = self._c.find_one({"_id": user_id}, {field: 1})
        seen: set[object] = set()
        entries: list[Doc] = []
        for entry in (doc or {}).get(field, []):
            if entry[key] not in seen:
                seen.add(entry[key])
                entries.append(entry)
        return entries[:limit]

    def recent_views(self, user_id: int, limit: int) -> Sequence[Viewed]:
        return [Viewed(e["product_id"], e["at"])
                for e in self._recent(user_id, "views", "product_id", limit)]

    def recent_searches(self, user_id: int, limit: int) -> Sequence[Searched]:
        return [Searched(e["query"], e["at"])
                for e in self._recent(user_id, "searches", "query", limit)]

    def popular_searches(self, prefix: str, limit: int) -> Sequence[str]:
        """Queries starting with ``prefix`` among every user's recent searches, by how many
        users have them (a query a user has twice counts once), then alphabetically."""
        starts = {"$regex": f"^{re.escape(prefix)}"}  # anchored: the index serves it
        with translated(self._store.url):
            found = self._c.aggregate([
                {"$match": {"searches.query": starts}},
                {"$unwind": "$searches"},
                {"$match": {"searches.query": starts}},
                {"$group": {"_id": {"user": "$_id", "query": "$searches.query"}}},
                {"$group": {"_id": "$_id.query", "users": {"$sum": 1}}},
                {"$sort": {"users": -1, "_id": 1}},
                {"$limit": limit}])
            return [doc["_id"] for doc in found]

    def forget(self, user_id: int) -> None:
        with translated(self._store.url):
            self._c.delete_one({"_id": user_id})
