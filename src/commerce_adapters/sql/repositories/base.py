"""What every SQL repository shares: its unit of work's connection and row locks, and the
common statements, built once: constructing a statement costs several times what running a
cached one does, so the hot paths reuse these."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import sqlalchemy as sa

from commerce_adapters.sql.batched import Deferred, insert_ignore_stmt
from commerce_adapters.sql.direct import Row, Rows
from commerce_adapters.sql.types import UtcDateTime
from commerce_core.errors import CommerceError
from commerce_core.pagination import Page, PageRequest

if TYPE_CHECKING:
    from commerce_adapters.sql.uow import SqlSession


@functools.cache
def _select_by(table: sa.Table, column: str, lock: bool) -> sa.Select[Any]:
    stmt = sa.select(table).where(table.c[column] == sa.bindparam("key"))
    return stmt.with_for_update() if lock else stmt


@functools.cache
def _select_in(table: sa.Table, column: str, order: tuple[str, ...]) -> sa.Select[Any]:
    return (sa.select(table).where(table.c[column].in_(sa.bindparam("keys", expanding=True)))
            .order_by(*(table.c[o] for o in order)))


@functools.cache
def _select_one_key(table: sa.Table, column: str, order: tuple[str, ...]) -> sa.Select[Any]:
    # by_keys with one key: ``=`` needs none of the per-execution rendering of an IN list
    return (sa.select(table).where(table.c[column] == sa.bindparam("key"))
            .order_by(*(table.c[o] for o in order)))


@functools.cache
def _update_by(table: sa.Table, column: str) -> sa.Update:
    return table.update().where(table.c[column] == sa.bindparam("_key"))


@attrs.frozen
class WithCart:
    """What a writing unit of work's cart read also read, for the checkout steps right
    after it: the lines' offers (variant id: id, product id, price, currency, on sale; None
    where the variant is gone) and the shop settings' versions (section: version)."""

    offers: dict[int, tuple[Any, ...] | None]
    settings_versions: dict[str, int]


@attrs.define
class ReadAhead:
    """Rows read along with another statement. With a product, as JSON values in their
    tables' column order: the stock rows of its variants and its seller's profile (none when
    the seller has no store); a read-only unit of work answers from them what they cover:
    they are as one statement saw them, and nothing writes in a read-only unit of work.
    With a cart in a writing unit of work: ``WithCart``, answering only until the next
    statement (the unit of work forgets it at any other)."""

    variant_ids: frozenset[int] = frozenset()
    stock_rows: list[Sequence[Any]] = attrs.field(factory=list)
    seller_id: int | None = None
    seller_rows: list[Sequence[Any]] = attrs.field(factory=list)
    with_cart: WithCart | None = None

    def offer_rows(self, variant_ids: Sequence[int]) -> list[tuple[Any, ...]] | None:
        """The offers of these variants if all were read ahead (the gone ones left out),
        else None."""
        if self.with_cart is None or not variant_ids:
            return None
        offers = self.with_cart.offers
        if not offers.keys() >= set(variant_ids):
            return None
        return [row for v in variant_ids if (row := offers[v]) is not None]

    def stock(self, variant_ids: Sequence[int]) -> list[Sequence[Any]] | None:
        """The stock rows of these variants if all were read ahead, else None."""
        if not variant_ids or not self.variant_ids.issuperset(variant_ids):
            return None
        wanted = set(variant_ids)
        return [row for row in self.stock_rows if row[0] in wanted]


class JsonRow:
    """A row read as a JSON array of its table's columns (a child in its parent's row): the
    columns by name, timestamps given their type's conversion (JSON has them as text)."""

    def __init__(self, table: sa.Table, values: Sequence[Any], dialect: sa.Dialect) -> None:
        for column, value in zip(table.c, values, strict=True):
            kind = column.type
            setattr(self, column.key, kind.process_result_value(value, dialect)
                    if isinstance(kind, UtcDateTime) else value)

    def __getattr__(self, name: str) -> Any:  # for the type checker: columns are dynamic
        raise AttributeError(name)


class SqlRepository:
    def __init__(self, uow: SqlSession) -> None:
        self._uow = uow

    @property
    def c(self) -> sa.Connection:
        return self._uow.conn

    @property
    def dialect(self) -> str:
        return self._uow.db.dialect

    def execute(self, stmt: sa.Executable, params: Any = None) -> Rows:
        """Run ``stmt`` in the unit of work (after the inserts it holds that it may see)."""
        return self._uow.execute(stmt, params)

    def one(self, stmt: sa.Select[Any], lock: bool = True) -> Row | None:
        """The first row of ``stmt``, locked when the unit of work may write it."""
        if lock:
            stmt = self._uow.locked(stmt)
        return self.execute(stmt).first()

    def rows(self, stmt: sa.Select[Any]) -> Sequence[Row]:
        return self.execute(stmt).all()

    def by_key(self, table: sa.Table, column: str, key: Any,
               lock: bool = True) -> Row | None:
        """The row whose ``column`` is ``key``; locked when the unit of work may write it."""
        stmt = _select_by(table, column, lock and not self._uow.read_only)
        return self.execute(stmt, {"key": key}).first()

    def by_keys(self, table: sa.Table, column: str, keys: Sequence[Any],
                order: tuple[str, ...] = ()) -> Sequence[Row]:
        """Rows whose ``column`` is among ``keys`` (unlocked), sorted by ``order``."""
        if not keys:
            return []
        if len(keys) == 1:  # one product's variants, images, stock: the hot reads
            return self.execute(_select_one_key(table, column, order),
                                {"key": keys[0]}).all()
        return self.execute(_select_in(table, column, order), {"keys": list(keys)}).all()

    def update_by(self, table: sa.Table, column: str, key: Any,
                  values: Mapping[str, Any]) -> int:
        """Set ``values`` on the row whose ``column`` is ``key``; how many rows changed."""
        return int(self.execute(_update_by(table, column), {"_key": key, **values}).rowcount)

    def insert(self, table: sa.Table, rows: Sequence[Mapping[str, Any]],
               taken: CommerceError | None = None) -> None:
        """Insert ``rows`` (all with the same columns) before the unit of work's next
        statement or commit, sent with the other inserts it holds (``sql.batched``).
        ``taken``: raised then if a row's primary or unique key exists (None: the driver's
        integrity error, translated as a Conflict)."""
        if rows:
            self._uow.defer(Deferred(table, rows, taken))

    def insert_ignore(self, table: sa.Table, values: Mapping[str, Any]) -> bool:
        """Insert unless the primary or a unique key exists; whether a row went in (by
        RETURNING: the driver's rowcount is not reliable for ON CONFLICT DO NOTHING)."""
        return self.execute(insert_ignore_stmt(self.dialect, table),
                            values).first() is not None

    def page(self, stmt: sa.Select[Any], page: PageRequest, build: Any) -> Page[Any]:
        """One page of ``stmt`` (already ordered) with the total count of its rows."""
        total = self.execute(sa.select(sa.func.count()).select_from(
            stmt.order_by(None).subquery())).scalar_one()
        rows = self.execute(stmt.limit(page.limit).offset(page.offset)).all()
        return Page(build(rows), total, page.page, page.limit)
