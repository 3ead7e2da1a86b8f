"""The outbox of committed events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
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
        rows = self.rows(stmt.order_by(o.c.id).limit(limit))
        return [OutboxEntry(r.id, event_from_dict(r.event), r.created_at, r.published_at)
                for r in rows]

    def mark_published(self, entry_ids: Sequence[int], now: datetime) -> None:
        if entry_ids:
            self.c.execute(_MARK_PUBLISHED, {"ids": list(entry_ids), "now": now})


_MARK_PUBLISHED = (t.outbox.update().where(
    t.outbox.c.id.in_(sa.bindparam("ids", expanding=True)), t.outbox.c.published_at.is_(None))
    .values(published_at=sa.bindparam("now", type_=t.outbox.c.published_at.type)))
