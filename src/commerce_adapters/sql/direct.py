"""Statements run on the driver's cursor, past SQLAlchemy's per-execution work.

SQLAlchemy Core builds, for every execution, an execution context, the parameters, a result
and its metadata. Sampled over a PostgreSQL checkout of ten statements, that work was about
a third of the client's CPU, as much as the driver's own (docs/sql.md). The SDK builds
its hot statements once (module constants, cached factories) and runs them again and again,
so a statement object seen a second time is compiled once into a ``Plan``: its SQL in the
driver's parameter style, each parameter's conversion, and, at its first run, each column's
conversion and a row type of its result's keys. Later runs go to a DB-API cursor. An
UPDATE without explicit values sets the columns its parameters name (SQLAlchemy compiles it
for their names), so it has a plan per set of names.

A plan is made only for what it carries exactly as SQLAlchemy would: one set of parameters,
no IN list expanded at execution, no escaped parameter names, no Python-side column default,
no INSERT, result keys usable as attribute names. Anything else runs through SQLAlchemy as
before, and so does every statement the first time (a statement built per call is never
planned). The engine's cursor events fire for a planned statement too, so whatever counts
statements sees them all. A driver error is wrapped as SQLAlchemy wraps it; a dropped
connection invalidates the whole pool, as SQLAlchemy does, so after a database restart one
request fails and the next gets a fresh connection.
"""

from __future__ import annotations

import collections
import copy
import keyword
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import sqlalchemy as sa

_Convert = Callable[[Any], Any]
# a result row, SQLAlchemy's or a plan's named tuple: columns by attribute and by position
Row = Any


class Rows(Protocol):
    """What a statement's result offers the repositories: SQLAlchemy's ``CursorResult``,
    or ``DirectResult`` for a planned statement."""

    @property
    def rowcount(self) -> int: ...

    def first(self) -> Any: ...

    def one(self) -> Any: ...

    def all(self) -> Sequence[Any]: ...

    def scalar(self) -> Any: ...

    def scalar_one(self) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


class DirectResult:
    """A planned statement's rows, all fetched (as SQLAlchemy's buffered result)."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise (sa.exc.NoResultFound("No row was found when one was required")
                   if not self._rows else
                   sa.exc.MultipleResultsFound("Multiple rows were found when exactly one "
                                               "was required"))
        return self._rows[0]

    def all(self) -> list[Any]:
        return self._rows

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


class Plan:
    """One statement compiled for one dialect (module docstring)."""

    __slots__ = (
        "_binds",
        "_columns",
        "_compiled",
        "_dialect",
        "_keys",
        "_order",
        "_reads",
        "_row",
        "sql",
    )

    def __init__(self, compiled: sa.engine.Compiled, dialect: sa.Dialect,
                 keys: tuple[str, ...] | None, columns: tuple[Any, ...]) -> None:
        self._compiled = compiled
        self._dialect = dialect
        self._keys, self._columns = keys, columns
        self.sql = compiled.string
        binds: Any = getattr(compiled, "binds", {})
        converts = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                    for name, bind in binds.items()}
        self._binds = {name: f for name, f in converts.items() if f is not None}
        self._order: tuple[str, ...] | None = (
            tuple(getattr(compiled, "positiontup", None) or ()) if dialect.positional else None)
        self._row: Callable[[Sequence[Any]], Any] | None = None
        self._reads: tuple[tuple[int, _Convert], ...] = ()

    def parameters(self, params: Mapping[str, Any] | None) -> Any:
        """The driver's parameters: every bind's value (given or in the statement),
        converted, as a mapping or in position order."""
        values: dict[str, Any] = self._compiled.construct_params(params)  # type: ignore[assignment]
        for name, convert in self._binds.items():
            values[name] = convert(values[name])
        if self._order is not None:
            return tuple(values[name] for name in self._order)
        return values

    def result(self, cursor: Any) -> DirectResult:
        if self._keys is None:  # no rows (SQLAlchemy's first run said so)
            return DirectResult([], cursor.rowcount)
        if self._row is None:  # the driver builds a description anew at each ask: once
            self._learn(cursor.description)
        rows = cursor.fetchall()
        make, reads = self._row, self._reads
        assert make is not None
        if reads:
            out = []
            for raw in rows:
                values = list(raw)
                for i, read in reads:
                    values[i] = read(values[i])
                out.append(make(values))
        else:
            out = [make(raw) for raw in rows]
        return DirectResult(out, cursor.rowcount)

    def _learn(self, description: Sequence[Any]) -> None:
        """The row type and the columns' conversions, from the first result (the driver's
        column types, as SQLAlchemy's result metadata takes them)."""
        keys = self._keys or ()
        if len(keys) != len(description):
            raise sa.exc.InvalidRequestError(
                f"planned statement returned {len(description)} columns, "
                f"expected {len(keys)}: {self.sql[:80]}")
        reads = []
        for i, (column, described) in enumerate(zip(self._columns, description,
                                                     strict=True)):
            read = column.type.dialect_impl(self._dialect).result_processor(
                self._dialect, described[1])
            if read is not None:
                reads.append((i, read))
        self._reads = tuple(reads)
        self._row = collections.namedtuple("Row", keys)._make  # type: ignore[attr-defined]


