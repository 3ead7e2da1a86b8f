"""Revoked tokens on the database, outside any unit of work (the sessions part)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.batched import insert_ignore_stmt
from commerce_adapters.sql.database import SqlStore

r = t.revoked_tokens


class SqlRevocations(SqlStore):
    def revoke(self, token_id: str, expires_at: datetime) -> None:
        stmt = insert_ignore_stmt(self._db.dialect, r)  # RETURNING: read it, or SQLite's
        self._run(lambda c: c.execute(stmt, {"token_id": token_id,  # commit finds it running
                                             "expires_at": expires_at}).first())

    def is_revoked(self, token_id: str) -> bool:
        found = self._read(lambda c: c.execute(  # every request asks: no BEGIN/ROLLBACK
            sa.select(r.c.token_id).where(r.c.token_id == token_id)).first())
        return found is not None

    def purge(self, expired_before: datetime) -> int:
        return int(self._run(lambda c: c.execute(
            r.delete().where(r.c.expires_at < expired_before)).rowcount))
