"""Stock rows, the movement trail and reservations; reserving is one conditional update per
line, in variant order, so the database itself refuses to oversell and never deadlocks."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import JsonRow, SqlRepository
from commerce_adapters.sql.repositories.catalog import refresh_in_stock
from commerce_core.errors import Conflict, InsufficientStock, NotFound, ValidationError
from commerce_core.inventory.model import (
    MovementType,
    Reservation,
    ReservationLine,
    ReservationStatus,
    StockItem,
    StockMovement,
)
from commerce_core.inventory.ports import MovementQuery
from commerce_core.pagination import Page, PageRequest

if TYPE_CHECKING:
    from commerce_adapters.sql.uow import SqlUnitOfWork

inv = t.inventory
mv = t.stock_movements


def _movement(r: Any) -> StockMovement:
    return StockMovement(r.id, r.variant_id, MovementType(r.movement_type), r.quantity,
                         r.reason, r.created_at, r.order_id, r.reservation_id, r.created_by)


@functools.cache
def _apply_stmt(take_available: bool, take_reserved: bool, take_sold: bool,
                extra: tuple[str, ...]) -> Any:
    """``UPDATE inventory`` by deltas, guarded against going negative where one is taken."""
    conditions = [inv.c.variant_id == sa.bindparam("v")]
    for column, param, taking in ((inv.c.quantity_available, "da", take_available),
                                  (inv.c.quantity_reserved, "dr", take_reserved),
                                  (inv.c.quantity_sold, "ds", take_sold)):
        if taking:
            conditions.append(column >= -sa.bindparam(param, type_=sa.Integer))
    return (inv.update().where(*conditions).values(
        quantity_available=inv.c.quantity_available + sa.bindparam("da", type_=sa.Integer),
        quantity_reserved=inv.c.quantity_reserved + sa.bindparam("dr", type_=sa.Integer),
        quantity_sold=inv.c.quantity_sold + sa.bindparam("ds", type_=sa.Integer),
        updated_at=sa.bindparam("now", type_=inv.c.updated_at.type),
        **{name: sa.bindparam(name, type_=inv.c[name].type) for name in extra})
        .returning(*inv.c))


_END = (t.reservations.update()
        .where(t.reservations.c.id == sa.bindparam("rid"),
               t.reservations.c.status == ReservationStatus.ACTIVE.value)
        .values(status=sa.bindparam("status"),
                ended_at=sa.bindparam("now", type_=t.reservations.c.ended_at.type)))


_DELTAS = ("available", "reserved", "sold")


@functools.cache
def _ending_apply_stmt(take_available: bool, take_reserved: bool, take_sold: bool) -> Any:
    """PostgreSQL: end the active reservation and move its first line's stock, the stock only
    if the reservation ended; one row: ``ended`` (0 or 1) and the stock row after (all NULL
    when it did not move)."""
    ended = _END.returning(t.reservations.c.id).cte("ended")
    moved = (_apply_stmt(take_available, take_reserved, take_sold, ())
             .where(sa.exists(sa.select(ended.c.id))).cte("moved"))
    one = sa.select(sa.literal_column("1").label("one")).subquery("one")
    return (sa.select(sa.select(sa.func.count()).select_from(ended).scalar_subquery()
                      .label("ended"), *moved.c)
            .select_from(one.outerjoin(moved, sa.true())))


def _stock(r: Any) -> StockItem:
    return StockItem(r.variant_id, r.product_id, r.seller_id, r.quantity_available,
                     r.quantity_reserved, r.quantity_sold, r.reorder_level, r.last_restocked,
                     r.warehouse_location, r.updated_at)


class SqlInventory(SqlRepository):
    _uow: SqlUnitOfWork  # movements take their ids from the unit of work

    def add(self, item: StockItem) -> None:
        if self.execute(sa.select(inv.c.variant_id).where(
                inv.c.variant_id == item.variant_id)).first() is not None:
            raise Conflict(f"variant {item.variant_id} already has stock")
        self.execute(inv.insert(), self._values(item))
        if item.available > 0:
            refresh_in_stock(self.c, [item.product_id])

    def open_many(self, items: Sequence[StockItem], reason: str, now: datetime) -> None:
        """Two multi-row inserts (rows, then movements); a taken variant id fails the
        insert (the unit of work is then rolled back) as Conflict."""
        if not items:
            return
        ids = [i.variant_id for i in items]
        if len(set(ids)) != len(ids) or self.execute(sa.select(inv.c.variant_id).where(
                inv.c.variant_id.in_(ids)).limit(1)).first() is not None:
            raise Conflict("a variant already has stock", {"variant_ids": "taken"})
        self.insert(inv, [self._values(i) for i in items])
        opening = [(i.variant_id, i.available) for i in items if i.available]
        if opening:
            self._moves(opening, MovementType.IN, reason, now)
        # no in_stock refresh: stock rows come before their products, which read them

    @staticmethod
    def _values(item: StockItem) -> dict[str, Any]:
        return {"variant_id": item.variant_id, "product_id": item.product_id,
                "seller_id": item.seller_id, "quantity_available": item.available,
                "quantity_reserved": item.reserved, "quantity_sold": item.sold,
                "reorder_level": item.reorder_level, "last_restocked": item.last_restocked,
                "warehouse_location": item.warehouse_location, "updated_at": item.updated_at}

    def get(self, variant_id: int) -> StockItem:
        ahead = self._uow.ahead.stock([variant_id])  # read with the product (add to cart)
        row: Any = (next((JsonRow(inv, values, self.c.dialect) for values in ahead), None)
                    if ahead is not None else self.by_key(inv, "variant_id", variant_id))
        if row is None:
            raise NotFound(f"no stock for variant {variant_id}", {"variant_id": variant_id})
        return _stock(row)

    def get_many(self, variant_ids: Iterable[int]) -> dict[int, StockItem]:
        ids = list(variant_ids)
        if not ids:
            return {}
        ahead = self._uow.ahead.stock(ids)  # read with the product (a product page)
        if ahead is not None:
            return {r.variant_id: _stock(r)
                    for r in (JsonRow(inv, values, self.c.dialect) for values in ahead)}
        return {r.variant_id: _stock(r) for r in self.by_keys(inv, "variant_id", ids)}

    def _moves(self, lines: Sequence[tuple[int, int]], kind: MovementType, reason: str,
               now: datetime, **refs: Any) -> None:
        """One movement per (variant id, quantity), in one statement."""
        self.insert(t.stock_movements, [{
            "id": self._uow.ids.next_id(), "variant_id": variant_id,
            "movement_type": kind.value, "quantity": quantity, "reason": reason[:255],
            "created_at": now, "order_id": refs.get("order_id"),
            "reservation_id": refs.get("reservation_id"),
            "created_by": refs.get("created_by")} for variant_id, quantity in lines])

    def _apply(self, variant_id: int, *, available: int = 0, reserved: int = 0, sold: int = 0,
               now: datetime, extra: dict[str, Any] | None = None) -> StockItem | None:
        # extra: other columns to set in the same statement (last_restocked)
        """Add the deltas in one statement, only if no count would go negative; the row
        after, or None when refused (or absent)."""
        stmt = _apply_stmt(available < 0, reserved < 0, sold < 0, tuple(sorted(extra or {})))
        row = self.execute(stmt, {"v": variant_id, "da": available, "dr": reserved,
                                  "ds": sold, "now": now, **(extra or {})}).first()
        return None if row is None else self._after(row, available)

    def _after(self, row: Any, available: int) -> StockItem:
        """The stock row after ``available`` was added to it."""
        if available and (row.quantity_available == 0 if available < 0
                          else row.quantity_available == available):
            # the variant's stock crossed zero: its product's in_stock flag may change, in
            # this same transaction (a statement only then, not on every reservation)
            refresh_in_stock(self.c, [row.product_id])
        return _stock(row)

    def reserve(self, reservation: Reservation, now: datetime) -> list[StockItem]:
        after, short = [], []
        for line in reservation.lines:  # sorted by variant id: one lock order for everyone
            row = self._apply(line.variant_id, available=-line.quantity,
                              reserved=line.quantity, now=now)
            if row is None:
                short.append({"variant_id": line.variant_id, "requested": line.quantity,
                              "available": self.get(line.variant_id).available})
                continue
            after.append(row)
        if short:  # put back what was taken (rows still locked): reserve is all or nothing
            for row in after:
                line = next(ln for ln in reservation.lines if ln.variant_id == row.variant_id)
                self._apply(row.variant_id, available=line.quantity, reserved=-line.quantity,
                            now=now)
            raise InsufficientStock(short)
        self.insert(t.reservations, [{
            "id": reservation.id, "order_id": reservation.order_id,
            "status": reservation.status.value, "expires_at": reservation.expires_at,
            "created_at": reservation.created_at,
            "lines": [[ln.variant_id, ln.quantity] for ln in reservation.lines]}],
            taken=Conflict(f"reservation {reservation.id} exists"))
        return after  # a hold's trail is its reservation row: no movement

    def _end(self, reservation_id: int, status: ReservationStatus, now: datetime) -> bool:
        """Move an active reservation to ``status``; False if it was no longer active."""
        return bool(self.execute(_END, {"rid": reservation_id, "status": status.value,
                                        "now": now}).rowcount)

    def commit(self, reservation: Reservation, now: datetime) -> list[StockItem]:
        after = self._end_and_settle(reservation, ReservationStatus.COMMITTED, now,
                                     reserved=-1, sold=1)
        if after is None:
            raise Conflict(f"reservation {reservation.id} is not active",
                           {"status": self.get_reservation(reservation.id).status.value})
        self._moves([(ln.variant_id, ln.quantity) for ln in reservation.lines],
                    MovementType.OUT, "sold", now, order_id=reservation.order_id,
                    reservation_id=reservation.id)
        return after

    def release(self, reservation: Reservation, now: datetime,
                status: ReservationStatus = ReservationStatus.RELEASED) -> list[StockItem]:
        if status not in (ReservationStatus.RELEASED, ReservationStatus.EXPIRED):
            raise ValidationError("release ends as RELEASED or EXPIRED", {"status": status})
        after = self._end_and_settle(reservation, status, now, reserved=-1, available=1)
        return [] if after is None else after

    def _end_and_settle(self, reservation: Reservation, status: ReservationStatus,
                        now: datetime, **signs: int) -> list[StockItem] | None:
        """End the active reservation as ``status`` and apply ``signs`` times each line's
        quantity to its stock; None if the reservation was no longer active (nothing
        written). On PostgreSQL the end and the first line's stock are one statement."""
        lines = reservation.lines
        if self.dialect != "postgresql" or not lines:
            if not self._end(reservation.id, status, now):
                return None
            return self._settle(reservation, lines, now, **signs)
        first = lines[0]
        deltas = {k: signs.get(k, 0) * first.quantity for k in _DELTAS}
        row = self.execute(_ending_apply_stmt(*(deltas[k] < 0 for k in _DELTAS)), {
            "rid": reservation.id, "status": status.value, "now": now, "v": first.variant_id,
            "da": deltas["available"], "dr": deltas["reserved"], "ds": deltas["sold"]}).one()
        if not row.ended:
            return None
        if row.variant_id is None:
            raise self._short(reservation, first.variant_id)
        return [self._after(row, deltas["available"]),
                *self._settle(reservation, lines[1:], now, **signs)]

    def _settle(self, reservation: Reservation, lines: Sequence[ReservationLine],
                now: datetime, **signs: int) -> list[StockItem]:
        after = []
        for line in lines:
            q = line.quantity
            row = self._apply(line.variant_id, now=now, available=signs.get("available", 0) * q,
                              reserved=signs.get("reserved", 0) * q,
                              sold=signs.get("sold", 0) * q)
            if row is None:
                raise self._short(reservation, line.variant_id)
            after.append(row)
        return after

    @staticmethod
    def _short(reservation: Reservation, variant_id: int) -> Conflict:
        return Conflict(f"variant {variant_id} has less reserved than reservation "
                        f"{reservation.id} holds")

    def get_reservation(self, reservation_id: int) -> Reservation:
        row = self.execute(sa.select(t.reservations).where(
            t.reservations.c.id == reservation_id)).first()
        if row is None:
            raise NotFound(f"reservation {reservation_id} not found")
        return self._reservations([row])[0]

    @staticmethod
    def _reservations(rows: Sequence[Any]) -> list[Reservation]:
        return [Reservation(r.id, tuple(ReservationLine(v, q) for v, q in r.lines),
                            r.expires_at, r.created_at, r.order_id, ReservationStatus(r.status),
                            r.ended_at)
                for r in rows]

    def due_reservations(self, now: datetime, limit: int) -> Sequence[Reservation]:
        r = t.reservations
        stmt = (sa.select(r).where(r.c.status == ReservationStatus.ACTIVE.value,
                                   r.c.expires_at <= now)
                .order_by(r.c.expires_at).limit(limit))
        # read unlocked: sweepers running at once may see the same rows, and the conditional
        # write that ends each checkout lets only one of them expire it
        return self._reservations(self.rows(stmt))

    def restock(self, variant_id: int, quantity: int, reason: str, now: datetime,
                created_by: int | None = None) -> StockItem:
        self.get(variant_id).restock(quantity, now)  # validates; NotFound if absent
        row = self._apply(variant_id, available=quantity, now=now,
                          extra={"last_restocked": now})
        self._moves([(variant_id, quantity)], MovementType.IN, reason, now, created_by=created_by)
        return row  # type: ignore[return-value]

    def adjust(self, variant_id: int, delta: int, reason: str, now: datetime,
               created_by: int | None = None) -> StockItem:
        self.get(variant_id).adjust(delta)  # validates, InsufficientStock below zero
        row = self._apply(variant_id, available=delta, now=now)
        if row is None:
            raise InsufficientStock([{"variant_id": variant_id, "requested": -delta,
                                      "available": self.get(variant_id).available}])
        self._moves([(variant_id, delta)], MovementType.ADJUSTMENT, reason, now,
                   created_by=created_by)
        return row

    def return_sold(self, variant_id: int, quantity: int, reason: str, now: datetime,
                    order_id: int | None = None) -> StockItem:
        self.get(variant_id).return_sold(quantity)
        row = self._apply(variant_id, sold=-quantity, available=quantity, now=now)
        if row is None:
            raise Conflict(f"variant {variant_id} has less sold than {quantity}")
        self._moves([(variant_id, quantity)], MovementType.RETURN, reason, now, order_id=order_id)
        return row

    def set_reorder_level(self, variant_id: int, level: int) -> StockItem:
        self.get(variant_id)
        row = self.execute(inv.update().where(inv.c.variant_id == variant_id)
                           .values(reorder_level=level).returning(*inv.c)).first()
        return _stock(row)

    def movements(self, variant_id: int, types: Iterable[MovementType] | None = None
                  ) -> Sequence[StockMovement]:
        m = t.stock_movements
        stmt = sa.select(m).where(m.c.variant_id == variant_id)
        if types is not None:
            stmt = stmt.where(m.c.movement_type.in_([k.value for k in types]))
        return [_movement(r) for r in self.rows(stmt.order_by(m.c.created_at, m.c.id))]

    def movement_history(self, query: MovementQuery, page: PageRequest) -> Page[StockMovement]:
        stmt = sa.select(mv)
        if query.seller_id is not None:  # the seller is on the stock row, not the movement
            stmt = stmt.join(inv, inv.c.variant_id == mv.c.variant_id).where(
                inv.c.seller_id == query.seller_id)
        if query.variant_id is not None:
            stmt = stmt.where(mv.c.variant_id == query.variant_id)
        if query.types is not None:
            stmt = stmt.where(mv.c.movement_type.in_(sorted(k.value for k in query.types)))
        return self.page(stmt.order_by(mv.c.created_at.desc(), mv.c.id.desc()), page,
                         lambda rows: [_movement(r) for r in rows])

    def for_seller(self, seller_id: int) -> Sequence[StockItem]:
        return [_stock(r) for r in self.rows(sa.select(inv).where(inv.c.seller_id == seller_id)
                                             .order_by(inv.c.variant_id))]

    def for_product(self, product_id: int) -> Sequence[StockItem]:
        return [_stock(r) for r in self.rows(sa.select(inv).where(
            inv.c.product_id == product_id).order_by(inv.c.variant_id))]

    def remove(self, variant_ids: Iterable[int]) -> None:
        ids = list(variant_ids)
        if ids:
            products = [r.product_id for r in self.rows(sa.select(inv.c.product_id).where(
                inv.c.variant_id.in_(ids)))]
            self.execute(sa.delete(mv).where(mv.c.variant_id.in_(ids)))
            self.execute(sa.delete(inv).where(inv.c.variant_id.in_(ids)))
            refresh_in_stock(self.c, products)

    def low_stock(self, seller_id: int | None = None) -> Sequence[StockItem]:
        stmt = sa.select(inv).where(inv.c.quantity_available <= inv.c.reorder_level)
        if seller_id is not None:
            stmt = stmt.where(inv.c.seller_id == seller_id)
        return [_stock(r) for r in self.rows(stmt.order_by(inv.c.variant_id))]
