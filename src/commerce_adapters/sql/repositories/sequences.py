"""Named sequences: PostgreSQL sequences, or counter rows on SQLite."""

from __future__ import annotations

import functools
import re
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository


@functools.cache
def _nextval(sequence: str) -> sa.Select[Any]:
    return sa.select(sa.func.nextval(sequence))


# SQLite's counter row, one statement built once (so it runs on the driver: sql.direct)
_BUMP = (t.sequences.update().where(t.sequences.c.name == sa.bindparam("n"))
         .values(value=t.sequences.c.value + 1).returning(t.sequences.c.value))
_STEP = sa.text("SELECT increment_by FROM pg_sequences WHERE schemaname = current_schema() "
                "AND sequencename = :name")

BLOCK = 50
"""Values a process takes from a PostgreSQL sequence at once: the sequence steps by BLOCK and
each value it gives stands for the next BLOCK numbers, handed out here without asking the
server (the pooled scheme ORMs use). Numbers stay unique across processes; a process that
ends leaves the rest of its block unused, so numbers have gaps and, across processes, are
not in the order they were handed out. Never change it while processes of an earlier
release still run: blocks of two sizes on one sequence would overlap."""


class SqlSequences(SqlRepository):
    """PostgreSQL: a real sequence per name, which never holds a row lock, so checkouts do
    not queue behind one another for an order number, and is asked once per BLOCK numbers.
    SQLite: a counter row in the unit of work (its writers are serialised anyway)."""

    def next_value(self, name: str) -> int:
        if self.dialect == "postgresql":
            return self._pooled(name)
        row = self.execute(_BUMP, {"n": name}).first()
        if row is not None:
            return int(row.value)
        self.execute(t.sequences.insert(), {"name": name, "value": 1})
        return 1

    def _pooled(self, name: str) -> int:
        # nextval is outside any transaction's rollback, so a block taken in a unit of work
        # that then fails is still this process's to use
        sequence = "commerce_seq_" + re.sub(r"[^a-z0-9_]", "_", name.lower())
        db = self._uow.db
        with db.sequence_lock:
            block = db.sequence_blocks.get(sequence)
            if block is not None and block[0] < block[1]:
                db.sequence_blocks[sequence] = (block[0] + 1, block[1])
                return block[0]
            if block is None:
                self._prepare(sequence)
            start = int(self.execute(_nextval(sequence)).scalar_one())
            db.sequence_blocks[sequence] = (start + 1, start + BLOCK)
            return start

    def _prepare(self, sequence: str) -> None:
        """Create the sequence, or make one an earlier release made (stepping by 1) step by
        BLOCK: values it gave before stay below the blocks it gives after.

        Committed on a connection of its own, so the sequence outlives this unit of work
        whatever becomes of it; opened outside the pool, which the units of work waiting
        for this one may hold whole."""
        engine = sa.create_engine(self._uow.db.primary.url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                try:
                    conn.exec_driver_sql(f'CREATE SEQUENCE IF NOT EXISTS "{sequence}" '
                                         f"INCREMENT BY {BLOCK}")
                    conn.commit()
                except sa.exc.IntegrityError:  # another process created it at this moment
                    conn.rollback()
                step = conn.execute(_STEP, {"name": sequence}).scalar_one()
                if step != BLOCK:
                    conn.exec_driver_sql(f'ALTER SEQUENCE "{sequence}" INCREMENT BY {BLOCK}')
                    conn.commit()
        finally:
            engine.dispose()
