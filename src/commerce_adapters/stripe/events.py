"""Stripe's webhook format and its signature scheme, in the standard library only.

``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``: the timestamp is
signed with the body, so an event cannot be replayed once it is older than the tolerance
(300 s, Stripe's default). The Stripe gateway verifies with the SDK
(``stripe.WebhookSignature``); the fake gateway signs and verifies with this module, the
same scheme, so its webhooks exercise the same endpoint and the same refusals.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from commerce_core.errors import Unauthenticated, ValidationError
from commerce_core.money import Money
from commerce_core.payments.ports import GatewayEvent, GatewayEventKind

SIGNATURE_HEADER = "Stripe-Signature"
TOLERANCE = 300  # seconds an event's signature stays valid
_KINDS = {kind.value: kind for kind in GatewayEventKind if kind is not GatewayEventKind.OTHER}


def header(headers: Mapping[str, str]) -> str:
    return {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER.lower(), "")


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The header value signing ``body`` at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, given: str, now: float,
           tolerance: int = TOLERANCE) -> None:
    """Unauthenticated unless ``given`` signs ``body`` with ``secret`` within ``tolerance``
    seconds before ``now``."""
    fields: dict[str, list[str]] = {}
    for item in given.split(","):
        name, _, value = item.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields.get("t", [""])[0])
    except ValueError:
        raise Unauthenticated("webhook signature header is malformed") from None
    expected = signature(secret, body, timestamp).rpartition("v1=")[2]
    if not any(hmac.compare_digest(expected, v) for v in fields.get("v1", [])):
        raise Unauthenticated("webhook signature does not match")
    if timestamp < now - tolerance:
        raise Unauthenticated(f"webhook signed more than {tolerance} s ago (a replay?)")


def loads(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as ex:
        raise ValidationError("malformed webhook body") from ex
    if not isinstance(data, dict):
        raise ValidationError("malformed webhook body")
    return data


def parse(data: Mapping[str, Any]) -> GatewayEvent:
    """A Stripe event (``{"id", "type", "data": {"object": ...}}``) as the core's event;
    the transaction id is the PaymentIntent's id."""
    try:
        event_id, kind_name, obj = str(data["id"]), str(data["type"]), data["data"]["object"]
        kind = _KINDS.get(kind_name, GatewayEventKind.OTHER)
        metadata = obj.get("metadata") or {}
        if kind_name.startswith("payment_intent."):
            error = obj.get("last_payment_error") or {}
            return GatewayEvent(event_id, kind, str(obj["id"]),
                                str(error.get("decline_code") or error.get("code") or ""),
                                **_charge_of(metadata))
        if kind is GatewayEventKind.REFUNDED:
            refunded = Money.from_minor(int(obj["amount_refunded"]), str(obj["currency"]).upper())
            return GatewayEvent(event_id, kind, str(obj.get("payment_intent") or obj["id"]),
                                refunded=refunded, **_charge_of(metadata))
        if kind_name.startswith("charge.dispute."):
            return GatewayEvent(event_id, kind, str(obj.get("payment_intent") or obj["charge"]),
                                str(obj.get("reason") or ""),
                                dispute_won=obj.get("status") == "won")
        return GatewayEvent(event_id, kind, str(obj.get("id", "")))
    except (KeyError, TypeError, ValueError, AttributeError) as ex:
        raise ValidationError("malformed webhook body") from ex


def _charge_of(metadata: Mapping[str, Any]) -> dict[str, Any]:
    order = str(metadata.get("order_id") or "")
    return {"idempotency_key": str(metadata.get("idempotency_key") or ""),
            "order_id": int(order) if order.isdigit() else None}
