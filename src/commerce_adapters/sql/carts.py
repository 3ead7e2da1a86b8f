"""The cart store on the database: each call its own short transaction, or, joined to a
unit of work of the same database, inside that unit's transaction."""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from typing import Any, Protocol

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.batched import insert_ignore_stmt
from commerce_adapters.sql.database import Database, SqlStore
from commerce_adapters.sql.direct import Rows
from commerce_adapters.sql.repositories.base import WithCart
from commerce_adapters.sql.uow import SqlSession
from commerce_core.cart.model import CART_TTL, Cart, CartLine
from commerce_core.clock import Clock
from commerce_core.errors import Conflict
from commerce_core.money import Money
from commerce_core.uow import UnitOfWork

_LINES = t.carts.outerjoin(t.cart_items, t.cart_items.c.user_id == t.carts.c.user_id)


def _cart_query(*extra: Any, joined: Any = _LINES) -> sa.Select[Any]:
    """The cart and its lines in one round trip (no lines: one row of NULL line columns),
    with ``extra`` columns from ``joined`` (the cart and its lines, or more)."""
    return (sa.select(t.carts, t.cart_items.c.id.label("line_id"),
                      *[c for c in t.cart_items.c if c.name not in ("id", "user_id")], *extra)
            .select_from(joined)
            .where(t.carts.c.user_id == sa.bindparam("u"))
            .order_by(t.cart_items.c.position))


_CART = _cart_query()


@functools.cache
def _cart_for_checkout(dialect: str) -> sa.Select[Any]:
    """The cart as read inside a writing unit of work (checkout), with each line's offer as
    the catalog's offers() reads it and the shop settings' versions (``section:version``,
    comma separated): the price and settings checks then need no statement (ReadAhead)."""
    s = t.shop_settings
    aggregate = sa.func.string_agg if dialect == "postgresql" else sa.func.group_concat
    versions = sa.select(aggregate(s.c.section.concat(":").concat(
        sa.cast(s.c.version, sa.String)), ",")).scalar_subquery()
    return _cart_query(
        t.variants.c.product_id.label("offer_product"), t.variants.c.price.label("offer_price"),
        t.products.c.currency.label("offer_currency"),
        sa.and_(t.variants.c.is_active, t.products.c.is_active).label("offer_on_sale"),
        versions.label("settings_versions"),
        joined=_LINES.outerjoin(t.variants, t.variants.c.id == t.cart_items.c.variant_id)
        .outerjoin(t.products, t.products.c.id == t.variants.c.product_id))


class _Runs(Protocol):
    """Where the store's statements run: a connection of its own, or the unit of work it
    joined."""

    def execute(self, statement: Any, parameters: Any = None, /) -> Rows: ...


_CART_UPDATE = t.carts.update().where(t.carts.c.user_id == sa.bindparam("u"),
                                      t.carts.c.version == sa.bindparam("v"))
_CART_DISCARD = t.carts.delete().where(t.carts.c.user_id == sa.bindparam("u"),
                                       t.carts.c.version == sa.bindparam("v"))
_CART_ITEMS_DELETE = t.cart_items.delete().where(t.cart_items.c.user_id == sa.bindparam("u"))
_CART_ITEMS_INSERT = t.cart_items.insert()


