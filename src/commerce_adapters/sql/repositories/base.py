"""What every SQL repository shares: its unit of work's connection and row locks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from commerce_core.pagination import Page, PageRequest

if TYPE_CHECKING:
    from commerce_adapters.sql.uow import SqlUnitOfWork


class SqlRepository:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    @property
    def c(self) -> sa.Connection:
        return self._uow.conn

    @property
    def dialect(self) -> str:
        return self._uow.db.dialect

    def one(self, stmt: sa.Select[Any], lock: bool = True) -> sa.Row[Any] | None:
        """The first row of ``stmt``, locked when the unit of work may write it."""
        if lock:
            stmt = self._uow.locked(stmt)
        return self.c.execute(stmt).first()

    def rows(self, stmt: sa.Select[Any]) -> Sequence[sa.Row[Any]]:
        return self.c.execute(stmt).all()

    def insert_ignore(self, table: sa.Table, values: Mapping[str, Any]) -> bool:
        """Insert unless the primary or a unique key exists; whether a row went in."""
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt: Any = (insert(table).values(**values).on_conflict_do_nothing()
                .returning(sa.literal_column("1")))  # rowcount is not reliable here
        return self.c.execute(stmt).first() is not None

    def page(self, stmt: sa.Select[Any], page: PageRequest, build: Any) -> Page[Any]:
        """One page of ``stmt`` (already ordered) with the total count of its rows."""
        total = self.c.execute(sa.select(sa.func.count()).select_from(
            stmt.order_by(None).subquery())).scalar_one()
        rows = self.c.execute(stmt.limit(page.limit).offset(page.offset)).all()
        return Page(build(rows), total, page.page, page.limit)
