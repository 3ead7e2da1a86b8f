"""Carriers' signed tracking callbacks: verified, then applied once by their event id.

A carrier posts JSON to its own endpoint (HTTP: ``POST /api/v1/webhooks/carriers/{carrier}``)::

    {"event_id": "evt-81", "tracking_number": "TR123", "status": "IN_TRANSIT",
     "occurred_at": "2026-12-02T10:00:00+00:00", "location": "Denver", "description": ""}

signed as the shop's own outgoing webhooks are: a ``Commerce-Signature: t=<unix seconds>,
v1=<hex>`` header, where ``v1`` is HMAC-SHA256 under that carrier's secret of
``"<t>." + body``. A signature older or newer than the tolerance (5 minutes) is refused, so a
captured callback cannot be replayed later; within it, the event id makes a replay a no-op.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from commerce_core.clock import Clock
from commerce_core.errors import NotFound, Unauthenticated, ValidationError
from commerce_core.shipping.service import ShippingService, TrackingOutcome
from commerce_core.webhooks.service import SIGNATURE_HEADER, TOLERANCE, verify

MIN_SECRET = 16
MAX_BODY = 64 * 1024


class CarrierCallbacks:
    def __init__(self, shipping: ShippingService, secrets: Mapping[str, str], clock: Clock,
                 tolerance: timedelta = TOLERANCE) -> None:
        short = sorted(name for name, secret in secrets.items() if len(secret) < MIN_SECRET)
        if short:
            raise ValueError(f"carrier callback secrets need {MIN_SECRET} characters or more: "
                             + ", ".join(short))
        self._shipping = shipping
        self._secrets = dict(secrets)
        self._clock = clock
        self._tolerance = tolerance

    def receive(self, carrier: str, body: bytes, headers: Mapping[str, str]) -> TrackingOutcome:
        """Verify a carrier's callback (Unauthenticated: unsigned, forged, outside the
        tolerance, or a carrier with no secret set) and apply its event once."""
        secret = self._secrets.get(carrier)
        if secret is None:
            raise NotFound(f"no callbacks are configured for carrier {carrier!r}",
                           {"carrier": carrier})
        header = _header(headers, SIGNATURE_HEADER)
        if not header or not verify(secret, header, body, self._clock.now(), self._tolerance):
            raise Unauthenticated("the carrier callback's signature is missing, wrong or "
                                  "outside the replay window", {"signature": "invalid"})
        data = _json(body)
        return self._shipping.record_carrier_event(
            carrier, _field(data, "event_id"), _field(data, "tracking_number"),
            _field(data, "status"), _when(data.get("occurred_at")),
            _field(data, "location", ""), _field(data, "description", ""))


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), "")


def _json(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_BODY:
        raise ValidationError(f"a callback body is at most {MAX_BODY} bytes", {"body": "large"})
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("the callback body is not JSON", {"body": "not JSON"}) from None
    if not isinstance(data, dict):
        raise ValidationError("the callback body must be a JSON object", {"body": "object"})
    return data


def _field(data: Mapping[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if value is None:
        raise ValidationError(f"{name} is required", {name: "required"})
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be a string", {name: "a string"})
    return value


def _when(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise ValidationError("occurred_at must be an ISO 8601 time with a zone",
                              {"occurred_at": "ISO 8601 with zone"})
    return when
