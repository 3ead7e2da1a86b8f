"""Contract of the FraudRepository port (fraud/ports.py): checks and their review queue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.errors import Conflict
from commerce_core.fraud.model import FraudCheck, FraudStatus
from commerce_core.money import Money
from commerce_core.pagination import PageRequest
from tests.contract.conftest import Backend


def test_fraud_checks_and_their_queue(backend: Backend) -> None:
    now, usd = backend.clock.now(), Money("10", "USD")

    def check(order: int, score: int, status: FraudStatus, minutes: int = 0) -> FraudCheck:
        at = now + timedelta(minutes=minutes)
        return FraudCheck(order, 1, score, ["x"], status, usd, at, at)

    with backend.storage.uow_factory() as uow:
        for c in (check(1, 60, FraudStatus.HELD, 2), check(2, 90, FraudStatus.HELD),
                  check(3, 60, FraudStatus.HELD), check(4, 0, FraudStatus.CLEAR)):
            uow.fraud.add(c)
        with pytest.raises(Conflict):
            uow.fraud.add(check(1, 0, FraudStatus.CLEAR))
        assert [c.order_id for c in uow.fraud.queue(FraudStatus.HELD, PageRequest()).items] \
            == [2, 3, 1]
        held = uow.fraud.find(3)
        assert held is not None and uow.fraud.find(99) is None
        held.decide(True, 5, "ok", now)
        uow.fraud.update(held)
        assert uow.fraud.queue(FraudStatus.APPROVED, PageRequest()).total_count == 1
