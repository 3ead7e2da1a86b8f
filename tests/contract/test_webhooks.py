"""Contract of the webhook repository (webhooks/ports.py), on every transactional backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.errors import NotFound
from commerce_core.webhooks.model import Delivery, DeliveryState, Endpoint
from tests.contract.conftest import Backend


def _endpoint(backend: Backend, endpoint_id: int, *types: str) -> Endpoint:
    return Endpoint(endpoint_id, f"https://hooks.example.test/{endpoint_id}",
                    list(types or ["OrderPlaced"]), "whsec_x", backend.clock.now())


def _delivery(backend: Backend, delivery_id: int, endpoint_id: int, event_id: str,
              due_in: int = 0) -> Delivery:
    now = backend.clock.now()
    return Delivery(delivery_id, endpoint_id, event_id, "OrderPlaced", '{"a": 1}', now,
                    now + timedelta(seconds=due_in))


def test_endpoints_are_kept_and_changed(backend: Backend) -> None:
    with backend.uow() as uow:
        uow.webhooks.add_endpoint(_endpoint(backend, 2, "OrderPlaced", "RefundIssued"))
        uow.webhooks.add_endpoint(_endpoint(backend, 1, "*"))
        uow.commit()
    with backend.uow() as uow:
        assert [e.id for e in uow.webhooks.endpoints()] == [1, 2]
        two = uow.webhooks.endpoint(2)
        assert two.event_types == ["OrderPlaced", "RefundIssued"] and two.active
        two.active = False
        uow.webhooks.update_endpoint(two)
        uow.commit()
    with backend.uow(read_only=True) as uow:
        assert not uow.webhooks.endpoint(2).active
        with pytest.raises(NotFound):
            uow.webhooks.endpoint(3)


def test_one_delivery_per_endpoint_and_event(backend: Backend) -> None:
    with backend.uow() as uow:
        uow.webhooks.add_endpoint(_endpoint(backend, 1))
        uow.webhooks.add_endpoint(_endpoint(backend, 2))
        assert uow.webhooks.add_delivery(_delivery(backend, 10, 1, "e1"))
        assert not uow.webhooks.add_delivery(_delivery(backend, 11, 1, "e1"))
        assert uow.webhooks.add_delivery(_delivery(backend, 12, 2, "e1"))
        uow.commit()
    with backend.uow(read_only=True) as uow:
        assert [d.id for d in uow.webhooks.deliveries(1, 10)] == [10]
        with pytest.raises(NotFound):
            uow.webhooks.delivery(11)


def test_due_deliveries_are_pending_ones_whose_time_came_oldest_first(
        backend: Backend) -> None:
    with backend.uow() as uow:
        uow.webhooks.add_endpoint(_endpoint(backend, 1))
        for n, due_in in ((10, 5), (11, 0), (12, -5), (13, 60)):
            uow.webhooks.add_delivery(_delivery(backend, n, 1, f"e{n}", due_in))
        sent = uow.webhooks.delivery(11)
        sent.state, sent.attempts, sent.last_status = DeliveryState.SENT, 1, 204
        sent.sent_at = backend.clock.now()
        uow.webhooks.update_delivery(sent)
        uow.commit()
    later = backend.clock.now() + timedelta(seconds=10)
    with backend.uow() as uow:
        assert [d.id for d in uow.webhooks.due(later, 10)] == [12, 10]
        assert [d.id for d in uow.webhooks.due(later, 1)] == [12]
        got = uow.webhooks.delivery(11)
        assert (got.state, got.attempts, got.last_status) == (DeliveryState.SENT, 1, 204)
        assert [d.id for d in uow.webhooks.deliveries(1, 2)] == [13, 12]  # newest first


def test_deliveries_roll_back_with_their_transaction(backend: Backend) -> None:
    with backend.uow() as uow:
        uow.webhooks.add_endpoint(_endpoint(backend, 1))
        uow.commit()
    with backend.uow() as uow:
        uow.webhooks.add_delivery(_delivery(backend, 10, 1, "e1"))
        uow.rollback()
    with backend.uow() as uow:
        assert uow.webhooks.deliveries(1, 10) == []
        assert uow.webhooks.add_delivery(_delivery(backend, 10, 1, "e1"))
