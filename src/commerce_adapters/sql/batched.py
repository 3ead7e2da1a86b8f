"""Inserts a unit of work holds back and sends together.

A repository defers an insert whose outcome its caller need not see at once (an order and
its items, a checkout record, a payment, the outbox rows); the unit of work sends what it
holds before the first statement that might see those rows (one naming a table they go to,
or a table a foreign key ties to one) and at commit. Deferring changes when a row is
written, never what any statement sees: the rows go in the order they were deferred, and a
taken key still fails the unit of work with the error the repository named.

On PostgreSQL the held inserts go as one statement, each a data-modifying CTE (a foreign key
is checked at the end of the statement, so a child row may go beside its parent); an insert
that may find its key taken is ``ON CONFLICT DO NOTHING RETURNING 1`` and the statement
counts what each put in. A checkout's first transaction writes seven tables in one round
trip that way. On SQLite (no DML in CTEs, and no round trips to save) each insert runs as
before. So do large batches (a bulk import): one statement per table keeps the statement
within the server's limit on parameters and its shape among a few cached ones.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.util import find_tables

from commerce_core.errors import CommerceError

# above these, a batch goes a statement per insert: PostgreSQL takes at most 65,535
# parameters, and each shape of a merged statement is built and compiled once
_MERGED_ROWS = 20
_MERGED_PARAMETERS = 2_000
_SHAPES = 256

# one insert of a merged statement: table, columns, rows, whether a taken key is checked
_Part = tuple[sa.Table, tuple[str, ...], int, bool]


@functools.cache
def insert_stmt(table: sa.Table) -> sa.Insert:
    return table.insert()


@functools.cache
def insert_ignore_stmt(dialect: str, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING 1: a row back means it went in."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing().returning(sa.literal_column("1"))


@attrs.frozen
class Deferred:
    """Rows for one table, all with the same columns. ``taken``: the error when a row's
    primary or unique key exists already (None: no such row is expected, and the driver's
    integrity error stands)."""

    table: sa.Table
    rows: Sequence[Mapping[str, Any]]
    taken: CommerceError | None = None


def send(conn: sa.Connection, dialect: str, writes: Sequence[Deferred]) -> None:
    """Write ``writes``, in their order; raise the ``taken`` error of the first whose key
    exists."""
    if dialect == "postgresql" and _mergeable(writes):
        _send_merged(conn, writes)
        return
    for write in writes:
        rows = write.rows
        if write.taken is None:
            conn.execute(insert_stmt(write.table), rows[0] if len(rows) == 1 else list(rows))
            continue
        stmt = insert_ignore_stmt(dialect, write.table)
        for row in rows:
            if conn.execute(stmt, row).first() is None:
                raise write.taken


def _mergeable(writes: Sequence[Deferred]) -> bool:
    if len(writes) < 2:
        return False
    parameters = 0
    for write in writes:
        if len(write.rows) > _MERGED_ROWS:
            return False
        parameters += len(write.rows) * len(write.rows[0])
    return parameters <= _MERGED_PARAMETERS


def _send_merged(conn: sa.Connection, writes: Sequence[Deferred]) -> None:
    shape = tuple((w.table, tuple(w.rows[0]), len(w.rows), w.taken is not None)
                  for w in writes)
    params = {f"w{i}_{j}_{column}": value
              for i, write in enumerate(writes)
              for j, row in enumerate(write.rows)
              for column, value in row.items()}
    counts = iter(conn.execute(_merged(shape), params).one())
    for write in writes:
        if write.taken is not None and next(counts) < len(write.rows):
            raise write.taken


@functools.lru_cache(maxsize=_SHAPES)
def _merged(shape: tuple[_Part, ...]) -> sa.Select[Any]:
    """``WITH w0 AS (INSERT ...), w1 AS (INSERT ... ON CONFLICT DO NOTHING RETURNING 1)
    SELECT (SELECT count(*) FROM w1), ...``: a count for each checked insert."""
    ctes: list[sa.CTE] = []
    counted: list[Any] = []
    for i, (table, columns, rows, checked) in enumerate(shape):
        insert = postgresql.insert(table).values([
            {c: sa.bindparam(f"w{i}_{j}_{c}", type_=table.c[c].type) for c in columns}
            for j in range(rows)])
        if not checked:
            ctes.append(insert.cte(f"w{i}"))
            continue
        cte = insert.on_conflict_do_nothing().returning(sa.literal_column("1")).cte(f"w{i}")
        ctes.append(cte)
        counted.append(sa.select(sa.func.count()).select_from(cte).scalar_subquery())
    return sa.select(*(counted or [sa.literal(0)])).add_cte(*ctes)


# statements are built once and reused (module constants, cached builders): their tables are
# found once each, and forgotten with the statement
_RELATED: weakref.WeakKeyDictionary[Any, frozenset[sa.Table] | None] = (
    weakref.WeakKeyDictionary())


def related_tables(stmt: sa.Executable) -> frozenset[sa.Table] | None:
    """The tables ``stmt`` names and those a foreign key ties to them either way (a delete
    that cascades, a row whose parent is held back); None when it names none (text)."""
    try:
        return _RELATED[stmt]
    except KeyError:
        pass
    named = find_tables(stmt, include_crud=True, include_joins=True, include_aliases=True)  # type: ignore[arg-type]
    found = frozenset(t for table in named if isinstance(table, sa.Table)
                      for t in _neighbours(table)) or None
    _RELATED[stmt] = found
    return found


@functools.cache
def _neighbours(table: sa.Table) -> frozenset[sa.Table]:
    """``table``, the tables it references and those referencing it."""
    near = {table} | {fk.column.table for fk in table.foreign_keys}
    for other in table.metadata.tables.values():
        if any(fk.column.table is table for fk in other.foreign_keys):
            near.add(other)
    return frozenset(t for t in near if isinstance(t, sa.Table))