class SqlCartStore(SqlStore):
    def __init__(self, db: Database, clock: Clock, session: SqlSession | None = None) -> None:
        super().__init__(db)
        self._clock = clock
        self._session = session

    def _run(self, work: Any) -> Any:
        if self._session is None:
            return super()._run(work)
        # the unit of work runs the statements (sending first only the inserts it holds that
        # they may see) and translates driver errors
        return work(self._session)

    def joined(self, uow: UnitOfWork) -> SqlCartStore | None:
        if isinstance(uow, SqlSession) and uow.db is self._db and not uow.read_only:
            return SqlCartStore(self._db, self._clock, uow)
        return None

    def get(self, user_id: int) -> Cart | None:
        session = self._session
        if session is None:
            # one SELECT (for an expired cart also a DELETE that stands alone): no transaction
            return self._read(lambda conn: self._load(conn, user_id))  # type: ignore[no-any-return]
        rows = session.execute(_cart_for_checkout(self._db.dialect), {"u": user_id}).all()
        cart = self._build(session, user_id, rows)
        if cart is not None:
            versions = (rows[0].settings_versions or "").split(",")
            session.read_ahead().with_cart = WithCart(
                {r.variant_id: None if r.offer_product is None else (
                    r.variant_id, r.offer_product, r.offer_price, r.offer_currency,
                    r.offer_on_sale) for r in rows if r.line_id is not None},
                {name: int(version) for name, _, version in
                 (v.partition(":") for v in versions if v)})
        return cart

    def _load(self, conn: _Runs, user_id: int) -> Cart | None:
        return self._build(conn, user_id, conn.execute(_CART, {"u": user_id}).all())

    def _build(self, conn: _Runs, user_id: int, rows: Sequence[Any]) -> Cart | None:
        if not rows:
            return None
        head = rows[0]
        cart = Cart(head.cart_id, user_id, head.created_at, head.updated_at, [],
                    head.coupon_code, head.version)
        if cart.expires_at() <= self._clock.now():
            conn.execute(t.carts.delete().where(t.carts.c.user_id == user_id))
            return None
        cart.lines.extend(
            CartLine(r.line_id, r.product_id, r.variant_id, r.sku, r.product_name,
                     r.quantity, Money(r.unit_price, r.currency), r.seller_id, r.category_id,
                     r.weight_grams, dict(r.selected_attributes))
            for r in rows if r.line_id is not None)
        return cart

    def save(self, cart: Cart) -> Cart:
        """Write the cart if nobody saved it since it was read (its version), in three
        statements: the versioned update (or first insert), then its lines."""
        saved = copy.deepcopy(cart)
        saved.version = cart.version + 1

        def work(conn: _Runs) -> Cart:
            values = {"cart_id": cart.id, "coupon_code": cart.coupon_code,
                      "version": saved.version, "created_at": cart.created_at,
                      "updated_at": cart.updated_at}
            if cart.version == 0:
                self._drop_expired(conn, cart.user_id)
                if conn.execute(insert_ignore_stmt(self._db.dialect, t.carts),
                                {"user_id": cart.user_id, **values}).first() is None:
                    raise Conflict("the cart was changed by another request")
            elif not conn.execute(_CART_UPDATE, {"u": cart.user_id, "v": cart.version,
                                                 **values}).rowcount:
                raise Conflict("the cart was changed by another request")
            else:
                conn.execute(_CART_ITEMS_DELETE, {"u": cart.user_id})
            if cart.lines:
                conn.execute(_CART_ITEMS_INSERT, [
                    {"id": ln.id, "user_id": cart.user_id, "product_id": ln.product_id,
                     "variant_id": ln.variant_id, "sku": ln.sku,
                     "product_name": ln.product_name, "quantity": ln.quantity,
                     "unit_price": ln.unit_price.amount, "currency": ln.unit_price.currency,
                     "seller_id": ln.seller_id, "category_id": ln.category_id,
                     "weight_grams": ln.weight_grams,
                     "selected_attributes": dict(ln.selected_attributes), "position": n}
                    for n, ln in enumerate(cart.lines)])
            return saved
        return self._run(work)  # type: ignore[no-any-return]

    def discard(self, cart: Cart) -> None:
        """One statement (its lines go by the foreign key's cascade); a cart that is gone
        (expired, or deleted) counts as discarded."""
        def work(conn: _Runs) -> None:
            if conn.execute(_CART_DISCARD, {"u": cart.user_id, "v": cart.version}).rowcount:
                return
            if conn.execute(sa.select(t.carts.c.version).where(
                    t.carts.c.user_id == cart.user_id)).first() is not None:
                raise Conflict("the cart was changed by another request")
        self._run(work)

    def _drop_expired(self, conn: _Runs, user_id: int) -> None:
        c = t.carts
        conn.execute(c.delete().where(c.c.user_id == user_id,
                                      c.c.updated_at <= self._clock.now() - CART_TTL))

    def delete(self, user_id: int) -> None:
        self._run(lambda conn: conn.execute(t.carts.delete().where(
            t.carts.c.user_id == user_id)))