_Shape = frozenset[str] | None


class Planner:
    """The plans of one database's statements, held as long as each statement lives."""

    def __init__(self, dialect: sa.Dialect) -> None:
        self._dialect = dialect
        # statement -> shape -> _SEEN (run once), a Plan, or None (never planned)
        self._states: weakref.WeakKeyDictionary[Any, dict[_Shape, Any]] = (
            weakref.WeakKeyDictionary())

    @staticmethod
    def _shape(stmt: sa.Executable, params: Mapping[str, Any] | None) -> _Shape:
        """What the SQL depends on besides the statement: an UPDATE also sets the columns
        its parameters name (SQLAlchemy compiles it for their names); nothing otherwise."""
        return frozenset(params or ()) if isinstance(stmt, sa.Update) else None

    def plan(self, stmt: sa.Executable, params: Mapping[str, Any] | None) -> Plan | None:
        states = self._states.get(stmt)
        if states is None:
            return None
        found = states.get(self._shape(stmt, params))
        return found if isinstance(found, Plan) else None

    def ran(self, stmt: sa.Executable, params: Mapping[str, Any] | None,
            result: sa.CursorResult[Any]) -> None:
        """``stmt`` ran through SQLAlchemy with ``params``: a second run of the same shape
        plans it."""
        states = self._states.get(stmt)
        if states is None:
            states = self._states[stmt] = {}
        shape = self._shape(stmt, params)
        found = states.get(shape)
        if shape not in states:
            states[shape] = _SEEN  # a statement built per call ends here: nothing more spent
        elif found is _SEEN:  # the row type takes this result's keys, SQLAlchemy's own
            states[shape] = self._make(
                stmt, shape, tuple(result.keys()) if result.returns_rows else None)

    def _make(self, stmt: sa.Executable, shape: _Shape,
              keys: tuple[str, ...] | None) -> Plan | None:
        if isinstance(stmt, sa.Insert) or not isinstance(stmt, sa.sql.ClauseElement):
            return None
        if (keys is not None and not _names(keys)) or stmt.get_execution_options():
            return None
        # the columns a SELECT, or a DML statement's RETURNING, gives (their types convert
        # the values): none known for text, whose rows then stay SQLAlchemy's to read. Read
        # on a copy: a DML statement memoizes them, and a later .returning() of the same
        # statement would inherit the memo (no columns: its CTE has no .c.id)
        columns = tuple(getattr(copy.copy(stmt), "exported_columns", ()))
        if keys is not None and len(columns) != len(keys):
            return None
        compiled: Any = stmt.compile(
            dialect=self._dialect, column_keys=None if shape is None else sorted(shape))
        if (compiled.literal_execute_params or compiled.post_compile_params
                or compiled.escaped_bind_names or compiled.insert_prefetch
                or compiled.update_prefetch):
            return None
        return Plan(compiled, self._dialect, keys, columns)


