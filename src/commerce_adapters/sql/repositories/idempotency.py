"""Idempotency records."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.errors import Conflict
from commerce_core.idempotency import IdempotencyRecord


class SqlIdempotency(SqlRepository):
    def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        row = self.execute(_IDEMPOTENCY, {"scope": scope, "key": key}).first()
        if row is None:
            return None
        return IdempotencyRecord(row.scope, row.key, row.request_hash, dict(row.result),
                                 row.created_at)

    def add(self, record: IdempotencyRecord) -> None:
        self.insert(t.idempotency_keys, [{
            "scope": record.scope, "key": record.key, "request_hash": record.request_hash,
            "result": dict(record.result), "created_at": record.created_at}],
            taken=Conflict("this Idempotency-Key is already in use",
                           {"idempotency_key": record.key}))

    def purge(self, older_than: datetime) -> int:
        i = t.idempotency_keys
        return int(self.execute(i.delete().where(i.c.created_at < older_than)).rowcount)


_IDEMPOTENCY = sa.select(t.idempotency_keys).where(
    t.idempotency_keys.c.scope == sa.bindparam("scope"),
    t.idempotency_keys.c.key == sa.bindparam("key"))
