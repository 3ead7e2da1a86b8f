"""Webhook endpoints and their delivery log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from commerce_adapters.sql import schema as t
from commerce_adapters.sql.repositories.base import SqlRepository
from commerce_core.errors import NotFound
from commerce_core.webhooks.model import Delivery, DeliveryState, Endpoint

e, d = t.webhook_endpoints, t.webhook_deliveries
_ENDPOINTS = sa.select(e).order_by(e.c.id)  # built once: every commit's events read it


def _endpoint_row(x: Endpoint) -> dict[str, Any]:
    return {"id": x.id, "url": x.url, "event_types": list(x.event_types), "secret": x.secret,
            "created_at": x.created_at, "active": x.active}


def _endpoint(r: Any) -> Endpoint:
    return Endpoint(r.id, r.url, list(r.event_types), r.secret, r.created_at, r.active)


def _delivery_row(x: Delivery) -> dict[str, Any]:
    return {"id": x.id, "endpoint_id": x.endpoint_id, "event_id": x.event_id,
            "event_type": x.event_type, "body": x.body, "created_at": x.created_at,
            "next_attempt_at": x.next_attempt_at, "state": x.state.value,
            "attempts": x.attempts, "last_status": x.last_status, "last_error": x.last_error,
            "sent_at": x.sent_at}


def _delivery(r: Any) -> Delivery:
    return Delivery(r.id, r.endpoint_id, r.event_id, r.event_type, r.body, r.created_at,
                    r.next_attempt_at, DeliveryState(r.state), r.attempts, r.last_status,
                    r.last_error, r.sent_at)


class SqlWebhooks(SqlRepository):
    def add_endpoint(self, endpoint: Endpoint) -> None:
        self.insert(e, [_endpoint_row(endpoint)])

    def endpoint(self, endpoint_id: int) -> Endpoint:
        row = self.one(sa.select(e).where(e.c.id == endpoint_id), lock=False)
        if row is None:
            raise NotFound(f"webhook endpoint {endpoint_id} not found",
                           {"endpoint_id": endpoint_id})
        return _endpoint(row)

    def endpoints(self) -> Sequence[Endpoint]:
        return [_endpoint(r) for r in self.rows(_ENDPOINTS)]

    def update_endpoint(self, endpoint: Endpoint) -> None:
        if not self.execute(e.update().where(e.c.id == endpoint.id)
                            .values(_endpoint_row(endpoint))).rowcount:
            raise NotFound(f"webhook endpoint {endpoint.id} not found",
                           {"endpoint_id": endpoint.id})

    def add_delivery(self, delivery: Delivery) -> bool:
        return self.insert_ignore(d, _delivery_row(delivery))

    def delivery(self, delivery_id: int) -> Delivery:
        row = self.one(sa.select(d).where(d.c.id == delivery_id))
        if row is None:
            raise NotFound(f"webhook delivery {delivery_id} not found",
                           {"delivery_id": delivery_id})
        return _delivery(row)

    def update_delivery(self, delivery: Delivery) -> None:
        self.execute(d.update().where(d.c.id == delivery.id).values(_delivery_row(delivery)))

    def due(self, now: datetime, limit: int) -> Sequence[Delivery]:
        stmt = (sa.select(d).where(d.c.state == DeliveryState.PENDING.value,
                                   d.c.next_attempt_at <= now)
                .order_by(d.c.next_attempt_at, d.c.id).limit(limit))
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return [_delivery(r) for r in self.rows(stmt)]

    def deliveries(self, endpoint_id: int, limit: int) -> Sequence[Delivery]:
        return [_delivery(r) for r in self.rows(
            sa.select(d).where(d.c.endpoint_id == endpoint_id).order_by(d.c.id.desc())
            .limit(limit))]
