"""SQL sessions: the transactional store's unit of work and the catalog store's session,
each one connection and one database transaction.

A writing unit of work reads what it may change under a row lock (``SELECT ... FOR UPDATE``
on PostgreSQL; SQLite's single writer lock, taken at ``BEGIN IMMEDIATE``), so two
read-modify-write use cases on the same record queue instead of losing an update. Read-only
units of work lock nothing and may run on a replica. A read-only unit of work opened without
``snapshot`` runs no transaction at all: each statement sees what is committed when it runs
(on PostgreSQL no BEGIN and no ROLLBACK, two round trips fewer).

Inserts a repository defers (``defer``) are held until a statement that may see them, or the
commit, and then sent together (``batched``): on PostgreSQL, one round trip.

A catalog session joined to a read-only unit of work reads a product's stock rows and its
seller's profile in the product's own statement and leaves them to the unit of work
(``ReadAhead``), whose inventory and seller repositories answer from them: the product
page is one statement, one snapshot, one round trip. Inside a writing unit of work the
cart's read reads its lines' offers and the shop settings' versions too, for the price
check and the settings check right after (the next statement forgets them).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import sqlalchemy as sa

from commerce_adapters.sql import repositories as r
from commerce_adapters.sql.batched import Deferred, related_tables, send
from commerce_adapters.sql.database import untransacted
from commerce_adapters.sql.direct import Rows, run
from commerce_adapters.sql.errors import translate
from commerce_adapters.sql.repositories.base import ReadAhead
from commerce_core.clock import Clock
from commerce_core.errors import CommerceError
from commerce_core.events import DomainEvent
from commerce_core.ids import IdGenerator
from commerce_core.uow import OutboxEntry

if TYPE_CHECKING:
    from commerce_adapters.sql.database import Database

S = TypeVar("S", bound=sa.Select[Any])


class SqlSession:
    """One connection and its transaction: what both kinds of session share."""

    def __init__(self, db: Database, read_only: bool = False, replica: bool = False,
                 joined: SqlSession | None = None, snapshot: bool = True) -> None:
        self.db = db
        self.read_only = read_only
        self.replica = replica and read_only  # a replica may lag: only when asked for
        self.snapshot = snapshot or not read_only  # a writer always has its transaction
        self._conn: sa.Connection | None = None
        # a session inside another's transaction: it neither begins nor ends it
        self._joined = joined
        self.ahead = ReadAhead()
        self._deferred: list[Deferred] = []

    @property
    def reads_ahead_for(self) -> SqlSession | None:
        """The read-only unit of work this session reads ahead for (its joined one)."""
        joined = self._joined
        return joined if joined is not None and joined.read_only else None

    @property
    def _root(self) -> SqlSession:
        """The session that owns the transaction (and holds the deferred inserts)."""
        return self._joined if self._joined is not None else self

    def _connection(self) -> tuple[SqlSession, sa.Connection]:
        root = self._root
        if self._conn is None or root._conn is None:
            raise CommerceError("the unit of work is used outside its with-block")
        return root, root._conn

    @property
    def conn(self) -> sa.Connection:
        """The connection, with every deferred insert sent: what runs on it sees them."""
        root, conn = self._connection()
        if root._deferred:
            root._send_deferred(conn)
        return conn

    def execute(self, stmt: sa.Executable, params: Any = None) -> Rows:
        """Run ``stmt``; the deferred inserts go first if it may see them: if it names a
        table they write or one a foreign key ties to such a table, or names none (text).
        A statement run before with one set of parameters goes to the driver (``direct``)."""
        root, conn = self._connection()
        root.ahead.with_cart = None  # only for the checkout steps right after it (ReadAhead)
        if root._deferred:
            tables = related_tables(stmt)
            if tables is None or any(w.table in tables for w in root._deferred):
                root._send_deferred(conn)
        if params is not None and not isinstance(params, Mapping):
            return conn.execute(stmt, params)  # many parameter sets
        planner = self.db.planner
        plan = planner.plan(stmt, params)
        if plan is not None:
            return run(conn, plan, params)
        result = conn.execute(stmt, params)
        planner.ran(stmt, params, result)
        return result

    def read_ahead(self) -> ReadAhead:
        """What the session owning the transaction read ahead (``ReadAhead``)."""
        return self._root.ahead

    def defer(self, write: Deferred) -> None:
        """Hold ``write`` until a statement that may see it, or the commit (module
        docstring)."""
        root, _ = self._connection()
        root._deferred.append(write)

    def _send_deferred(self, conn: sa.Connection) -> None:
        writes, self._deferred = self._deferred, []
        send(conn, self.db.dialect, writes)

    def locked(self, stmt: S) -> S:
        """``stmt`` with a row lock when this unit of work may write what it reads."""
        return stmt if self.read_only else stmt.with_for_update()

    def __enter__(self) -> Self:
        if self._joined is not None:
            self._conn = self._joined.conn
            return self
        engine = self.db.engine_for(self.replica)
        try:
            conn = engine.connect()
        except sa.exc.DBAPIError as ex:
            raise (translate(ex) or ex) from ex
        if not self.snapshot:
            conn = untransacted(conn, self.db.dialect)  # each statement on its own
        elif self.db.dialect == "sqlite":
            conn = conn.execution_options(
                sqlite_begin="DEFERRED" if self.read_only else "IMMEDIATE")
        elif self.read_only:
            conn = conn.execution_options(postgresql_readonly=True)
        self._conn = conn
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        conn, self._conn = self._conn, None
        self.ahead = ReadAhead()
        self._deferred.clear()  # a with-block left by an error: they never were
        if self._joined is not None:
            return  # the owning session ends the transaction (and translates its errors)
        if conn is not None:
            # close() rolls back what is left open, and then the pool skips its own rollback
            # (one driver call, not two); if the connection is gone, so is the transaction
            with contextlib.suppress(sa.exc.DBAPIError):
                conn.close()
        if isinstance(exc, sa.exc.DBAPIError) and (error := translate(exc)) is not None:
            raise error from exc

    def commit(self) -> None:
        if self._joined is not None:
            raise CommerceError("a joined session commits with the one it joined")
        try:
            self.conn.commit()  # the deferred inserts first (``conn``)
        except sa.exc.DBAPIError as ex:
            raise (translate(ex) or ex) from ex

    def rollback(self) -> None:
        self._deferred.clear()
        if self._conn is not None and self._conn.in_transaction():
            self._conn.rollback()


class SqlCatalogSession(SqlSession):
    """The catalog store's session: products, categories and reviews."""

    def __init__(self, db: Database, read_only: bool = False, replica: bool = False,
                 joined: SqlSession | None = None) -> None:
        super().__init__(db, read_only, replica, joined)
        self.products = r.SqlProducts(self)
        self.categories = r.SqlCategories(self)
        self.reviews = r.SqlReviews(self)


