"""Inserts a unit of work holds back and sends together.

A repository defers an insert whose outcome its caller need not see at once (an order and
its items, a checkout record, a payment, the outbox rows); the unit of work sends what it
holds before the first statement that might see those rows (one naming a table they go to,
or a table a foreign key ties to one, or a text statement) and at commit. Deferring changes
when a row is written, never what any statement sees: the rows go all in one statement, or
one insert after another in the order they were deferred, and a taken key still fails the
unit of work with the error the repository named.

On PostgreSQL the held inserts go as one statement, each a data-modifying CTE that takes
its rows as one JSON parameter (``json_populate_recordset``): a short statement with a
parameter per table, whatever the rows, so the driver and the server cache and prepare it
like any other. A foreign key is checked at the end of the statement, so a child row may go
beside its parent. An insert that may find its key taken is ``ON CONFLICT DO NOTHING
RETURNING 1`` and the statement counts what each put in. A checkout's first transaction
writes seven tables in one round trip that way. SQLite (no DML in CTEs, and no round trips
to save) sends each insert as before, and so does PostgreSQL a lone one.
"""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.util import find_tables

from commerce_adapters.sql.direct import run_driver_sql
from commerce_core.errors import CommerceError

_POSTGRESQL: sa.Dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
_SHAPES = 256  # merged statements kept compiled: a shape is which tables, columns, checks

# one insert of a merged statement: table, columns, whether a taken key is checked
_Part = tuple[sa.Table, tuple[str, ...], bool]


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
    if dialect == "postgresql" and len(writes) > 1:
        payload = _as_json(writes)
        if payload is not None:
            _send_merged(conn, writes, payload)
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


def _send_merged(conn: sa.Connection, writes: Sequence[Deferred], payload: dict[str, str]
                 ) -> None:
    shape = tuple((w.table, tuple(w.rows[0]), w.taken is not None) for w in writes)
    counts = iter(run_driver_sql(conn, _merged(shape), payload).one())
    for write in writes:
        if write.taken is not None and next(counts) < len(write.rows):
            raise write.taken


def _as_json(writes: Sequence[Deferred]) -> dict[str, str] | None:
    """Each write's rows as a JSON array, values as their column types bind them; None if
    a JSON column holds None (JSON null and SQL NULL would blur: sent one by one then)."""
    payload = {}
    for i, write in enumerate(writes):
        columns = tuple(write.rows[0])
        json_columns, encoders = _encoders(write.table, columns)
        rows = []
        for row in write.rows:
            if json_columns and any(row[c] is None for c in json_columns):
                return None
            values = dict(row)
            for column, encode in encoders:
                values[column] = encode(values[column])
            rows.append(values)
        payload[f"w{i}"] = json.dumps(rows, default=_json_value, separators=(",", ":"))
    return payload


def _json_value(value: Any) -> Any:
    """json.dumps' hook: what JSON has no type for, as text; anything else is a bug."""
    plain = _plain(value)
    if plain is value:
        raise TypeError(f"{type(value).__name__} is not a column value")
    return plain


def _plain(value: Any) -> Any:
    """A timestamp or an amount as the text PostgreSQL reads; anything else as it is."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@functools.cache
def _encoders(table: sa.Table, columns: tuple[str, ...]
              ) -> tuple[tuple[str, ...], tuple[tuple[str, Any], ...]]:
    """For rows of ``columns``: the JSON columns (their values go in as they are), and each
    column whose type converts a value as PostgreSQL binds it (UTC timestamps, amounts),
    with that conversion, made ready for JSON."""
    json_columns, encoders = [], []
    for column in columns:
        kind = table.c[column].type
        if isinstance(kind, sa.JSON):
            json_columns.append(column)
        elif isinstance(kind, sa.TypeDecorator):
            encoders.append((column, functools.partial(_bound, kind.process_bind_param)))
    return tuple(json_columns), tuple(encoders)


def _bound(bind: Any, value: Any) -> Any:
    if value is None:
        return None
    return _plain(bind(value, _POSTGRESQL))


@functools.lru_cache(maxsize=_SHAPES)
def _merged(shape: tuple[_Part, ...]) -> str:
    """``WITH w0 AS (INSERT INTO t (c, ...) SELECT c, ... FROM json_populate_recordset(
    NULL::t, %(w0)s::json) [ON CONFLICT DO NOTHING RETURNING 1]), ... SELECT (SELECT count(*)
    FROM w1), ...``: a count for each checked insert."""
    quote = _POSTGRESQL.identifier_preparer.quote
    ctes, counted = [], []
    for i, (table, columns, checked) in enumerate(shape):
        name = _POSTGRESQL.identifier_preparer.format_table(table)
        listed = ", ".join(quote(c) for c in columns)
        cte = (f"w{i} AS (INSERT INTO {name} ({listed}) SELECT {listed} FROM "
               f"json_populate_recordset(NULL::{name}, %(w{i})s::json)")
        if checked:
            cte += " ON CONFLICT DO NOTHING RETURNING 1"
            counted.append(f"(SELECT count(*) FROM w{i})")
        ctes.append(cte + ")")
    return f"WITH {', '.join(ctes)} SELECT {', '.join(counted) or '0'}"


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
    element: Any = stmt  # a Core statement; find_tables is typed for clauses
    named = find_tables(element, include_crud=True, include_joins=True, include_aliases=True)
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