_SEEN = object()


def _names(keys: tuple[str, ...]) -> bool:
    """Whether ``keys`` can be a row type's attribute names and read as on SQLAlchemy's
    rows (where ``row.count`` is the tuple's method, not a column named count)."""
    return len(set(keys)) == len(keys) and all(
        k.isidentifier() and not keyword.iskeyword(k) and not k.startswith("_")
        and k not in _ROW_ATTRIBUTES for k in keys)


_ROW_ATTRIBUTES = frozenset(dir(sa.engine.Row)) | frozenset(dir(tuple))


def run(conn: sa.Connection, plan: Plan, params: Mapping[str, Any] | None) -> DirectResult:
    """Run ``plan`` on ``conn``'s driver connection, in ``conn``'s transaction."""
    return _on_driver(conn, plan.sql, plan.parameters(params), plan.result)


def run_driver_sql(conn: sa.Connection, sql: str, values: Mapping[str, Any]) -> DirectResult:
    """Run SQL written in the driver's parameter style (as ``exec_driver_sql``); its rows
    as tuples."""
    return _on_driver(conn, sql, values, _tuples)


def _tuples(cursor: Any) -> DirectResult:
    rows = cursor.fetchall() if cursor.description is not None else []
    return DirectResult(rows, cursor.rowcount)


def _on_driver(conn: sa.Connection, sql: str, values: Any,
               result: Callable[[Any], DirectResult]) -> DirectResult:
    """``sql`` on a cursor of ``conn``'s driver connection, in ``conn``'s transaction (begun
    as SQLAlchemy begins one, with its begin event, if none is), between the engine's cursor
    events."""
    if not conn.in_transaction():
        conn.begin()
    kept, cursor = _cursor(conn)
    try:
        events = conn.dispatch
        if events.before_cursor_execute:
            for listener in events.before_cursor_execute:
                listener(conn, cursor, sql, values, None, False)
        try:
            cursor.execute(sql, values)
        except conn.dialect.loaded_dbapi.Error as ex:
            raise _wrapped(conn, ex, cursor, sql, values) from ex
        if events.after_cursor_execute:
            for listener in events.after_cursor_execute:
                listener(conn, cursor, sql, values, None, False)
        return result(cursor)
    except BaseException:
        kept.pop(_CURSOR, None)  # a fresh one for the next statement
        cursor.close()
        raise


_CURSOR = "commerce_direct_cursor"


def _cursor(conn: sa.Connection) -> tuple[dict[Any, Any], Any]:
    """The driver connection's cursor for planned statements, kept with the connection in
    the pool (a new one per statement cost more than the statement's own conversions), and
    the dictionary that keeps it."""
    held = conn.connection
    driver, kept = held.dbapi_connection, held.info
    cursor = kept.get(_CURSOR)
    if cursor is None or cursor.connection is not driver:
        assert driver is not None
        cursor = kept[_CURSOR] = driver.cursor()
    return kept, cursor


def _wrapped(conn: sa.Connection, ex: Any, cursor: Any, sql: str,
             values: Any) -> sa.exc.StatementError:
    dialect = conn.dialect
    dropped = dialect.is_disconnect(ex, conn.connection.dbapi_connection, cursor)
    if dropped:
        # the server is gone or restarted: every pooled connection is stale, as SQLAlchemy
        # concludes on such an error (a new pool; the old one's connections close on return)
        conn.invalidate(ex)
        conn.engine.dispose(close=False)
    error: sa.exc.StatementError = sa.exc.DBAPIError.instance(
        sql, values, ex, dialect.loaded_dbapi.Error, connection_invalidated=dropped,
        dialect=dialect)
    return error
