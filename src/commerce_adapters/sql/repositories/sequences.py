"""Named sequences: PostgreSQL sequences, or counter rows on SQLite."""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository


@functools.cache
def _nextval(sequence: str) -> sa.Select[Any]:
    return sa.select(sa.func.nextval(sequence))


def _outside_pool(engine: sa.Engine) -> sa.Engine:
    return sa.create_engine(engine.url, poolclass=sa.pool.NullPool)


_created: set[str] = set()
_created_lock = threading.Lock()


class SqlSequences(SqlRepository):
    """PostgreSQL: a real sequence per name, which never holds a row lock, so checkouts do
    not queue behind one another for an order number. SQLite: a counter row (its writers
    are serialised anyway)."""

    def next_value(self, name: str) -> int:
        if self.dialect == "postgresql":
            return self._nextval(name)
        s = t.sequences
        row = self.c.execute(s.update().where(s.c.name == name)
                             .values(value=s.c.value + 1).returning(s.c.value)).first()
        if row is not None:
            return int(row.value)
        self.c.execute(s.insert(), {"name": name, "value": 1})
        return 1

    def _nextval(self, name: str) -> int:
        sequence = "commerce_seq_" + re.sub(r"[^a-z0-9_]", "_", name.lower())
        key = f"{self._uow.db.url}:{sequence}"
        if key not in _created:
            # a connection of its own, outside the pool: every pooled one may be held by a
            # unit of work waiting for this lock (the first checkouts of a busy process)
            with _created_lock, _outside_pool(self._uow.db.primary).connect() as conn:
                try:
                    conn.exec_driver_sql(f'CREATE SEQUENCE IF NOT EXISTS "{sequence}"')
                    conn.commit()
                except sa.exc.IntegrityError:  # another process created it at the same moment
                    conn.rollback()
                _created.add(key)
        return int(self.c.execute(_nextval(sequence)).scalar_one())
