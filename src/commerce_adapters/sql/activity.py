"""The activity store on the database, outside any unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.database import Database, SqlStore
from commerce_core.activity.ports import MAX_ENTRIES, Searched, Viewed


def _upsert(dialect: str, table: sa.Table, values: dict[str, Any], keys: list[str],
            update: dict[str, Any]) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table).values(**values).on_conflict_do_update(
            index_elements=keys, set_=update)
    return sqlite.insert(table).values(**values).on_conflict_do_update(
        index_elements=keys, set_=update)


_TICK = timedelta(microseconds=1)  # two records in one clock tick keep the order of the calls


class SqlActivityStore(SqlStore):
    def __init__(self, db: Database, max_entries: int = MAX_ENTRIES) -> None:
        super().__init__(db)
        self._max = max_entries

    def _record(self, user_id: int, kind: str, subject: str, at: datetime) -> None:
        a = t.user_activity

        def work(conn: sa.Connection) -> None:
            latest = conn.execute(sa.select(sa.func.max(a.c.at)).where(
                a.c.user_id == user_id, a.c.kind == kind)).scalar_one()
            stamp = at if latest is None or at > latest else latest + _TICK  # order of calls
            conn.execute(_upsert(self._db.dialect, a, {"user_id": user_id, "kind": kind,
                                                       "subject": subject, "at": stamp},
                                 ["user_id", "kind", "subject"], {"at": stamp}))
            keep = (sa.select(a.c.subject).where(a.c.user_id == user_id, a.c.kind == kind)
                    .order_by(a.c.at.desc(), a.c.subject.desc()).limit(self._max))
            conn.execute(a.delete().where(a.c.user_id == user_id, a.c.kind == kind,
                                          a.c.subject.not_in(keep.scalar_subquery())))
        self._run(work)

    def record_view(self, user_id: int, product_id: int, at: datetime) -> None:
        self._record(user_id, "view", str(product_id), at)

    def record_search(self, user_id: int, query: str, at: datetime) -> None:
        self._record(user_id, "search", query, at)

    def _recent(self, user_id: int, kind: str, limit: int) -> list[Any]:
        a = t.user_activity
        return self._run(lambda conn: conn.execute(  # type: ignore[no-any-return]
            sa.select(a.c.subject, a.c.at).where(a.c.user_id == user_id, a.c.kind == kind)
            .order_by(a.c.at.desc(), a.c.subject.desc()).limit(limit)).all())

    def recent_views(self, user_id: int, limit: int) -> Sequence[Viewed]:
        return [Viewed(int(r.subject), r.at) for r in self._recent(user_id, "view", limit)]

    def recent_searches(self, user_id: int, limit: int) -> Sequence[Searched]:
        return [Searched(r.subject, r.at) for r in self._recent(user_id, "search", limit)]

    def forget(self, user_id: int) -> None:
        a = t.user_activity
        self._run(lambda conn: conn.execute(a.delete().where(a.c.user_id == user_id)))

    def popular_searches(self, prefix: str, limit: int) -> Sequence[str]:
        """Queries starting with ``prefix`` among every user's recent searches, by how many
        users have them, then alphabetically."""
        a = t.user_activity
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        users = sa.func.count().label("users")
        found = (sa.select(a.c.subject, users)
                 .where(a.c.kind == "search", a.c.subject.like(f"{escaped}%", escape="\\"))
                 .group_by(a.c.subject).order_by(users.desc(), a.c.subject).limit(limit))
        return [r.subject for r in self._run(lambda conn: conn.execute(found).all())]
