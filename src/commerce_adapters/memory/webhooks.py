"""In-memory webhook endpoints and deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from commerce_adapters.memory.state import Journal, MemoryState, fresh
from commerce_core.errors import NotFound
from commerce_core.webhooks.model import Delivery, DeliveryState, Endpoint


class MemoryWebhooks:
    def __init__(self, state: MemoryState, journal: Journal) -> None:
        self._endpoints: dict[int, Endpoint] = state.table("webhook_endpoints")
        self._deliveries: dict[int, Delivery] = state.table("webhook_deliveries")
        self._keys: dict[tuple[int, str], int] = state.table("webhook_delivery_keys")
        self._j = journal

    def add_endpoint(self, endpoint: Endpoint) -> None:
        self._j.put(self._endpoints, endpoint.id, fresh(endpoint))

    def endpoint(self, endpoint_id: int) -> Endpoint:
        try:
            return fresh(self._endpoints[endpoint_id])
        except KeyError:
            raise NotFound(f"webhook endpoint {endpoint_id} not found",
                           {"endpoint_id": endpoint_id}) from None

    def endpoints(self) -> Sequence[Endpoint]:
        return [fresh(e) for e in sorted(self._endpoints.values(), key=lambda e: e.id)]

    def update_endpoint(self, endpoint: Endpoint) -> None:
        self.endpoint(endpoint.id)
        self._j.put(self._endpoints, endpoint.id, fresh(endpoint))

    def add_delivery(self, delivery: Delivery) -> bool:
        key = (delivery.endpoint_id, delivery.event_id)
        if key in self._keys:
            return False
        self._j.put(self._keys, key, delivery.id)
        self._j.put(self._deliveries, delivery.id, fresh(delivery))
        return True

    def delivery(self, delivery_id: int) -> Delivery:
        try:
            return fresh(self._deliveries[delivery_id])
        except KeyError:
            raise NotFound(f"webhook delivery {delivery_id} not found",
                           {"delivery_id": delivery_id}) from None

    def update_delivery(self, delivery: Delivery) -> None:
        self.delivery(delivery.id)
        self._j.put(self._deliveries, delivery.id, fresh(delivery))

    def due(self, now: datetime, limit: int) -> Sequence[Delivery]:
        due = sorted((d for d in self._deliveries.values()
                      if d.state is DeliveryState.PENDING and d.next_attempt_at <= now),
                     key=lambda d: (d.next_attempt_at, d.id))
        return [fresh(d) for d in due[:limit]]

    def deliveries(self, endpoint_id: int, limit: int) -> Sequence[Delivery]:
        mine = sorted((d for d in self._deliveries.values() if d.endpoint_id == endpoint_id),
                      key=lambda d: d.id, reverse=True)
        return [fresh(d) for d in mine[:limit]]