class SqlUnitOfWork(SqlSession):
    """The transactional store's unit of work; events recorded in it go to its outbox."""

    def __init__(self, db: Database, clock: Clock, ids: IdGenerator,
                 read_only: bool = False, replica: bool = False, snapshot: bool = True) -> None:
        super().__init__(db, read_only, replica, snapshot=snapshot)
        self.ids = ids
        self._clock = clock
        self._events: list[DomainEvent] = []
        self._committed: list[OutboxEntry] = []
        self.inventory = r.SqlInventory(self)
        self.coupons = r.SqlCoupons(self)
        self.settings = r.SqlSettings(self)
        self.orders = r.SqlOrders(self)
        self.payments = r.SqlPayments(self)
        self.checkouts = r.SqlCheckouts(self)
        self.idempotency = r.SqlIdempotency(self)
        self.outbox = r.SqlOutbox(self)
        self.sequences = r.SqlSequences(self)
        self.processed = r.SqlProcessedEvents(self)
        self.webhooks = r.SqlWebhooks(self)
        self.users = r.SqlUsers(self)
        self.addresses = r.SqlAddresses(self)
        self.wishlists = r.SqlWishlists(self)
        self.sellers = r.SqlSellers(self)
        self.fraud = r.SqlFraud(self)
        self.shipments = r.SqlShipments(self)
        self.notifications = r.SqlNotifications(self)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._events.clear()
        super().__exit__(exc_type, exc, tb)

    def commit(self) -> None:
        if self.read_only and self._events:
            raise CommerceError("a read-only unit of work cannot record events")
        now = self._clock.now()
        entries = [OutboxEntry(self.ids.next_id(), e, now) for e in self._events]
        try:
            self.outbox.add_many(entries)
        except sa.exc.DBAPIError as ex:
            raise (translate(ex) or ex) from ex
        super().commit()
        self._committed = entries
        self._events.clear()

    def rollback(self) -> None:
        self._events.clear()
        super().rollback()

    def record(self, *events: DomainEvent) -> None:
        self._events.extend(events)

    def committed(self) -> Sequence[OutboxEntry]:
        return list(self._committed)
