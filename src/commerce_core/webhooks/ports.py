"""Ports of the webhooks part: the endpoints and deliveries, and the HTTP sender."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from commerce_core.webhooks.model import Delivery, Endpoint


class WebhookRepository(Protocol):
    def add_endpoint(self, endpoint: Endpoint) -> None:
        """Store a new endpoint."""
        ...

    def endpoint(self, endpoint_id: int) -> Endpoint:
        """The endpoint; NotFound if there is none."""
        ...

    def endpoints(self) -> Sequence[Endpoint]:
        """Every endpoint, oldest first."""
        ...

    def update_endpoint(self, endpoint: Endpoint) -> None:
        """Save an endpoint's changes; NotFound if there is none."""
        ...

    def add_delivery(self, delivery: Delivery) -> bool:
        """Store a delivery unless the endpoint has one for that event (False then)."""
        ...

    def delivery(self, delivery_id: int) -> Delivery:
        """The delivery; NotFound if there is none."""
        ...

    def update_delivery(self, delivery: Delivery) -> None:
        """Save a delivery's changes."""
        ...

    def due(self, now: datetime, limit: int) -> Sequence[Delivery]:
        """Pending deliveries whose next attempt is due, oldest first (row-locked where
        the store can, so two workers do not claim one)."""
        ...

    def deliveries(self, endpoint_id: int, limit: int) -> Sequence[Delivery]:
        """The endpoint's delivery log, newest first."""
        ...


class WebhookSender(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        """POST the body; the HTTP status. Raise OSError when no answer came."""
        ...
