"""Coupons and redemptions, idempotency records, the outbox, named sequences."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.errors import Conflict, NotFound, ValidationError
from commerce_core.events import event_from_dict
from commerce_core.idempotency import IdempotencyRecord
from commerce_core.pricing.coupons import Coupon, CouponKind, normalize_code
from commerce_core.uow import OutboxEntry


def _coupon_data(c: Coupon) -> dict[str, Any]:
    return {"kind": c.kind.value, "value": str(c.value), "currency": c.currency,
            "min_subtotal": None if c.min_subtotal is None else str(c.min_subtotal),
            "starts_at": c.starts_at.isoformat() if c.starts_at else None,
            "ends_at": c.ends_at.isoformat() if c.ends_at else None,
            "seller_id": c.seller_id, "category_ids": sorted(c.category_ids),
            "is_active": c.is_active}


def _coupon(r: Any) -> Coupon:
    d = r.data
    return Coupon(r.code, CouponKind(d["kind"]), Decimal(d["value"]), d["currency"],
                  None if d["min_subtotal"] is None else Decimal(d["min_subtotal"]),
                  datetime.fromisoformat(d["starts_at"]) if d["starts_at"] else None,
                  datetime.fromisoformat(d["ends_at"]) if d["ends_at"] else None,
                  r.max_uses, r.max_uses_per_user, d["seller_id"],
                  frozenset(d["category_ids"]), d["is_active"], r.times_used)


class SqlCoupons(SqlRepository):
    def add(self, coupon: Coupon) -> None:
        if self.c.execute(sa.select(t.coupons.c.code).where(
                t.coupons.c.code == coupon.code)).first() is not None:
            raise Conflict(f"coupon {coupon.code} exists", {"code": coupon.code})
        self.c.execute(t.coupons.insert(), {
            "code": coupon.code, "data": _coupon_data(coupon), "times_used": coupon.times_used,
            "max_uses": coupon.max_uses, "max_uses_per_user": coupon.max_uses_per_user})

    def get(self, code: str) -> Coupon:
        code = normalize_code(code)
        row = self.c.execute(sa.select(t.coupons).where(t.coupons.c.code == code)).first()
        if row is None:
            raise NotFound(f"coupon {code} not found", {"coupon_code": code})
        return _coupon(row)

    def update(self, coupon: Coupon) -> None:
        done = self.c.execute(t.coupons.update().where(t.coupons.c.code == coupon.code).values(
            data=_coupon_data(coupon), max_uses=coupon.max_uses,
            max_uses_per_user=coupon.max_uses_per_user))  # times_used is the store's own
        if not done.rowcount:
            raise NotFound(f"coupon {coupon.code} not found", {"coupon_code": coupon.code})

    def uses_by(self, code: str, user_id: int) -> int:
        r = t.coupon_redemptions
        return int(self.c.execute(sa.select(sa.func.count()).where(
            r.c.code == normalize_code(code), r.c.user_id == user_id)).scalar_one())

    def redeem(self, code: str, user_id: int, order_id: int, now: datetime) -> Coupon:
        """Count one use; a refusal changes nothing. The coupon row is locked first, so a
        concurrent redemption of the same coupon waits and then sees this one's count."""
        code = normalize_code(code)
        c = t.coupons
        locked = self.one(sa.select(c).where(c.c.code == code))
        if locked is None:
            raise NotFound(f"coupon {code} not found", {"coupon_code": code})
        if self.c.execute(sa.select(t.coupon_redemptions.c.code).where(
                t.coupon_redemptions.c.code == code,
                t.coupon_redemptions.c.order_id == order_id)).first() is not None:
            raise Conflict(f"order {order_id} already redeemed {code}")
        if (locked.max_uses_per_user is not None
                and self.uses_by(code, user_id) >= locked.max_uses_per_user):
            raise ValidationError(f"you have already used coupon {code}",
                                  {"coupon_code": "user_limit"})
        row = self.c.execute(c.update().where(
            c.c.code == code, sa.or_(c.c.max_uses.is_(None), c.c.times_used < c.c.max_uses))
            .values(times_used=c.c.times_used + 1).returning(*c.c)).first()
        if row is None:
            raise ValidationError(f"coupon {code} is used up", {"coupon_code": "used_up"})
        self.c.execute(t.coupon_redemptions.insert(), {
            "code": code, "order_id": order_id, "user_id": user_id, "redeemed_at": now})
        return _coupon(row)

    def release(self, code: str, order_id: int) -> None:
        code = normalize_code(code)
        r = t.coupon_redemptions
        gone = self.c.execute(r.delete().where(r.c.code == code, r.c.order_id == order_id))
        if gone.rowcount:
            self.c.execute(t.coupons.update().where(t.coupons.c.code == code)
                           .values(times_used=t.coupons.c.times_used - 1))


class SqlIdempotency(SqlRepository):
    def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        row = self.c.execute(_IDEMPOTENCY, {"scope": scope, "key": key}).first()
        if row is None:
            return None
        return IdempotencyRecord(row.scope, row.key, row.request_hash, dict(row.result),
                                 row.created_at)

    def add(self, record: IdempotencyRecord) -> None:
        if not self.insert_ignore(t.idempotency_keys, {
                "scope": record.scope, "key": record.key, "request_hash": record.request_hash,
                "result": dict(record.result), "created_at": record.created_at}):
            raise Conflict("this Idempotency-Key is already in use",
                           {"idempotency_key": record.key})

    def purge(self, older_than: datetime) -> int:
        i = t.idempotency_keys
        return int(self.c.execute(i.delete().where(i.c.created_at < older_than)).rowcount)


class SqlOutbox(SqlRepository):
    def add_many(self, entries: Sequence[OutboxEntry]) -> None:
        if entries:
            self.insert(t.outbox, [
                {"id": e.id, "name": e.event.name, "event": e.event.to_dict(),
                 "created_at": e.created_at, "published_at": e.published_at}
                for e in entries])

    def pending(self, limit: int) -> Sequence[OutboxEntry]:
        o = t.outbox
        rows = self.rows(sa.select(o).where(o.c.published_at.is_(None)).order_by(o.c.id)
                         .limit(limit))
        return [OutboxEntry(r.id, event_from_dict(r.event), r.created_at, r.published_at)
                for r in rows]

    def mark_published(self, entry_ids: Sequence[int], now: datetime) -> None:
        if entry_ids:
            self.c.execute(_MARK_PUBLISHED, {"ids": list(entry_ids), "now": now})


_IDEMPOTENCY = sa.select(t.idempotency_keys).where(
    t.idempotency_keys.c.scope == sa.bindparam("scope"),
    t.idempotency_keys.c.key == sa.bindparam("key"))
_MARK_PUBLISHED = (t.outbox.update().where(
    t.outbox.c.id.in_(sa.bindparam("ids", expanding=True)), t.outbox.c.published_at.is_(None))
    .values(published_at=sa.bindparam("now", type_=t.outbox.c.published_at.type)))
@functools.cache
def _nextval(sequence: str) -> sa.Select[Any]:
    return sa.select(sa.func.nextval(sequence))


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
            with _created_lock, self._uow.db.primary.connect() as conn:
                try:
                    conn.exec_driver_sql(f'CREATE SEQUENCE IF NOT EXISTS "{sequence}"')
                    conn.commit()
                except sa.exc.IntegrityError:  # another process created it at the same moment
                    conn.rollback()
                _created.add(key)
        return int(self.c.execute(_nextval(sequence)).scalar_one())
