"""The outbox of committed events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.bus.envelope import aggregate_of
from commerce_core.events import event_from_dict
from commerce_core.uow import OutboxEntry


class SqlOutbox(SqlRepository):
    def add_many(self, entries: Sequence[OutboxEntry]) -> None:
        if entries:
            self.insert(t.outbox, [
                {"id": e.id, "name": e.event.name, "event": e.event.to_dict(),
                 "created_at": e.created_at, "published_at": e.published_at}
                for e in entries])

    def pending(self, limit: int, before: datetime | None = None) -> Sequence[OutboxEntry]:
        o = t.outbox
        stmt = sa.select(o).where(o.c.published_at.is_(None))
        if before is not None:
            stmt = stmt.where(o.c.created_at < before)
        return self._entries(self.rows(stmt.order_by(o.c.id).limit(limit)))

    def claim(self, limit: int, before: datetime | None = None) -> Sequence[OutboxEntry]:
        """Pending entries locked for this transaction, oldest first. PostgreSQL: rows
        another relay holds are skipped (SKIP LOCKED), and so is every entry of an aggregate
        whose older entry another relay holds, so no relay overtakes another on one
        aggregate. SQLite: the writing transaction holds the database's write lock from its
        BEGIN, so relays take turns."""
        o = t.outbox
        stmt = sa.select(o).where(o.c.published_at.is_(None))
        if before is not None:
            stmt = stmt.where(o.c.created_at < before)
        stmt = stmt.order_by(o.c.id).limit(limit)
        if self.dialect != "postgresql":
            return self._entries(self.rows(stmt))
        claimed = self._entries(self.rows(stmt.with_for_update(skip_locked=True)))
        if not claimed:
            return claimed
        ids = [e.id for e in claimed]
        held = sa.select(o.c.event).where(o.c.published_at.is_(None), o.c.id < max(ids),
                                          o.c.id.not_in(ids))
        busy = {aggregate_of(event_from_dict(r.event)) for r in self.rows(held)}
        return [e for e in claimed if aggregate_of(e.event) not in busy]

    @staticmethod
    def _entries(rows: Sequence[Any]) -> list[OutboxEntry]:
        return [OutboxEntry(r.id, event_from_dict(r.event), r.created_at, r.published_at)
                for r in rows]

    def mark_published(self, entry_ids: Sequence[int], now: datetime) -> None:
        if entry_ids:
            self.execute(_MARK_PUBLISHED, {"ids": list(entry_ids), "now": now})


_MARK_PUBLISHED = (t.outbox.update().where(
    t.outbox.c.id.in_(sa.bindparam("ids", expanding=True)), t.outbox.c.published_at.is_(None))
    .values(published_at=sa.bindparam("now", type_=t.outbox.c.published_at.type)))
