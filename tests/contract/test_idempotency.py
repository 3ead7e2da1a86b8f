"""Contract of the IdempotencyStore port (idempotency.py)."""

from __future__ import annotations

from datetime import timedelta

from commerce_core.idempotency import IdempotencyRecord
from tests.contract.conftest import Backend


def test_idempotency_store(backend: Backend) -> None:
    now = backend.clock.now()
    record = IdempotencyRecord("checkout:1", "k", "h1", {"order_id": 5}, now)
    with backend.storage.uow_factory() as uow:
        assert uow.idempotency.get("checkout:1", "k") is None
        uow.idempotency.add(record)
        uow.commit()
    with backend.storage.uow_factory() as uow:
        assert uow.idempotency.get("checkout:1", "k") == record
        assert uow.idempotency.get("checkout:2", "k") is None  # scopes are separate
    backend.refused(lambda uow: uow.idempotency.add(
        IdempotencyRecord("checkout:1", "k", "h2", {}, now)))
    with backend.storage.uow_factory() as uow:
        assert uow.idempotency.get("checkout:1", "k") == record  # the first one stands
    backend.clock.advance(timedelta(days=2))
    with backend.storage.uow_factory() as uow:
        assert uow.idempotency.purge(backend.clock.now() - timedelta(days=1)) == 1
        uow.commit()
