"""The record of the events each consumer group has processed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository

_SEEN: sa.Select[Any] = sa.select(sa.literal_column("1")).select_from(t.processed_events).where(
    t.processed_events.c.consumer_group == sa.bindparam("group"),
    t.processed_events.c.event_id == sa.bindparam("event_id"))


class SqlProcessedEvents(SqlRepository):
    def add(self, group: str, event_id: str, at: datetime) -> bool:
        # a concurrent twin waits on the key, then finds it taken: one of them wins
        return self.insert_ignore(t.processed_events, {
            "consumer_group": group, "event_id": event_id, "processed_at": at})

    def seen(self, group: str, event_id: str) -> bool:
        return self.execute(_SEEN, {"group": group, "event_id": event_id}).first() is not None
